"""Synthetic label noise for noise-robust training experiments (NumPy only).

Two standard corruptions of a clean label vector:
- `"symmetric"` (uniform) noise: a flipped label is redrawn uniformly over the *other*
  `num_classes - 1` classes, so it never keeps its value (Zhang & Sabuncu 2018,
  https://arxiv.org/abs/1805.07836; Wang et al. 2019, https://arxiv.org/abs/1908.06112).
- `"pair"` flipping: class k becomes (k + 1) mod `num_classes` (Han et al. 2018,
  "Co-teaching", https://arxiv.org/abs/1804.06872).

Exactly `round_half_up(rate * n)` labels are flipped, at positions drawn uniformly
without replacement, so the realised rate is the requested one up to rounding rather than
a binomial draw around it. Python's `round()` rounds halves to even (`round(2.5) == 2`);
the count here rounds halves up (`floor(rate * n + 0.5)`: 2.5 -> 3, 0.5 -> 1).
"""

import numbers

import numpy as np

from dlx_tf.errors import DataError

NOISE_KINDS = ("symmetric", "pair")


def inject_label_noise(labels, rate, num_classes, kind="symmetric", seed=0):
    """Returns a noisy int64 copy of the 1-D integer `labels`; the input is left untouched.

    Args:
        labels: 1-D integer array-like with values in `[0, num_classes)`.
        rate: fraction of labels to flip, in `[0, 1]`; `floor(rate * n + 0.5)` flips.
        num_classes: number of classes, at least 2.
        kind: one of `NOISE_KINDS`.
        seed: seed of `np.random.default_rng`; the same seed gives the same flips.

    Example:
    ```python
    noisy = inject_label_noise(train_labels, rate=0.4, num_classes=10, kind="pair")
    record["label_noise"] = noise_summary(train_labels, noisy, num_classes=10)
    ```
    """
    _check_num_classes(num_classes)
    if (not isinstance(rate, numbers.Real) or isinstance(rate, bool)
            or not 0.0 <= rate <= 1.0):  # the comparison is also False for NaN
        raise DataError(f"rate: expected a number in [0, 1], got {rate!r}")
    if kind not in NOISE_KINDS:
        raise DataError(f"kind: expected one of {', '.join(NOISE_KINDS)}, got {kind!r}")
    noisy = _check_labels(labels, num_classes, "labels").astype(np.int64)  # a copy
    rng = np.random.default_rng(seed)
    count = int(np.floor(rate * noisy.size + 0.5))
    flipped = rng.choice(noisy.size, size=count, replace=False)
    if kind == "symmetric":
        # An offset uniform over 1..C-1 lands uniformly on every class but the original.
        offsets = rng.integers(1, num_classes, size=count)
    else:
        offsets = np.ones(count, np.int64)
    noisy[flipped] = (noisy[flipped] + offsets) % num_classes
    return noisy


def noise_summary(clean, noisy, num_classes):
    """Flip count, realised rate and clean -> noisy transition counts, for run records.

    `transition[i][j]` counts examples with clean label i and noisy label j, as a plain
    list of lists so that it serialises to JSON.
    """
    _check_num_classes(num_classes)
    clean = _check_labels(clean, num_classes, "clean")
    noisy = _check_labels(noisy, num_classes, "noisy")
    if clean.shape != noisy.shape:
        raise DataError(f"noisy: expected the shape of clean {list(clean.shape)}, got "
                        f"{list(noisy.shape)}")
    pairs = clean.astype(np.int64) * num_classes + noisy
    transition = np.bincount(pairs, minlength=num_classes * num_classes)
    flipped = int(np.count_nonzero(clean != noisy))
    return {
        "flipped": flipped,
        "rate": flipped / clean.size if clean.size else 0.0,
        "transition": transition.reshape(num_classes, num_classes).tolist(),
    }


def _check_num_classes(num_classes):
    if (not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool)
            or num_classes < 2):
        raise DataError(f"num_classes: expected an integer >= 2, got {num_classes!r}")


def _check_labels(labels, num_classes, name):
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{name}: expected a 1-D integer array, got {labels.dtype} with "
                        f"shape {list(labels.shape)}")
    outside = labels[(labels < 0) | (labels >= num_classes)]
    if outside.size:
        raise DataError(f"{name}: expected labels in [0, {num_classes}), got "
                        f"{outside.size} outside, e.g. {outside[0]}")
    return labels
