"""VGG-19 feature extractor (Simonyan & Zisserman 2014) for neural style transfer."""
from dlx_tf.models.vgg.vgg19_features import (
    FEATURE_NAMES,
    CaffePreprocessing,
    VGG19Features,
)

__all__ = ["FEATURE_NAMES", "CaffePreprocessing", "VGG19Features"]
