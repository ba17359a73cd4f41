"""Layers shared by two or more model families."""
from dlx_tf.layers.conv_norm_activation import ConvNormActivation
from dlx_tf.layers.reflection_padding_2d import ReflectionPadding2D
from dlx_tf.layers.spectral_normalization import SpectralNormalization

__all__ = ["ConvNormActivation", "ReflectionPadding2D", "SpectralNormalization"]
