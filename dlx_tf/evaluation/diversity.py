"""How varied generated samples are, relative to the data they imitate."""

import numpy as np

from dlx_tf.evaluation.distances import pairwise_distances


def feature_diversity(fake_features, real_features, fake_groups=None, real_groups=None):
    """Mean pairwise feature distance among generated samples over the same among real
    samples, within each group (a class, a target domain), averaged over the groups.

    1.0 means as varied as the data; near 0 a collapse onto a few images (one image per
    class gives exactly 0); well above 1 more spread than the data, as noise has. It does
    not say whether the samples are realistic: read it beside `realism_metrics`.

    Args:
        fake_features, real_features: `[m, d]` and `[n, d]` arrays.
        fake_groups, real_groups: group labels `[m]` and `[n]`; None puts every sample in
            one group. Every group needs two or more samples on each side.

    Example:
    ```python
    diversity = feature_diversity(space(samples), space(test_images), sample_labels,
                                  test_labels)  # 1.0: as varied as the test images
    ```
    """
    fake = np.asarray(fake_features, np.float64)
    real = np.asarray(real_features, np.float64)
    fake_groups = np.zeros(len(fake), int) if fake_groups is None else np.asarray(fake_groups)
    real_groups = np.zeros(len(real), int) if real_groups is None else np.asarray(real_groups)
    groups = np.unique(fake_groups)
    missing = sorted(set(groups.tolist()) - set(real_groups.tolist()))
    if missing:
        raise ValueError(f"groups {missing} have generated samples but no real ones")
    ratios = [_mean_pairwise_distance(fake[fake_groups == g], g)
              / max(_mean_pairwise_distance(real[real_groups == g], g), 1e-12)
              for g in groups]
    return float(np.mean(ratios))


def _mean_pairwise_distance(points, group):
    if len(points) < 2:
        raise ValueError(f"group {group} needs at least 2 samples; got {len(points)}")
    distances = pairwise_distances(points, points)
    n = len(points)
    return distances.sum() / (n * (n - 1))
