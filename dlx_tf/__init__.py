"""dlx_tf: paper-faithful Keras 3 implementations of classic deep-learning explorations."""

__version__ = "0.1.0"
