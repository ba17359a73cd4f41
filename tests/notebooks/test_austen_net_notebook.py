"""notebooks/austen_net.ipynb runs headlessly on a cut-down smoke profile, shows its plots,
checks the export and continues the run's prompt through the loaded SavedModel."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, printed

pytestmark = pytest.mark.slow
CUT_DOWN = ["epochs=1", "synthetic_train_chars=60000", "warmup_steps=10", "sample_tokens=100"]


def test_austen_net_notebook_trains_checks_and_queries_its_export(tmp_path):
    outputs, record = execute_notebook("austen_net", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    prompt, continuation = printed(outputs["query"]).split(" ⟨prompt ends⟩")
    assert prompt.strip() and len(continuation.strip()) > 100  # 300 new characters asked for
