"""The quality standard on images, in a real feature space: a fresh draw of the data scores
well, and noise, constant images and one image per class score badly on the measures made
to see them."""

import numpy as np
import pytest

from dlx_tf.data.synthetic.cifar import synthetic_cifar, synthetic_cifar_with_attributes
from dlx_tf.evaluation.feature_spaces import attribute_feature_space
from dlx_tf.evaluation.sample_quality import SampleQuality


def _unit(images):
    return images.astype(np.float32) / 127.5 - 1


@pytest.fixture(scope="module")
def quality():
    images, labels, attributes, mask = synthetic_cifar_with_attributes(2000, seed=1)
    space = attribute_feature_space(_unit(images), labels, attributes, mask, seed=0, epochs=8)
    real, real_labels = synthetic_cifar(400, seed=2)
    return SampleQuality(space, _unit(real), real_labels)


def _degenerate(count, seed):
    """Generated stand-ins that learned nothing useful, with the labels they claim."""
    real, labels = synthetic_cifar(count, seed=seed)
    real = _unit(real)
    rng = np.random.default_rng(seed)
    prototypes = np.stack([real[labels == c][0] for c in range(10)])
    return labels, {
        "noise": rng.uniform(-1, 1, real.shape).astype(np.float32),
        "constant": np.broadcast_to(real.mean(axis=(0, 1, 2)), real.shape).copy(),
        "one image per class": prototypes[labels],
    }


def test_a_fresh_draw_of_the_data_is_realistic_and_as_diverse_as_the_data(quality):
    fresh, labels = synthetic_cifar(400, seed=3)
    metrics = quality(_unit(fresh), labels)
    assert abs(metrics["kid"]) < 0.05
    assert metrics["precision"] > 0.6 and metrics["recall"] > 0.6
    assert metrics["diversity"] == pytest.approx(1.0, abs=0.15)


def test_degenerate_samples_score_badly(quality):
    fresh, fresh_labels = synthetic_cifar(400, seed=3)
    good = quality(_unit(fresh), fresh_labels)
    labels, outputs = _degenerate(400, seed=4)
    scores = {name: quality(images, labels) for name, images in outputs.items()}
    for name in ("noise", "constant"):  # off the data: realism sees it
        assert scores[name]["kid"] > 20 * max(abs(good["kid"]), 0.01), name
        assert scores[name]["precision"] < 0.05 and scores[name]["recall"] < 0.05, name
    # Collapse: each image is real, so precision stays high; recall and diversity fall.
    collapsed = scores["one image per class"]
    assert collapsed["diversity"] == pytest.approx(0.0, abs=1e-6)
    assert collapsed["recall"] < 0.2 < good["recall"] - 0.3
    assert scores["constant"]["diversity"] == pytest.approx(0.0, abs=1e-6)
