"""The CycleGAN generator: the official ResnetGenerator with instance norm."""

import keras

from dlx_tf.layers import ConvNormActivation


@keras.saving.register_keras_serializable(package="dlx_tf")
class CycleGANGenerator(keras.Model):
    """ResNet image-to-image generator of CycleGAN, returning tanh images.

    Follows `ResnetGenerator` of the authors' code (junyanz/pytorch-CycleGAN-and-pix2pix,
    `models/networks.py`, `--norm instance`, no dropout): a 7×7 stem, two stride-2
    downsampling convolutions, `num_residual_blocks` residual blocks, two stride-2
    transposed convolutions and a 7×7 tanh head. Reflection padding where the reference
    has it; PyTorch padding arithmetic everywhere, so with `filters=64` it has exactly
    the reference's parameters (11,378,179 with 9 blocks, 7,837,699 with 6).
    https://arxiv.org/abs/1703.10593

    Fully convolutional: any height and width that are multiples of 4, at least 8.

    Args:
        filters: channels of the stem (`ngf`); the residual blocks have `4 * filters`.
        num_residual_blocks: 9 for 256×256 images, 6 for 128×128 in the paper.
        output_channels: channels of the output images.

    Example:
    ```python
    generator = CycleGANGenerator(filters=64, num_residual_blocks=9)
    fake = generator(keras.ops.zeros((1, 256, 256, 3)))  # (1, 256, 256, 3) in [-1, 1]
    ```
    """

    def __init__(self, filters=64, num_residual_blocks=9, output_channels=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.num_residual_blocks = num_residual_blocks
        self.output_channels = output_channels
        # === Layers ===
        self.stem = ConvNormActivation(filters, 7, padding=3, padding_mode="reflect", name="stem")
        self.downsampling = [
            ConvNormActivation(filters * 2**i, 3, strides=2, padding=1, name=f"down_{i}")
            for i in (1, 2)
        ]
        # Residual block i is x + second[i](first[i](x)), reflection-padded (ResnetBlock).
        self.residual_first = [
            ConvNormActivation(filters * 4, 3, padding=1, padding_mode="reflect",
                               name=f"residual_{i}_a")
            for i in range(num_residual_blocks)
        ]
        self.residual_second = [
            ConvNormActivation(filters * 4, 3, padding=1, padding_mode="reflect",
                               activation=None, name=f"residual_{i}_b")
            for i in range(num_residual_blocks)
        ]
        self.upsampling = [
            ConvNormActivation(
                filters * 2**i, 3, strides=2, padding=1, output_padding=1, transposed=True,
                name=f"up_{i}",
            )
            for i in (1, 0)
        ]
        # float32 output under mixed precision: the losses compare images.
        self.head = ConvNormActivation(
            output_channels, 7, padding=3, padding_mode="reflect", normalization=None,
            activation="tanh", dtype="float32", name="head",
        )

    # Two stride-2 downsamplings must be undone exactly by the two upsamplings, and the
    # residual blocks' reflection padding needs at least 2 pixels at 1/4 resolution.
    @property
    def size_multiple(self):
        return 4

    @property
    def min_side(self):
        return 8

    def build(self, input_shape):
        check_image_size(self, input_shape)
        shape = input_shape
        for layer in [self.stem, *self.downsampling, *self.residual_first,
                      *self.residual_second, *self.upsampling]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.head.build(shape)

    def call(self, images, training=False):
        check_image_size(self, images.shape)
        x = self.stem(images, training=training)  # (batch, height, width, filters)
        for down in self.downsampling:
            x = down(x, training=training)  # (batch, height / 4, width / 4, 4 * filters) at end
        for first, second in zip(self.residual_first, self.residual_second):
            x = x + second(first(x, training=training), training=training)
        for up in self.upsampling:
            x = up(x, training=training)  # (batch, height, width, filters) at end
        return self.head(x, training=training)  # (batch, height, width, output_channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            num_residual_blocks=self.num_residual_blocks,
            output_channels=self.output_channels,
        )
        return config


def check_image_size(generator, shape):
    """Raises a ValueError naming the axis unless the height and width of `shape`
    (channels last; None passes) fit `generator`: multiples of its `size_multiple`, at
    least its `min_side`."""
    multiple, min_side = generator.size_multiple, generator.min_side
    for axis, size in (("height", shape[1]), ("width", shape[2])):
        if size is not None and (size % multiple or size < min_side):
            raise ValueError(
                f"{type(generator).__name__} needs image height and width that are multiples "
                f"of {multiple} and at least {min_side}; got {axis} {size} (input shape "
                f"{tuple(shape)})"
            )
