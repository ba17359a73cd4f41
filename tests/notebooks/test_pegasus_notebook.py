"""notebooks/pegasus.ipynb runs headlessly on a cut-down smoke profile, shows its plots,
checks both exports, and asks the DCGAN for bird/horse mixtures and ACAI for a blend."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, images_shown

pytestmark = pytest.mark.slow
CUT_DOWN = ["epochs=1", "synthetic_counts=640,200", "test_images=200", "feature_images=500",
            "feature_epochs=2", "pegasus_candidates=128"]


def test_pegasus_notebook_trains_checks_and_queries_its_exports(tmp_path):
    outputs, record = execute_notebook("pegasus", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    assert len(record["exports"]) == 2
    assert images_shown(outputs["query"]) == 2  # the mixtures, then the interpolation
