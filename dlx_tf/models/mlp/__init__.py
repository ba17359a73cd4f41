"""A fully connected classifier: the intro experiment's model."""
from dlx_tf.models.mlp.mlp_classifier import MLPClassifier

__all__ = ["MLPClassifier"]
