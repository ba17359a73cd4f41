"""The CycleGAN smoke profile through the real command line: it learns, records, exports."""

import os

import numpy as np
import pytest
import tensorflow as tf
from harness import run_experiment_script

from dlx_tf.export import check_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("cyclegan")
    return base, run_experiment_script("cyclegan", base, "epochs=2", "decay_epochs=1")


def test_smoke_run_learns_to_translate(smoke):
    _, record = smoke
    metrics = record["metrics"]
    assert record["status"] == "completed" and record["data"]["synthetic"] is True
    assert metrics["domain_classifier_test_accuracy"] > 0.95  # the judge itself works
    # Untrained generators give near-constant images: at most the one-sided 0.5.
    assert metrics["test_translation_score_at_init"] <= 0.5
    assert metrics["test_translation_score"] > 0.9
    assert metrics["test_cycle_l1"] < 0.6 * metrics["test_cycle_l1_at_init"]
    assert record["history"][-1]["cycle_a"] < record["history"][0]["cycle_a"]
    assert set(record["models"]) == {"generator_a2b", "generator_b2a", "discriminator_a",
                                     "discriminator_b", "domain_classifier"}
    assert record["data"]["skipped_files"] == []
    for name in ("history", "translations"):
        assert os.path.exists(record["artifacts"][name])


def test_both_generators_export_and_translate_uint8_images_of_other_sizes(smoke):
    base, record = smoke
    names = sorted(e["model_name"] for e in record["exports"])
    assert names == ["cyclegan_synthetic_seasons_a2b", "cyclegan_synthetic_seasons_b2a"]
    result = check_export(str(base / "saved_models" / names[0]))
    assert result.returncode == 0, result.stdout
    serve = tf.saved_model.load(str(base / "saved_models" / names[1] / "1"))
    images = np.random.default_rng(0).integers(0, 256, (2, 24, 40, 3), dtype=np.uint8)
    translated = serve.signatures["serving_default"](images=tf.constant(images))["images"]
    assert translated.shape == (2, 24, 40, 3) and translated.dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 4"):
        serve.signatures["serving_default"](images=tf.zeros((1, 30, 40, 3), tf.uint8))
