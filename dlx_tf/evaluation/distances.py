"""Euclidean distances between feature sets, for the metrics that compare samples."""

import numpy as np


def pairwise_distances(a, b):
    """`[n, m]` Euclidean distances between the rows of `a` `[n, d]` and `b` `[m, d]`."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))
