"""Realism and diversity of generated images against one fixed set of real images."""

from dlx_tf.evaluation.diversity import feature_diversity
from dlx_tf.evaluation.realism import realism_metrics


class SampleQuality:
    """Scores generated images against `real_images` in one feature space: KID, precision
    and recall (realism) and feature diversity, the standard every generative run reports.

    The real images' features are computed once; call the object once per evaluation.

    Args:
        space: a `FeatureSpace` (`dlx_tf.evaluation.feature_spaces`): images in [-1, 1]
            to `[n, d]` features, with a `name` and a `description` for the record.
        real_images: float32 `[n, h, w, 3]` in [-1, 1], the data generated images imitate.
        real_groups: optional `[n]` labels (classes, domains); diversity is then measured
            within each group.
        k: the neighbour that sets the manifold radii of precision and recall.

    Example:
    ```python
    quality = SampleQuality(space, test_images, test_labels)
    quality(generated_images, generated_labels)
    # {"kid": ..., "kid_std": ..., "precision": ..., "recall": ..., "diversity": ...}
    ```
    """

    def __init__(self, space, real_images, real_groups=None, k=3):
        self.space = space
        self.real_features = space(real_images)
        self.real_groups = real_groups
        self.k = k

    def __call__(self, fake_images, fake_groups=None):
        fake = self.space(fake_images)
        metrics = realism_metrics(self.real_features, fake, k=self.k)
        groups = None if self.real_groups is None else fake_groups
        metrics["diversity"] = feature_diversity(fake, self.real_features, groups,
                                                 self.real_groups)
        return metrics

    def describe(self):
        """The feature space, for `run.json`'s data or metrics notes."""
        return {"name": self.space.name, "description": self.space.description}
