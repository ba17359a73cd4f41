"""notebooks/multi_net.ipynb runs headlessly on a cut-down smoke ablation (two modes, two
epochs, few clips), shows its plots, checks both exports and searches test captions through
the retrieval SavedModel."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, printed

pytestmark = pytest.mark.slow
CUT_DOWN = ["fusion_modes=fusion,video_only", "epochs=2", "synthetic_clips=96"]


def test_multi_net_notebook_trains_checks_and_searches_its_retrieval_export(tmp_path):
    outputs, record = execute_notebook("multi_net", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    answers = printed(outputs["query"]).splitlines()
    assert len(answers) == 2  # the two test captions recorded with the export
    assert all(answer.count("video") == 5 for answer in (a.split(" → ")[1] for a in answers))
