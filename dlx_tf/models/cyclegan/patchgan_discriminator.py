"""The CycleGAN discriminator: the official 70×70 PatchGAN with instance norm."""

import keras

from dlx_tf.layers import ConvNormActivation


@keras.saving.register_keras_serializable(package="dlx_tf")
class PatchGANDiscriminator(keras.Model):
    """PatchGAN discriminator, returning one raw (pre-sigmoid) score per image patch.

    Follows `NLayerDiscriminator` of the authors' code (junyanz/pytorch-CycleGAN-and-pix2pix,
    `models/networks.py`, `--norm instance`): 4×4 convolutions with zero padding 1,
    `num_layers` of them with stride 2, then two with stride 1; LeakyReLU 0.2 and
    instance norm on all but the first and last. With `num_layers=3` each output sees a
    70×70 patch, and a 256×256 image gives a 30×30 map (128×128 gives 14×14); with
    `filters=64` it has exactly the reference's 2,764,737 parameters. No sigmoid: CycleGAN
    trains it with a least-squares loss. https://arxiv.org/abs/1703.10593

    Each layer maps a size to `floor((size + 2 - 4) / stride) + 1`.

    Args:
        filters: channels of the first layer (`ndf`); doubled per layer up to `8 * filters`.
        num_layers: number of stride-2 layers (`n_layers`).

    Example:
    ```python
    discriminator = PatchGANDiscriminator(filters=64, num_layers=3)
    scores = discriminator(keras.ops.zeros((1, 256, 256, 3)))  # (1, 30, 30, 1)
    ```
    """

    def __init__(self, filters=64, num_layers=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.num_layers = num_layers
        # === Layers ===
        self.blocks = [
            ConvNormActivation(
                filters, 4, strides=2, padding=1, normalization=None,
                activation="leaky_relu", name="block_0",
            )
        ]
        for n in range(1, num_layers):
            self.blocks.append(
                ConvNormActivation(
                    filters * min(2**n, 8), 4, strides=2, padding=1,
                    activation="leaky_relu", name=f"block_{n}",
                )
            )
        self.blocks.append(
            ConvNormActivation(
                filters * min(2**num_layers, 8), 4, strides=1, padding=1,
                activation="leaky_relu", name=f"block_{num_layers}",
            )
        )
        # float32 output under mixed precision: the losses read it.
        self.scores = ConvNormActivation(
            1, 4, strides=1, padding=1, normalization=None, activation=None,
            dtype="float32", name="scores",
        )

    def build(self, input_shape):
        for block in self.blocks:
            block.build(input_shape)
            input_shape = block.compute_output_shape(input_shape)
        self.scores.build(input_shape)

    def call(self, images, training=False):
        x = images  # (batch, height, width, channels)
        for block in self.blocks:
            x = block(x, training=training)  # (batch, ~height / 2**n, ~width / 2**n, channels)
        return self.scores(x, training=training)  # (batch, patches_high, patches_wide, 1)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, num_layers=self.num_layers)
        return config
