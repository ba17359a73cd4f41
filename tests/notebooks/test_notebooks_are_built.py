"""The committed notebooks are what `python -m notebooks.build_notebooks` writes, one per
experiment, each with its Colab badge, a papermill-style parameters cell and setup cells
that do nothing outside Colab but say so; the TPU install covers setup.cfg's requirements."""

import configparser
import contextlib
import io
import os
import re

import nbformat
import pytest
from harness import ROOT
from IPython.core.inputtransformer2 import TransformerManager
from packaging.requirements import Requirement
from packaging.version import Version

from notebooks import build_notebooks
from notebooks.experiment_table import EXPERIMENTS

NAMES = [experiment.name for experiment in EXPERIMENTS]


def _read(name):
    return nbformat.read(build_notebooks.notebook_path(name), as_version=4)


def _cells(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def test_there_is_a_notebook_for_every_experiment():
    scripts = {name[:-3] for name in os.listdir(os.path.join(ROOT, "experiments"))
               if name.endswith(".py")}
    assert set(NAMES) == scripts


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=NAMES)
def test_the_notebook_file_is_what_the_builder_writes(experiment):
    with open(build_notebooks.notebook_path(experiment.name), encoding="utf-8") as f:
        committed = f.read()
    assert committed == build_notebooks.notebook_text(experiment), (
        f"notebooks/{experiment.name}.ipynb is stale: run python -m notebooks.build_notebooks")


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_opens_in_colab_from_its_badge(name):
    url = f"https://colab.research.google.com/github/dlx-tf/dlx_tf/blob/main/notebooks/{name}.ipynb"
    badge = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"
    assert badge in _read(name).cells[0].source


@pytest.mark.parametrize("name", NAMES)
def test_the_parameters_cell_defaults_to_the_paper_profile(name):
    (cell,) = _cells(_read(name), "parameters")
    parameters = {}
    exec(cell.source, parameters)
    assert (parameters["PROFILE"], parameters["RUN_ROOT"], parameters["RETRAIN"],
            parameters["EXTRA_ARGS"]) == ("paper", None, False, [])


@pytest.mark.parametrize("name", NAMES)
def test_colab_only_cells_only_print_outside_colab(name):
    cells = _cells(_read(name), "colab-only")
    assert len(cells) == 2  # Drive, clone and install; TensorBoard
    commands = []
    for cell in cells:
        namespace = {
            "IN_COLAB": False, "RUN_DIR": "/runs/x", "run": commands.append,
            "get_ipython": lambda: pytest.fail("a magic ran outside Colab"),
        }
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(TransformerManager().transform_cell(cell.source), namespace)
        assert printed.getvalue().startswith("Not in Colab")
    assert commands == []


def test_the_tpu_install_covers_setup_cfg_at_tensorflow_2_20():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    required = {Requirement(line).name: Requirement(line).specifier
                for line in config["options"]["install_requires"].split("\n") if line.strip()}
    pins = {Requirement(line).name: line for line in
            (*build_notebooks.TPU_WITHOUT_DEPS, *build_notebooks.TPU_WITH_DEPS)}
    assert set(required) - set(pins) == {"tensorflow"}  # tensorflow-tpu stands in for it
    assert Version("2.20.0") in required["tensorflow"]
    for name, pin in pins.items():
        lowest = re.search(r"\d+(\.\d+)*", pin)
        if name in required and lowest:
            assert Version(lowest.group()) in required[name], (pin, str(required[name]))
