"""Feature diversity of generated samples relative to real ones, per group."""

import numpy as np
import pytest

from dlx_tf.evaluation.diversity import feature_diversity


def _two_classes(count, seed, spread=1.0):
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 2
    return rng.normal(size=(count, 6)) * spread + 5.0 * labels[:, None], labels


def test_a_second_draw_of_the_data_is_as_diverse_as_the_data():
    fake, fake_labels = _two_classes(200, 1)
    real, real_labels = _two_classes(200, 0)
    assert feature_diversity(fake, real, fake_labels, real_labels) == pytest.approx(1.0,
                                                                                     abs=0.08)


def test_one_sample_per_class_repeated_has_no_diversity():
    real, labels = _two_classes(200, 0)
    prototypes = np.stack([real[labels == c].mean(0) for c in (0, 1)])
    assert feature_diversity(prototypes[labels], real, labels, labels) == 0.0


def test_within_class_spread_is_what_counts_not_the_spread_between_classes():
    # Pooled, two tight classes far apart still look varied; per class they are not.
    real, labels = _two_classes(200, 0)
    tight, _ = _two_classes(200, 1, spread=0.1)
    assert feature_diversity(tight, real) > 0.5
    assert feature_diversity(tight, real, labels, labels) == pytest.approx(0.1, abs=0.02)


def test_noise_wider_than_the_data_reads_above_one():
    real, labels = _two_classes(200, 0)
    noise = np.random.default_rng(3).normal(size=(200, 6)) * 4.0
    assert feature_diversity(noise, real, labels, labels) > 3.0


def test_groups_without_real_samples_or_with_one_sample_are_refused():
    real, labels = _two_classes(20, 0)
    with pytest.raises(ValueError, match=r"groups \[2\] have generated samples but no real"):
        feature_diversity(real, real, np.full(20, 2), labels)
    with pytest.raises(ValueError, match="group 0 needs at least 2 samples; got 1"):
        feature_diversity(real[:1], real, labels[:1], labels)
