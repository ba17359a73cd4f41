"""Writes notebooks/<experiment>.ipynb, one Colab notebook per experiment, from the shared
cells below and the table of what differs per experiment.

    python -m notebooks.build_notebooks

Each notebook trains one experiment through its command line (paper profile, `--strategy
auto`), resumable from Google Drive, then shows the run's plots and metrics, checks the
SavedModels and sends one request to each kind of export. The tests execute every notebook
on the smoke profile (tests/notebooks/) and check that the files match this script.
"""

import os
import textwrap

import nbformat

from notebooks.experiment_table import EXPERIMENTS

GITHUB_REPO = "dlx-tf/dlx_tf"  # assumed: where the repository is published
BRANCH = "main"
NOTEBOOKS_DIR = os.path.dirname(os.path.abspath(__file__))

# Colab's TPU runtimes have no TensorFlow, and tensorflow-tpu stops at 2.20 (README, "Stack").
TPU_TENSORFLOW = "tensorflow-tpu==2.20.*"
# What its requirement `libtpu~=0.0.14` names: pip would take the newest, and newer releases
# lack TF's entry points (0.0.42 and up abort `import tensorflow`: "... not available in this
# library"; 0.0.14, 0.0.17, 0.0.21 and 0.0.30 load).
TPU_LIBTPU = "libtpu==0.0.14"
TPU_FIND_LINKS = "https://storage.googleapis.com/libtpu-tf-releases/index.html"
# Requirements that depend on the `tensorflow` distribution, at TF 2.20 versions (keras-hub
# as in the TF 2.20 test environment), installed without their dependencies.
TPU_WITHOUT_DEPS = ("tensorflow-text==2.20.*", "tensorflow-serving-api==2.20.*",
                    "keras-hub==0.25.1")
# The rest of setup.cfg's requirements, and what the three above need besides TensorFlow.
TPU_WITH_DEPS = ("keras>=3.10", "tensorboard==2.20.*", "tensorflow-datasets>=4.9.7",
                 "importlib_resources>=6", "matplotlib>=3.8", "numpy>=1.26", "av>=12", "kagglehub",
                 "regex")


# === Shared cells ===

def _list(name, values):
    """Python source of `name = [...]`, one string a line."""
    return "\n".join([f"{name} = [", *(f'    "{value}",' for value in values), "]"])


INTRO = """\
# {title}

[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url})

{about}

This notebook runs `experiments/{name}.py` on a Colab GPU or TPU runtime: it keeps the run
on Google Drive, so that after a disconnect running every cell again resumes the run from its
last checkpoint; it shows TensorBoard while training, then the run's plots and metrics, checks
the exported SavedModels as TF Serving will load them, and sends one request to each.
"""

PARAMETERS = """\
PROFILE = "paper"  # the paper's settings and data; "smoke": minutes on a CPU, offline
RUN_ROOT = None  # None: Google Drive in Colab (survives a disconnect), else runs/notebooks
RETRAIN = False  # True: train again though RUN_ROOT holds a finished run (which is kept)
EXTRA_ARGS = []  # more arguments, e.g. {example}
"""

HELPERS = """\
import json
import os
import shlex
import subprocess
import sys

EXPERIMENT = "{name}"
IN_COLAB = "google.colab" in sys.modules
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info logs drown the rest


def run(*command):
    \"\"\"Runs `command`, printing its output as it comes; a nonzero exit status fails the
    cell (IPython's `!command` would only print it).\"\"\"
    print("$", shlex.join(command), flush=True)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
    if process.returncode:
        raise RuntimeError(f"exit status {{process.returncode}}: {{shlex.join(command)}}")
"""

SETUP_TEXT = """\
## Set up Colab

Choose the runtime first (*Runtime → Change runtime type*): a GPU, or a TPU. The next cell
mounts Google Drive, clones the repository and installs the package. On a GPU runtime that is
`pip install -e .` with TensorFlow's CUDA libraries. A TPU runtime has no TensorFlow, and
`tensorflow-tpu` stops at 2.20, which this package also supports: the cell installs it as
Google documents, then the package with `--no-deps` and its other requirements at
TF 2.20 versions, so that pip does not add the CPU build of TensorFlow beside it.
If Colab asks to restart the session after the install, do so and run every cell again.
Outside Colab the cell does nothing: the notebook uses the working tree and its environment.
"""

