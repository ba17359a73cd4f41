import numpy as np
import pytest

from dlx_tf.errors import DataError
from dlx_tf.projects.bert_noise.label_noise import NOISE_KINDS, inject_label_noise, noise_summary

# Upper 0.1% point of the chi-square distribution with 3 degrees of freedom (5 classes:
# a flipped label has 4 possible values): 16.27.
CHI_SQUARE_DF3_P001 = 16.27


def _labels(n, num_classes=5):
    return np.arange(n) % num_classes


@pytest.mark.parametrize("kind", NOISE_KINDS)
@pytest.mark.parametrize("n, rate, expected", [
    (100, 0.0, 0), (100, 1.0, 100), (100, 0.37, 37), (7, 0.5, 4), (1, 0.3, 0),
    (10, 0.25, 3),  # 2.5 rounds half up to 3 (Python's round() would give 2)
    (10, 0.05, 1),  # 0.5 -> 1, not 0
    (0, 0.5, 0),
])
def test_flips_exactly_the_rounded_count(kind, n, rate, expected):
    clean = _labels(n)
    noisy = inject_label_noise(clean, rate, 5, kind=kind, seed=3)
    assert noisy.dtype == np.int64 and noisy.shape == clean.shape
    assert np.count_nonzero(noisy != clean) == expected  # no flip keeps its label


def test_symmetric_noise_is_uniform_over_the_other_classes():
    clean = _labels(5000)
    summary = noise_summary(clean, inject_label_noise(clean, 1.0, 5, seed=0), 5)
    transition = np.array(summary["transition"])
    assert np.all(np.diag(transition) == 0)
    for row, counts in enumerate(transition):
        observed = np.delete(counts, row)  # 1000 flips over 4 classes: 250 expected each
        chi_square = np.sum((observed - 250.0) ** 2 / 250.0)
        assert chi_square < CHI_SQUARE_DF3_P001, (row, observed)


def test_pair_noise_maps_each_class_to_the_next():
    clean = _labels(60, num_classes=3)
    noisy = inject_label_noise(clean, 0.5, 3, kind="pair", seed=1)
    flipped = noisy != clean
    assert np.count_nonzero(flipped) == 30
    np.testing.assert_array_equal(noisy[flipped], (clean[flipped] + 1) % 3)
    assert noise_summary(clean, noisy, 3)["transition"][2][1] == 0  # 2 only goes to 0


@pytest.mark.parametrize("kind", NOISE_KINDS)
def test_same_seed_same_flips_and_input_untouched(kind):
    clean = _labels(200)
    before = clean.copy()
    first = inject_label_noise(clean, 0.3, 5, kind=kind, seed=7)
    np.testing.assert_array_equal(first, inject_label_noise(clean, 0.3, 5, kind=kind, seed=7))
    assert not np.array_equal(first, inject_label_noise(clean, 0.3, 5, kind=kind, seed=8))
    np.testing.assert_array_equal(clean, before)
    assert inject_label_noise(clean.tolist(), 0.3, 5, kind=kind, seed=7).tolist() == (
        first.tolist())


@pytest.mark.parametrize("kwargs, message", [
    ({"rate": 1.5}, r"rate: expected a number in \[0, 1\], got 1.5"),
    ({"rate": -0.1}, "rate: .*got -0.1"),
    ({"rate": float("nan")}, "rate: .*got nan"),
    ({"rate": "0.2"}, "rate: .*got '0.2'"),
    ({"kind": "asymmetric"}, "kind: expected one of symmetric, pair, got 'asymmetric'"),
    ({"num_classes": 1}, "num_classes: expected an integer >= 2, got 1"),
    ({"num_classes": 2.0}, "num_classes: .*got 2.0"),
    ({"labels": np.zeros((2, 3), int)}, r"labels: expected a 1-D integer array, .*\[2, 3\]"),
    ({"labels": np.array([0.0, 1.0])}, "labels: expected a 1-D integer array, got float64"),
    ({"labels": np.array([0, 5, 7])}, r"labels: expected labels in \[0, 5\), got 2 outside"),
    ({"labels": np.array([-1, 0])}, "labels: .*e.g. -1"),
])
def test_bad_inputs_raise_data_errors(kwargs, message):
    arguments = {"labels": _labels(10), "rate": 0.2, "num_classes": 5} | kwargs
    with pytest.raises(DataError, match=message):
        inject_label_noise(**arguments)


def test_noise_summary_counts():
    clean = np.array([0, 0, 1, 1, 2, 2])
    noisy = np.array([0, 1, 1, 2, 2, 0])
    summary = noise_summary(clean, noisy, 3)
    assert summary == {"flipped": 3, "rate": 0.5,
                       "transition": [[1, 1, 0], [0, 1, 1], [1, 0, 1]]}
    assert noise_summary(np.array([], int), np.array([], int), 3)["rate"] == 0.0
    with pytest.raises(DataError, match=r"noisy: expected the shape of clean \[6\], got \[5\]"):
        noise_summary(clean, noisy[:5], 3)
