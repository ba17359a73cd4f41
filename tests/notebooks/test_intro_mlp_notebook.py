"""notebooks/intro_mlp.ipynb runs headlessly on the smoke profile (one epoch), shows its
plots, checks its export and classifies test digits through the loaded SavedModel."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, images_shown

pytestmark = pytest.mark.slow


def test_intro_mlp_notebook_trains_checks_and_queries_its_export(tmp_path):
    outputs, record = execute_notebook("intro_mlp", tmp_path, ["epochs=1"])
    check_notebook_run(outputs, record, tmp_path)
    assert images_shown(outputs["query"]) == 1  # the test digits, titled with their answers