COLAB_SETUP = f"""\
# Colab's TPU runtimes have no TensorFlow, and tensorflow-tpu stops at 2.20; newer libtpu
# releases lack its entry points. Requirements that depend on the `tensorflow` distribution go
# in without their dependencies, at TF 2.20 versions: pip would otherwise add the CPU build of
# TensorFlow beside tensorflow-tpu.
TPU_TENSORFLOW = ["{TPU_TENSORFLOW}", "{TPU_LIBTPU}"]
TPU_FIND_LINKS = "{TPU_FIND_LINKS}"
{_list("TPU_WITHOUT_DEPS", TPU_WITHOUT_DEPS)}
{_list("TPU_WITH_DEPS", TPU_WITH_DEPS)}  # the rest, and what those need besides TensorFlow

if IN_COLAB:
    import glob
    import shutil

    from google.colab import drive

    drive.mount("/content/drive")
    if not os.path.isdir("/content/dlx_tf"):
        run("git", "clone", "--depth", "1", "--branch", "{BRANCH}",
            "https://github.com/{GITHUB_REPO}", "/content/dlx_tf")
    os.chdir("/content/dlx_tf")
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    if glob.glob("/dev/accel*") or glob.glob("/dev/vfio/[0-9]*"):  # a TPU VM's devices
        run(*pip, *TPU_TENSORFLOW, "--find-links", TPU_FIND_LINKS)
        run(*pip, "--no-deps", "-e", ".", *TPU_WITHOUT_DEPS)
        run(*pip, *TPU_WITH_DEPS)
    elif shutil.which("nvidia-smi"):
        run(*pip, "-e", ".", "tensorflow[and-cuda]")
    else:
        run(*pip, "-e", ".")
else:
    print("Not in Colab: skipping Drive, clone and install.")
"""

FOLDERS = """\
if not os.path.isdir("experiments") and os.path.isdir("../experiments"):
    os.chdir("..")  # a local Jupyter starts in notebooks/; the commands run from the repository
RUN_ROOT = os.path.abspath(
    RUN_ROOT or ("/content/drive/MyDrive/dlx_tf" if IN_COLAB else "runs/notebooks"))
RUN_DIR = os.path.join(RUN_ROOT, "runs", EXPERIMENT, PROFILE)
EXPORT_DIR = os.path.join(RUN_ROOT, "saved_models")
print("run folder:", RUN_DIR)
print("exports:", EXPORT_DIR)
"""

TENSORBOARD = """\
if IN_COLAB:
    %load_ext tensorboard
    %tensorboard --logdir "{RUN_DIR}"
else:
    print(f"Not in Colab: no TensorBoard here (`tensorboard --logdir {RUN_DIR}` in a shell).")
"""

TRAIN_TEXT = """\
## Train

```
python experiments/{name}.py --profile PROFILE --strategy auto \\
    --output-dir RUN_DIR --export-dir EXPORT_DIR
```

`--strategy auto` takes the TPU if the runtime has one, else every GPU, else the CPU. The run
writes `run.json`, `plots/`, `checkpoints/` and `tensorboard/` into its folder on Drive, and
the SavedModels into `saved_models/` beside it. After a disconnect, run every cell again: the
same command continues from the last epoch's checkpoint.

**Data** (paper profile): {data} Pass other arguments in `EXTRA_ARGS`
(`python experiments/{name}.py --help` lists them).

**A quick try**: `PROFILE = "smoke"` trains on synthetic data the package generates, offline,
in {smoke_time} on 2 CPU cores; any runtime will do.

**On a TPU**: {tpu}
"""

TRAIN = """\
RECORD = os.path.join(RUN_DIR, "run.json")


def finished(record_path):
    if not os.path.exists(record_path):
        return False
    with open(record_path) as f:
        return json.load(f)["status"] == "completed"


if finished(RECORD) and not RETRAIN:
    print(f"{RUN_DIR} holds a finished run: shown below (RETRAIN = True trains again).")
else:
    run(sys.executable, f"experiments/{EXPERIMENT}.py", "--profile", PROFILE,
        "--strategy", "auto", "--output-dir", RUN_DIR, "--export-dir", EXPORT_DIR, *EXTRA_ARGS)
with open(RECORD) as f:
    record = json.load(f)
"""

RESULTS = """\
from IPython.display import Image, display

{metrics}


def rounded(value):
    \"\"\"Floats to 4 significant digits, inside lists and dicts too.\"\"\"
    if isinstance(value, float):
        return float(f"{{value:.4g}}")
    if isinstance(value, list):
        return [rounded(item) for item in value]
    if isinstance(value, dict):
        return {{key: rounded(item) for key, item in value.items()}}
    return value


print(f"{{record['experiment']}}, profile {{record['profile']}}: {{record['status']}}")
print("data:", record["data"]["source"])
for name in KEY_METRICS:
    print(f"{{name}}:", rounded(record["metrics"].get(name, "not measured on this data")))
for name, path in record["artifacts"].items():
    if path.endswith(".png"):
        print(name)
        display(Image(filename=path))
"""

