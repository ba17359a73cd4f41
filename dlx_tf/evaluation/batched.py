"""Calling a model over arrays too large for one batch."""

import numpy as np


def batched_call(function, *arrays, batch_size=128):
    """`function` over aligned slices of `arrays`, outputs concatenated as numpy.

    Evaluations call their models this way rather than with `predict`, which under a
    multi-worker strategy would split the images between the workers.
    """
    return np.concatenate([
        np.asarray(function(*(a[start:start + batch_size] for a in arrays)))
        for start in range(0, len(arrays[0]), batch_size)
    ])
