"""Kernel Inception Distance (Bińkowski et al. 2018, https://arxiv.org/abs/1801.01401)."""

import numpy as np


def kernel_inception_distance(real_features, fake_features, subset_size=1000, subsets=10,
                              seed=0):
    """The unbiased squared MMD between two feature sets with the cubic polynomial kernel
    `k(x, y) = (x·y / d + 1)³`, averaged over random subsets (§4 of the paper).

    Unlike FID it is unbiased, so it is meaningful on the few hundred samples a smoke
    run has. The paper computes it on Inception-v3 pool features; callers state which
    features they used. Returns `(mean, std)` over the subsets.
    """
    real = np.asarray(real_features, np.float64)
    fake = np.asarray(fake_features, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be [n, d] arrays of the same d; got {real.shape} "
                         f"and {fake.shape}")
    size = min(subset_size, len(real), len(fake))
    if size < 2:
        raise ValueError(f"need at least 2 samples per set; got {len(real)} and {len(fake)}")
    rng = np.random.default_rng(seed)
    values = [
        _unbiased_mmd2(real[rng.choice(len(real), size, replace=False)],
                       fake[rng.choice(len(fake), size, replace=False)])
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def _unbiased_mmd2(x, y):
    n, dims = x.shape

    def kernel(a, b):
        return (a @ b.T / dims + 1.0) ** 3

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    off_diagonal = n * (n - 1)
    return ((k_xx.sum() - np.trace(k_xx)) / off_diagonal
            + (k_yy.sum() - np.trace(k_yy)) / off_diagonal
            - 2.0 * k_xy.sum() / n**2)
