"""Layers shared by two or more model families."""
from dlx_tf.layers.conv_norm_activation import ConvNormActivation
from dlx_tf.layers.reflection_padding_2d import ReflectionPadding2D

__all__ = ["ConvNormActivation", "ReflectionPadding2D"]
