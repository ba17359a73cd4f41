"""notebooks/bert_noise.ipynb runs headlessly on a cut-down smoke sweep (one noise rate, one
loss, one epoch), shows its charts, checks the export and classifies test documents."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, printed

pytestmark = pytest.mark.slow
CUT_DOWN = ["noise_rates=0.2", "losses=ce", "epochs=1", "synthetic_counts=300,100,100"]


def test_bert_noise_notebook_trains_checks_and_queries_its_export(tmp_path):
    outputs, record = execute_notebook("bert_noise", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    answers = printed(outputs["query"])
    # One answer per recorded test document, each naming a class of the data.
    lines = [line for line in answers.splitlines() if "bert_noise20_synthetic:" in line]
    assert len(lines) == 4
    assert all(any(name in line for name in record["data"]["class_names"]) for line in lines)
