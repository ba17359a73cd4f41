"""Executes a Colab notebook of notebooks/ headlessly on the smoke profile, as a user outside
Colab would run it, and checks what every notebook must leave behind."""

import json
import os

import nbclient
import nbformat
from harness import ROOT

CELL_TIMEOUT = 900  # seconds; the training cell holds a whole smoke run


def execute_notebook(name, run_root, settings):
    """Runs `notebooks/<name>.ipynb` from the repository root with its `parameters` cell
    replaced (smoke profile, runs under `run_root`, each of `settings` passed as `--set`,
    cutting the run down as tests/experiments does); returns
    `(outputs, record)`: each code cell's outputs by cell id, and the run's `run.json`."""
    notebook = nbformat.read(os.path.join(ROOT, "notebooks", f"{name}.ipynb"), as_version=4)
    (parameters,) = [cell for cell in notebook.cells
                     if "parameters" in cell.metadata.get("tags", [])]
    parameters.source = "\n".join([
        'PROFILE = "smoke"',
        f"RUN_ROOT = {str(run_root)!r}",
        "RETRAIN = False",
        f"EXTRA_ARGS = {[arg for setting in settings for arg in ('--set', setting)]!r}",
    ])
    nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": ROOT}}).execute()
    with open(os.path.join(run_root, "runs", name, "smoke", "run.json")) as f:
        record = json.load(f)
    outputs = {cell.id: cell.outputs for cell in notebook.cells if cell.cell_type == "code"}
    return outputs, record


def printed(cell_outputs):
    """Everything a cell printed, as one string."""
    return "".join(output.get("text", "") for output in cell_outputs
                   if output["output_type"] == "stream")


def images_shown(cell_outputs):
    return sum("image/png" in output.get("data", {}) for output in cell_outputs)


def check_notebook_run(outputs, record, run_root):
    """The run completed on the smoke profile, the notebook showed each of its plots, every
    export sits in the notebook's export folder and passed the checker."""
    assert record["status"] == "completed" and record["profile"] == "smoke"
    plots = [path for path in record["artifacts"].values() if path.endswith(".png")]
    assert plots
    for path in plots:
        assert os.path.getsize(path) > 1000, path
    assert images_shown(outputs["results"]) == len(plots)
    assert record["exports"]
    for export in record["exports"]:
        assert os.path.dirname(export["path"]) == str(
            run_root / "saved_models" / export["model_name"])
        assert os.path.exists(os.path.join(export["path"], "saved_model.pb")), export["path"]
    checked = printed(outputs["check"]).count("warmup check: outputs match the manifest")
    assert checked == len(record["exports"])
