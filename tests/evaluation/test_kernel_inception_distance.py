import numpy as np
import pytest

from dlx_tf.evaluation.kernel_inception_distance import kernel_inception_distance


def test_two_point_sets_by_hand():
    # d = 1, k(a, b) = (a·b + 1)³. x = {0, 1}, y = {1, 2}:
    # k_xx off-diagonal: 2·k(0, 1) = 2 → 2 / 2 = 1
    # k_yy off-diagonal: 2·k(1, 2) = 2·27 = 54 → 27
    # k_xy: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37 → 2·37 / 4 = 18.5
    mean, std = kernel_inception_distance([[0.0], [1.0]], [[1.0], [2.0]], subsets=3)
    assert mean == pytest.approx(1 + 27 - 18.5)
    assert std == pytest.approx(0.0)


def test_same_distribution_is_near_zero_and_a_shift_is_not():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 16))
    same, _ = kernel_inception_distance(real, rng.normal(size=(400, 16)), subset_size=200)
    shifted, _ = kernel_inception_distance(real, rng.normal(0.5, 1.0, size=(400, 16)),
                                           subset_size=200)
    assert abs(same) < 0.02
    assert shifted > 10 * abs(same) and shifted > 0.05


def test_mismatched_features_are_refused():
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(3, 5\)"):
        kernel_inception_distance(np.zeros((3, 4)), np.zeros((3, 5)))