EXPORT_TEXT = """\
## Check and query the exports

The checker loads each SavedModel in a fresh process that never imports `dlx_tf`, as TF
Serving will, lists its ops and signatures, replays the recorded warmup requests, and prints
a ready `curl` request. Then one request goes to each kind of export, loaded with
`tf.saved_model.load(...).signatures["serving_default"]`.

{serving}
"""

CHECK = """\
for export in record["exports"]:
    run(sys.executable, "-m", "dlx_tf.export.check", export["path"])
"""

QUERY_HELPERS = """\
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

EXPORTS = {export["model_name"]: export["path"] for export in record["exports"]}
LOADED = {}  # a signature fails once its loaded SavedModel is freed: keep them


def serving_default(model_name):
    LOADED[model_name] = tf.saved_model.load(EXPORTS[model_name])
    return LOADED[model_name].signatures["serving_default"]


def recorded_inputs(model_name):
    \"\"\"The test inputs the run exported with the model as its warmup request.\"\"\"
    with open(os.path.join(EXPORTS[model_name], "assets.extra", "manifest.json")) as f:
        return json.load(f)["warmup"]["inputs"]


def show_images(rows, titles):
    \"\"\"A grid of uint8 images, a row per item of `rows`, titled left to right.\"\"\"
    columns = len(rows[0])
    _, axes = plt.subplots(len(rows), columns, squeeze=False,
                                figsize=(1.8 * columns, 2 * len(rows)))
    for axis, image, title in zip(axes.flat, [image for row in rows for image in row], titles):
        axis.imshow(np.squeeze(image), cmap="gray")
        axis.set_title(title, fontsize=9)
        axis.axis("off")
    plt.show()
"""

SERVING_TEXT = """\
## Serve with TensorFlow Serving

`saved_models/` (on Drive: `My Drive/dlx_tf/saved_models`) holds every export as
`<model>/<version>/` and a `models.config` listing them. Download it, and on a machine with
Docker:

```bash
docker run --rm -p 8501:8501 -v "$PWD/saved_models:/models" tensorflow/serving:2.20.0 \\
    --model_config_file=/models/models.config
```

TF Serving 2.20 or newer: the BERT exports hold TF Text ops that older servers lack. The
checker's output above ends with a ready `curl` request for each model.
"""


# === Notebook ===

def colab_url(name):
    return f"https://colab.research.google.com/github/{GITHUB_REPO}/blob/{BRANCH}/notebooks/{name}.ipynb"


def _markdown(cell_id, text):
    return nbformat.v4.new_markdown_cell(text.strip(), id=cell_id)


def _code(cell_id, source, tags=()):
    metadata = {"tags": list(tags)} if tags else {}
    return nbformat.v4.new_code_cell(source.strip(), id=cell_id, metadata=metadata)


def build(experiment):
    """The notebook of one `Experiment`, without outputs."""
    e = experiment
    cells = [
        _markdown("intro", INTRO.format(title=e.title, colab_url=colab_url(e.name),
                                        about=e.about, name=e.name)),
        _code("parameters", PARAMETERS.format(example=e.extra_args_example), ["parameters"]),
        _code("helpers", HELPERS.format(name=e.name)),
        _markdown("setup-text", SETUP_TEXT),
        _code("colab-setup", COLAB_SETUP, ["colab-only"]),
        _code("folders", FOLDERS),
        _code("tensorboard", TENSORBOARD, ["colab-only"]),
        _markdown("train-text", TRAIN_TEXT.format(name=e.name, data=e.data,
                                                  smoke_time=e.smoke_time, tpu=e.tpu)),
        _code("train", TRAIN),
        _markdown("results-text", "## Results\n\nKey metrics from `run.json`, then its plots."),
        _code("results", RESULTS.format(metrics=_list("KEY_METRICS", e.metrics))),
        _markdown("export-text", EXPORT_TEXT.format(serving=e.serving)),
        _code("check", CHECK),
        _code("query-helpers", QUERY_HELPERS),
        _code("query", textwrap.dedent(e.request)),
        _markdown("serving-text", SERVING_TEXT),
    ]
    metadata = {
        "accelerator": "GPU",
        "colab": {"provenance": [], "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nbformat.v4.new_notebook(cells=cells, metadata=metadata)


def notebook_text(experiment):
    """The `.ipynb` file's text, as Jupyter writes it."""
    return nbformat.writes(build(experiment)) + "\n"


def notebook_path(name):
    return os.path.join(NOTEBOOKS_DIR, f"{name}.ipynb")


def main():
    for experiment in EXPERIMENTS:
        with open(notebook_path(experiment.name), "w", encoding="utf-8") as f:
            f.write(notebook_text(experiment))
        print("wrote", notebook_path(experiment.name))


if __name__ == "__main__":
    main()
