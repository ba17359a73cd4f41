"""Realism of generated samples against real ones in a feature space: KID, and precision and
recall of the two sample sets' manifolds (Kynkäänniemi et al. 2019,
https://arxiv.org/abs/1904.06991)."""

import numpy as np

from dlx_tf.evaluation.distances import pairwise_distances
from dlx_tf.evaluation.kernel_inception_distance import kernel_inception_distance


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019, §2).

    Each set's manifold is the union of balls around its samples, each ball reaching the
    sample's k-th nearest neighbour in the same set. Precision is the share of generated
    samples inside the real manifold (are they realistic?), recall the share of real
    samples inside the generated one (is the data's variety covered?). Copies of one image
    give balls of radius 0, so a collapsed generator has recall near 0 however realistic
    its few images are.

    Args:
        real_features, fake_features: `[n, d]` and `[m, d]` arrays of the same `d`.
        k: the neighbour that sets each radius (3 in the paper).

    Returns:
        `(precision, recall)`, each in [0, 1].

    Example:
    ```python
    precision, recall = precision_recall(space(real_images), space(generated_images))
    ```
    """
    real, fake = _check(real_features, fake_features, k)
    real_radii = _kth_neighbour_distance(real, k)
    fake_radii = _kth_neighbour_distance(fake, k)
    real_to_fake = pairwise_distances(real, fake)  # [n, m]
    precision = np.mean((real_to_fake <= real_radii[:, None]).any(axis=0))
    recall = np.mean((real_to_fake <= fake_radii[None, :]).any(axis=1))
    return float(precision), float(recall)


def realism_metrics(real_features, fake_features, k=3, subset_size=1000, seed=0):
    """`{"kid", "kid_std", "precision", "recall"}` of generated against real features.

    KID averages subsets of `subset_size` (the paper's 1000), or of half the smaller set
    when that is smaller, so that `kid_std` still says how much the estimate varies."""
    size = min(subset_size, max(2, min(len(real_features), len(fake_features)) // 2))
    kid, kid_std = kernel_inception_distance(real_features, fake_features, subset_size=size,
                                             seed=seed)
    precision, recall = precision_recall(real_features, fake_features, k)
    return {"kid": kid, "kid_std": kid_std, "precision": precision, "recall": recall}


def _check(real_features, fake_features, k):
    real = np.asarray(real_features, np.float64)
    fake = np.asarray(fake_features, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"features must be [n, d] arrays of the same d; got {real.shape} "
                         f"and {fake.shape}")
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"need more than k={k} samples per set; got {len(real)} and "
                         f"{len(fake)}")
    return real, fake


def _kth_neighbour_distance(points, k):
    distances = pairwise_distances(points, points)
    # Sorted row i starts with the point itself at distance 0: its k-th neighbour is at k.
    return np.sort(distances, axis=1)[:, k]
