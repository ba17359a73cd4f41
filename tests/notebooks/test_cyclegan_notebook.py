"""notebooks/cyclegan.ipynb runs headlessly on a cut-down smoke profile, shows its plots,
checks both exports and sends test images there and back through the loaded SavedModels."""

import pytest
from notebook_runner import check_notebook_run, execute_notebook, images_shown

pytestmark = pytest.mark.slow
CUT_DOWN = ["epochs=1", "decay_epochs=0", "synthetic_counts=64,64,16,16", "test_images=16",
            "feature_images=200", "feature_epochs=2", "classifier_images=64",
            "classifier_epochs=1"]


def test_cyclegan_notebook_trains_checks_and_queries_its_exports(tmp_path):
    outputs, record = execute_notebook("cyclegan", tmp_path, CUT_DOWN)
    check_notebook_run(outputs, record, tmp_path)
    assert len(record["exports"]) == 2
    assert images_shown(outputs["query"]) == 1  # test images, translated, translated back
