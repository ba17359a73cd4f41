"""Improved precision and recall, and the realism metrics beside KID."""

import numpy as np
import pytest

from dlx_tf.evaluation.realism import precision_recall, realism_metrics


def _real(count=300, seed=0):
    return np.random.default_rng(seed).normal(size=(count, 8))


def test_two_draws_of_one_distribution_score_high_on_both():
    precision, recall = precision_recall(_real(seed=0), _real(seed=1))
    assert precision > 0.8 and recall > 0.8


def test_samples_off_the_data_score_zero_precision_and_recall():
    precision, recall = precision_recall(_real(), _real(seed=1) + 10.0)
    assert precision == 0.0 and recall == 0.0


def test_a_collapse_onto_a_few_real_looking_points_keeps_precision_but_loses_recall():
    real = _real()
    few = np.repeat(_real(count=3, seed=2) * 0.3, 100, axis=0)  # three points near the mode
    precision, recall = precision_recall(real, few)
    assert precision == 1.0
    assert recall < 0.1


def test_covering_half_the_data_lowers_recall_but_not_precision():
    real = _real(count=400)
    _, full_recall = precision_recall(real, _real(count=400, seed=1))
    half = _real(count=400, seed=1)
    half = half[half[:, 0] > 0]
    precision, recall = precision_recall(real, half)
    assert precision > 0.8
    assert recall < full_recall - 0.15


def test_hand_counted_balls():
    # k = 1: each real ball reaches its nearest real. Reals 0, 1, 10: radii 1, 1, 9.
    # Fakes 0.5 (in the ball of 0), 30 (outside all): precision 1/2. Fakes' radii: 29.5
    # each, so every real lies in the ball around fake 0.5: recall 1.
    precision, recall = precision_recall([[0.0], [1.0], [10.0]], [[0.5], [30.0]], k=1)
    assert precision == 0.5 and recall == 1.0


def test_realism_metrics_hold_kid_and_both_manifold_scores():
    metrics = realism_metrics(_real(), _real(seed=1), subset_size=100)
    assert set(metrics) == {"kid", "kid_std", "precision", "recall"}
    assert abs(metrics["kid"]) < 0.05


def test_mismatched_or_too_few_features_are_refused():
    with pytest.raises(ValueError, match=r"\(5, 4\) and \(5, 3\)"):
        precision_recall(np.zeros((5, 4)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="more than k=3 samples per set; got 3 and 5"):
        precision_recall(np.zeros((3, 4)), np.zeros((5, 4)))
