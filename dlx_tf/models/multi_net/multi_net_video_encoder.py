"""Multi-Net's per-frame image encoder: uint8 clips to one token per frame."""

import keras
from keras import layers, ops

from dlx_tf.errors import DataError, UsageError


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetVideoEncoder(keras.Model):
    """Encodes every frame of a clip on its own into a token (CLIP4Clip's frame encoder,
    Luo et al. 2021, https://arxiv.org/abs/2104.08860 §3.1), here a small conv net.

    Frames are scaled to [0, 1], then each goes through `3×3` stride-2 convolutions with
    batch norm and ReLU (one per entry of `filters`), global average pooling and a linear
    map to `token_dim`. Batch norm matters: without it the tokens of clips that show a
    small shape on a plain background differed ~70× less than the audio tokens did.
    Temporal aggregation happens later, in `MultiNetFusion`.

    Args:
        token_dim: size of each frame token.
        filters: output channels of the convolutions, in order.

    Example:
    ```python
    encoder = MultiNetVideoEncoder(token_dim=32, filters=(8, 16))
    encoder(keras.ops.zeros((2, 4, 24, 32, 3), "uint8")).shape  # (2, 4, 32)
    ```
    """

    def __init__(self, token_dim, filters=(16, 32, 64), **kwargs):
        super().__init__(**kwargs)
        filters = tuple(filters)
        if token_dim < 1 or not filters or min(filters) < 1:
            raise UsageError(f"MultiNetVideoEncoder: token_dim and every filters entry must be "
                             f"positive; got token_dim={token_dim}, filters={list(filters)}")
        self.token_dim = token_dim
        self.filters = filters
        # === Layers ===
        self.convolutions = [
            layers.Conv2D(count, 3, strides=2, padding="same", use_bias=False,
                          name=f"frame_conv_{index}")
            for index, count in enumerate(filters)
        ]
        self.norms = [layers.BatchNormalization(momentum=0.9, name=f"frame_norm_{index}")
                      for index in range(len(filters))]
        self.pooling = layers.GlobalAveragePooling2D(name="frame_pooling")
        self.token_projection = layers.Dense(token_dim, name="token_projection")

    def build(self, input_shape):
        _check_rank(input_shape)
        shape = (None, *input_shape[2:])
        for convolution, norm in zip(self.convolutions, self.norms):
            convolution.build(shape)
            shape = convolution.compute_output_shape(shape)
            norm.build(shape)
        self.token_projection.build((None, self.filters[-1]))

    def call(self, frames, training=False):
        _check_rank(frames.shape)
        batch, count = ops.shape(frames)[0], ops.shape(frames)[1]
        x = ops.cast(frames, self.compute_dtype) / 255.0  # (batch, frames, h, w, 3)
        x = ops.reshape(x, (-1, *ops.shape(frames)[2:]))  # (batch * frames, h, w, 3)
        for convolution, norm in zip(self.convolutions, self.norms):
            x = ops.relu(norm(convolution(x), training=training))  # (batch * frames, h', w', c)
        x = self.token_projection(self.pooling(x))  # (batch * frames, token_dim)
        return ops.reshape(x, (batch, count, self.token_dim))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.token_dim)

    def get_config(self):
        config = super().get_config()
        config.update(token_dim=self.token_dim, filters=list(self.filters))
        return config


def _check_rank(shape):
    if len(shape) != 5 or shape[-1] != 3:
        raise DataError(f"MultiNetVideoEncoder: frames must be uint8 [batch, frames, height, "
                        f"width, 3]; got shape {tuple(shape)}")
