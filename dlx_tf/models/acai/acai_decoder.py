"""The ACAI decoder: `decoder` of the official code (brain-research/acai, lib/layers.py)."""

import keras

from dlx_tf.models.acai.acai_encoder import acai_conv


@keras.saving.register_keras_serializable(package="dlx_tf")
class ACAIDecoder(keras.Model):
    """Convolutional decoder of ACAI, mapping spatial latents back to images.

    Follows `decoder` in the authors' code (brain-research/acai, `lib/layers.py`): for each
    scale from `scales - 1` down to 0, two 3×3 convolutions with `depth · 2**scale` channels
    and leaky ReLU (0.2) followed by 2× nearest-neighbour upsampling; then a 3×3 convolution
    with `depth` channels and leaky ReLU and a linear 3×3 convolution to `colors` channels.
    The output has no squashing: images live in [-1, 1] and the reconstruction loss is a
    plain squared error. Every convolution has a bias and He-modified normal kernels.
    https://arxiv.org/abs/1807.07543

    Args:
        depth: channels of the last scale (`--depth`, 64); scale `s` has `depth · 2**s`.
        scales: number of 2× upsamplings, the encoder's `scales`.
        colors: channels of the output images.

    Example:
    ```python
    decoder = ACAIDecoder(depth=64, scales=3, colors=3)
    images = decoder(keras.ops.zeros((8, 4, 4, 16)))  # (8, 32, 32, 3)
    ```
    """

    def __init__(self, depth=64, scales=3, colors=3, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth
        self.scales = scales
        self.colors = colors
        # === Layers ===
        self.blocks = []
        for scale in reversed(range(scales)):
            self.blocks += [
                acai_conv(depth << scale, 3, "leaky_relu", name=f"scale_{scale}_a"),
                acai_conv(depth << scale, 3, "leaky_relu", name=f"scale_{scale}_b"),
                # upscale2d: tile + batch_to_space, i.e. nearest-neighbour ×2.
                keras.layers.UpSampling2D(2, interpolation="nearest", name=f"upsample_{scale}"),
            ]
        self.hidden = acai_conv(depth, 3, "leaky_relu", name="hidden")
        # float32 under mixed precision: the losses compare these images with the data.
        self.head = acai_conv(colors, 3, name="head", dtype="float32")

    def build(self, input_shape):
        shape = input_shape
        for layer in [*self.blocks, self.hidden]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.head.build(shape)

    def call(self, latents):
        x = latents  # (batch, latent height, latent width, latent)
        for layer in self.blocks:
            x = layer(x)  # at the end (batch, height, width, depth), height = 2**scales · latent h
        x = self.hidden(x)  # (batch, height, width, depth)
        return self.head(x)  # (batch, height, width, colors), unbounded

    def get_config(self):
        config = super().get_config()
        config.update(depth=self.depth, scales=self.scales, colors=self.colors)
        return config
