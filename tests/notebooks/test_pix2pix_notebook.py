"""notebooks/pix2pix.ipynb runs headlessly on a cut-down smoke profile, shows its plots,
checks its export and sends test label maps through the loaded SavedModel."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, images_shown

pytestmark = pytest.mark.slow
CUT_DOWN = ["epochs=1", "decay_epochs=0", "synthetic_counts=64,16", "test_images=16",
            "feature_images=200", "feature_epochs=2", "judge_images=64", "judge_epochs=1"]


def test_pix2pix_notebook_trains_checks_and_queries_its_export(tmp_path):
    outputs, record = execute_notebook("pix2pix", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    assert [e["model_name"] for e in record["exports"]] == ["pix2pix_synthetic_scenes"]
    assert images_shown(outputs["query"]) == 1  # test label maps and their translations
