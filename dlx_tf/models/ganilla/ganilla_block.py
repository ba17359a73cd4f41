"""The GANILLA residual block: a basic ResNet block whose skip is concatenated, not added."""

import keras
from keras import ops

from dlx_tf.layers import ConvNormActivation


@keras.saving.register_keras_serializable(package="dlx_tf")
class GANILLABlock(keras.layers.Layer):
    """Two 3×3 convolutions, their input concatenated back on, fused by a third 3×3.

    Follows `BasicBlock_Ganilla` of the authors' code (giddyyupp/ganilla,
    `models/networks.py`, without dropout as its CycleGAN model sets `no_dropout`):
    reflection-padded 3×3 convolutions with instance norm (no affine parameters) and no
    bias, `conv(stride) → IN → ReLU → conv → IN`; the shortcut is the input itself, or a
    1×1 convolution with stride `strides` (here: subsampling, then a 1×1 convolution) and
    instance norm where the stride or channel count changes; `concat(out, shortcut)` (in
    that order) → 3×3 convolution from `2 · filters` to `filters` → IN → ReLU.
    https://arxiv.org/abs/2002.05638

    Output size: `floor((size - 1) / strides) + 1` (the size itself for stride 1, half of
    an even size for stride 2).

    Args:
        filters: output channels (`planes`).
        strides: stride of the first convolution and of the projection shortcut.

    Example:
    ```python
    block = GANILLABlock(128, strides=2)
    block(keras.ops.zeros((2, 32, 24, 64))).shape  # (2, 16, 12, 128)
    ```
    """

    def __init__(self, filters, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.strides = strides
        # === Layers ===
        # bias=False throughout, as in the official block (instance norm follows each conv).
        conv = dict(padding=1, padding_mode="reflect", use_bias=False, dtype=self.dtype_policy)
        self.first = ConvNormActivation(filters, 3, strides=strides, name="conv_1", **conv)
        self.second = ConvNormActivation(filters, 3, activation=None, name="conv_2", **conv)
        self.fuse = ConvNormActivation(filters, 3, name="fuse", **conv)
        self.projection = None  # made in build, once the input's channels are known

    def build(self, input_shape):
        if self.strides != 1 or input_shape[-1] != self.filters:
            # The official strided 1×1 convolution, as subsampling then a 1×1 convolution
            # (the same numbers, the same kernel): oneDNN's filter gradient of a strided 1×1
            # convolution with few input channels writes out of bounds (uxlfoundation/oneDNN
            # #6035), which crashed TF 2.20/2.21 on the CPU with one image per replica.
            self.projection = ConvNormActivation(
                self.filters, 1, activation=None, use_bias=False, dtype=self.dtype_policy,
                name="projection",
            )
            self.projection.build(input_shape)
        self.first.build(input_shape)
        shape = self.first.compute_output_shape(input_shape)
        self.second.build(shape)
        self.fuse.build(shape[:-1] + (2 * self.filters,))

    def compute_output_shape(self, input_shape):
        return self.first.compute_output_shape(input_shape)

    def call(self, x, training=False):
        out = self.first(x, training=training)  # (batch, h / strides, w / strides, filters)
        out = self.second(out, training=training)
        shortcut = x
        if self.projection is not None:
            shortcut = self.projection(x[:, ::self.strides, ::self.strides], training=training)
        out = ops.concatenate([out, shortcut], axis=-1)  # (..., 2 * filters)
        return self.fuse(out, training=training)  # (..., filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, strides=self.strides)
        return config
