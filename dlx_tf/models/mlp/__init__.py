from dlx_tf.models.mlp.mlp_classifier import MLPClassifier

__all__ = ["MLPClassifier"]
