"""The CycleGAN and pix2pix discriminator: the official 70×70 PatchGAN."""

import keras

from dlx_tf.layers import ConvNormActivation

NORMALIZATIONS = ("instance", "batch")


@keras.saving.register_keras_serializable(package="dlx_tf")
class PatchGANDiscriminator(keras.Model):
    """PatchGAN discriminator, returning one raw (pre-sigmoid) score per image patch.

    Follows `NLayerDiscriminator` of the authors' code (junyanz/pytorch-CycleGAN-and-pix2pix,
    `models/networks.py`, `--netD basic`): 4×4 convolutions with zero padding 1,
    `num_layers` of them with stride 2, then two with stride 1; LeakyReLU 0.2 and
    normalization on all but the first and last. With `num_layers=3` each output sees a
    70×70 patch, and a 256×256 image gives a 30×30 map (128×128 gives 14×14). Instance
    norm is CycleGAN's (`--norm instance`; with `filters=64` exactly the reference's
    2,764,737 parameters); batch norm is pix2pix's (`--norm batch`: the normalized
    convolutions lose their bias; 2,768,705 trainable parameters for 6 input channels,
    an input and an output side by side). No sigmoid: the losses take raw scores.
    https://arxiv.org/abs/1703.10593, https://arxiv.org/abs/1611.07004

    Each layer maps a size to `floor((size + 2 - 4) / stride) + 1`.

    Args:
        filters: channels of the first layer (`ndf`); doubled per layer up to `8 * filters`.
        num_layers: number of stride-2 layers (`n_layers`).
        normalization: `"instance"` (CycleGAN) or `"batch"` (pix2pix; Keras batch norm,
            moving averages at inference).

    Example:
    ```python
    discriminator = PatchGANDiscriminator(filters=64, num_layers=3)
    scores = discriminator(keras.ops.zeros((1, 256, 256, 3)))  # (1, 30, 30, 1)
    ```
    """

    def __init__(self, filters=64, num_layers=3, normalization="instance", **kwargs):
        super().__init__(**kwargs)
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"PatchGANDiscriminator normalization must be one of "
                             f"{NORMALIZATIONS}; got {normalization!r}")
        self.filters = filters
        self.num_layers = num_layers
        self.normalization = normalization
        # Batch norm's shift makes a bias before it redundant (the reference drops it).
        normalized = {"normalization": normalization, "use_bias": normalization != "batch"}
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
                    activation="leaky_relu", name=f"block_{n}", **normalized,
                )
            )
        self.blocks.append(
            ConvNormActivation(
                filters * min(2**num_layers, 8), 4, strides=1, padding=1,
                activation="leaky_relu", name=f"block_{num_layers}", **normalized,
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
        config.update(filters=self.filters, num_layers=self.num_layers,
                      normalization=self.normalization)
        return config
