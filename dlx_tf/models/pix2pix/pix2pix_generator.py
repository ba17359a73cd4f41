"""The pix2pix generator: the official U-Net with skip connections, batch norm and dropout."""

import keras
from keras import ops

from dlx_tf.layers import ConvNormActivation
from dlx_tf.models.cyclegan.cyclegan_generator import check_image_size
from dlx_tf.models.pix2pix.input_seeded_dropout import InputSeededDropout, image_seeds
from dlx_tf.models.pix2pix.per_image_batch_normalization import PerImageBatchNormalization

NORMALIZATIONS = ("batch", "instance")
FIRST_DROPOUT_LEVEL = 4  # unet_256: the 3 levels between the 8·filters one and the innermost


@keras.saving.register_keras_serializable(package="dlx_tf")
class Pix2PixGenerator(keras.Model):
    """U-Net image-to-image generator of pix2pix, returning tanh images.

    Follows `UnetGenerator` / `UnetSkipConnectionBlock` of the authors' code
    (junyanz/pytorch-CycleGAN-and-pix2pix, `models/networks.py`, `--netG unet_256`).
    Level `i` (0 outermost) halves the size with a 4×4 stride-2 convolution to
    `filters * min(2**i, 8)` channels; its decoder doubles it back with a 4×4 stride-2
    transposed convolution and concatenates the level's input as the skip connection.
    LeakyReLU 0.2 comes before every down convolution but the first, ReLU before every up
    convolution; normalization after every convolution but the first, the innermost down
    and the outermost up (which ends in tanh). Dropout follows the up path of levels 4 to
    `num_downsamplings - 2` (3 levels for `unet_256`) and stays on at inference, with masks
    drawn from each input image (`InputSeededDropout`). With batch norm the convolutions
    have no bias except the outermost up one, so `filters=64, num_downsamplings=8` has
    exactly the reference's 54,413,955 trainable parameters. Batch norm uses each image's
    own statistics at inference (`PerImageBatchNormalization`) and the statistics of the
    global batch in training, synchronized across replicas.
    https://arxiv.org/abs/1611.07004

    Fewer than 5 downsamplings (below the reference's range) keep the same rules: the
    innermost level widens like the others and no level has dropout.

    Args:
        filters: channels of the outermost level (`ngf`), doubled per level up to 8×.
        num_downsamplings: `num_downs`; 8 takes 256×256 images to 1×1 (`unet_256`), 7 is
            `unet_128`. Height and width must be multiples of `2**num_downsamplings`.
        normalization: `"batch"` (pix2pix) or `"instance"` (no learnable parameters, a
            bias on every convolution; with `dropout=0` the U-Net of CycleGAN's comparisons).
        dropout: rate of the decoder dropout (0.5); 0 turns it off.
        output_channels: channels of the output images.

    Example:
    ```python
    generator = Pix2PixGenerator(filters=64, num_downsamplings=8)
    fake = generator(keras.ops.zeros((1, 256, 256, 3)))  # (1, 256, 256, 3) in [-1, 1]
    ```
    """

    def __init__(self, filters=64, num_downsamplings=8, normalization="batch", dropout=0.5,
                 output_channels=3, **kwargs):
        super().__init__(**kwargs)
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"Pix2PixGenerator normalization must be one of {NORMALIZATIONS}; "
                             f"got {normalization!r}")
        if num_downsamplings < 2:
            raise ValueError(f"Pix2PixGenerator needs num_downsamplings >= 2; got "
                             f"{num_downsamplings}")
        self.filters = filters
        self.num_downsamplings = num_downsamplings
        self.normalization = normalization
        self.dropout = dropout
        self.output_channels = output_channels
        levels = range(num_downsamplings)
        innermost = num_downsamplings - 1
        channels = [filters * min(2**i, 8) for i in levels]
        # Batch norm's shift makes a bias before it redundant (the reference drops it).
        use_bias = normalization == "instance"
        # === Layers ===
        self.down = [
            ConvNormActivation(channels[i], 4, strides=2, padding=1, normalization=None,
                               activation=None, use_bias=use_bias, name=f"down_{i}")
            for i in levels
        ]
        # Index i - 1 for level i: levels 1 … innermost - 1 normalize their down path,
        # levels 1 … innermost their up path, and some of them drop out.
        self.down_norms = [self._norm(f"down_norm_{i}") for i in range(1, innermost)]
        self.up = [
            ConvNormActivation(output_channels, 4, strides=2, padding=1, transposed=True,
                               normalization=None, activation="tanh", dtype="float32",
                               name="up_0")
        ] + [
            ConvNormActivation(channels[i - 1], 4, strides=2, padding=1, transposed=True,
                               normalization=None, activation=None, use_bias=use_bias,
                               name=f"up_{i}")
            for i in range(1, num_downsamplings)
        ]
        self.up_norms = [self._norm(f"up_norm_{i}") for i in range(1, num_downsamplings)]
        self.dropouts = [
            InputSeededDropout(dropout if FIRST_DROPOUT_LEVEL <= i < innermost else 0.0,
                               seed=i, name=f"dropout_{i}")
            for i in range(1, num_downsamplings)
        ]

    def _norm(self, name):
        if self.normalization == "batch":
            return PerImageBatchNormalization(synchronized=True, name=name)
        # InstanceNorm2d defaults: no affine parameters, epsilon 1e-5.
        return keras.layers.GroupNormalization(groups=-1, center=False, scale=False,
                                               epsilon=1e-5, name=name)

    # Every level halves the size, down to a 1×1 bottleneck at the smallest image.
    @property
    def size_multiple(self):
        return 2**self.num_downsamplings

    @property
    def min_side(self):
        return 2**self.num_downsamplings

    def build(self, input_shape):
        check_image_size(self, input_shape)
        level_inputs = []
        shape = input_shape
        for i, down in enumerate(self.down):
            level_inputs.append(shape)
            down.build(shape)
            shape = down.compute_output_shape(shape)
            if 0 < i < self.num_downsamplings - 1:
                self.down_norms[i - 1].build(shape)
        for i in reversed(range(self.num_downsamplings)):
            self.up[i].build(shape)
            shape = self.up[i].compute_output_shape(shape)
            if i > 0:
                self.up_norms[i - 1].build(shape)
                shape = (*shape[:-1], level_inputs[i][-1] + shape[-1])

    def call(self, images, training=False):
        check_image_size(self, images.shape)
        seeds = image_seeds(images) if self.dropout else None  # (batch, 2)
        level_inputs = []
        x = images  # (batch, height, width, channels)
        for i, down in enumerate(self.down):
            level_inputs.append(x)
            x = down(x if i == 0 else ops.leaky_relu(x, negative_slope=0.2))
            if 0 < i < self.num_downsamplings - 1:
                x = self.down_norms[i - 1](x, training=training)
            # x: (batch, height / 2**(i + 1), width / 2**(i + 1), filters * min(2**i, 8))
        for i in reversed(range(1, self.num_downsamplings)):
            x = self.up[i](ops.relu(x))  # (batch, height / 2**i, width / 2**i, level i's input)
            x = self.up_norms[i - 1](x, training=training)
            x = self.dropouts[i - 1](x, seeds, training=training)
            x = ops.concatenate([level_inputs[i], x], axis=-1)  # skip connection first
        return self.up[0](ops.relu(x))  # (batch, height, width, output_channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            num_downsamplings=self.num_downsamplings,
            normalization=self.normalization,
            dropout=self.dropout,
            output_channels=self.output_channels,
        )
        return config
