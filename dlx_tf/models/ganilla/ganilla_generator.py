"""The GANILLA generator: a ResNet-18-like encoder with concatenating skips and an FPN decoder."""

import keras

from dlx_tf.layers import ConvNormActivation, ReflectionPadding2D
from dlx_tf.models.cyclegan.cyclegan_generator import check_image_size
from dlx_tf.models.ganilla.ganilla_block import GANILLABlock

# Each of the four encoder layers: (width in units of `filters`, stride of its first block).
LAYERS = ((1, 1), (2, 2), (2, 2), (4, 2))
BLOCKS_PER_LAYER = 2  # ResNet-18 depth (`define_G(..., depth=18)`)


@keras.saving.register_keras_serializable(package="dlx_tf")
class GANILLAGenerator(keras.Model):
    """GANILLA image-to-image generator for illustration styles, returning tanh images.

    Follows `ResNet` with `BasicBlock_Ganilla` of the authors' code (giddyyupp/ganilla,
    `models/networks.py`, `--netG resnet_fpn`, depth 18, instance norm, no dropout), trained
    as a CycleGAN generator (Hicsonmez et al. 2020, https://arxiv.org/abs/2002.05638):

    - stem: reflection-padded 7×7 convolution, instance norm, ReLU, then reflection pad 1
      and 3×3 max pooling with stride 2 (→ 1/2 size);
    - four layers of two `GANILLABlock`s with `filters · (1, 2, 2, 4)` channels, the
      first block of layers 2–4 with stride 2 (C2..C5 at 1/2, 1/4, 1/8, 1/16 size);
    - an FPN decoder (`PyramidFeatures`): 1×1 lateral convolutions to `2 · filters`,
      top-down sums with nearest-neighbour ×2 upsampling from C5 to C2, one more ×2 to
      full size, a reflection-padded 3×3 convolution to `filters`;
    - a reflection-padded 7×7 convolution to `output_channels` and tanh.

    The official code hard-codes the widths 64/128/128/256/128 and its `ngf` changes only
    the stem; here `filters` scales every width, so `filters=64` is exactly the official
    network (7,228,419 parameters with 3 channels in and out) and small ones are possible.
    Its FPN weights all default to 1.0 (the P2 lateral is multiplied by one of them twice,
    a no-op at 1.0), so they are left out.

    Fully convolutional: any height and width that are multiples of 16, at least 32.

    Args:
        filters: channels of the stem and of the first layer (`ngf`).
        output_channels: channels of the output images.

    Example:
    ```python
    generator = GANILLAGenerator(filters=64)
    fake = generator(keras.ops.zeros((1, 256, 256, 3)))  # (1, 256, 256, 3) in [-1, 1]
    ```
    """

    def __init__(self, filters=64, output_channels=3, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.output_channels = output_channels
        # === Layers ===
        # Biases as in the official code: on the stem, the laterals, the FPN output and the
        # head, not inside the blocks.
        self.stem = ConvNormActivation(filters, 7, padding=3, padding_mode="reflect", name="stem")
        self.stem_pad = ReflectionPadding2D(1, name="stem_pad")
        self.stem_pool = keras.layers.MaxPooling2D(3, strides=2, name="stem_pool")
        self.blocks = [
            GANILLABlock(filters * width, strides=stride if index == 0 else 1,
                         name=f"layer_{layer + 1}_block_{index + 1}")
            for layer, (width, stride) in enumerate(LAYERS)
            for index in range(BLOCKS_PER_LAYER)
        ]
        # One lateral per encoder layer, deepest (C5) first, as the top-down pass uses them.
        self.laterals = [
            ConvNormActivation(2 * filters, 1, normalization=None, activation=None,
                               name=f"lateral_{level}")
            for level in (5, 4, 3, 2)
        ]
        self.upsample = keras.layers.UpSampling2D(2, interpolation="nearest", name="upsample")
        self.fpn_out = ConvNormActivation(filters, 3, padding=1, padding_mode="reflect",
                                          normalization=None, activation=None, name="fpn_out")
        # float32 output under mixed precision: the losses compare images. The official pads
        # by `output_nc` here (and by `input_nc` in the stem): 3 for RGB, what 7×7 needs.
        self.head = ConvNormActivation(
            output_channels, 7, padding=3, padding_mode="reflect", normalization=None,
            activation="tanh", dtype="float32", name="head",
        )

    # Four stride-2 steps (pooling, layers 2–4) must be undone exactly by the FPN's ×2
    # upsamplings, and the blocks' reflection padding needs at least 2 pixels at 1/16 size.
    @property
    def size_multiple(self):
        return 16

    @property
    def min_side(self):
        return 32

    def build(self, input_shape):
        check_image_size(self, input_shape)
        shape = input_shape
        for layer in (self.stem, self.stem_pad, self.stem_pool):
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        features = []
        for index, block in enumerate(self.blocks):
            block.build(shape)
            shape = block.compute_output_shape(shape)
            if index % BLOCKS_PER_LAYER == BLOCKS_PER_LAYER - 1:
                features.append(shape)
        for lateral, feature_shape in zip(self.laterals, reversed(features)):
            lateral.build(feature_shape)
        shape = tuple(input_shape[:3]) + (2 * self.filters,)
        self.fpn_out.build(shape)
        self.head.build(self.fpn_out.compute_output_shape(shape))

    def call(self, images, training=False):
        check_image_size(self, images.shape)
        x = self.stem(images, training=training)  # (batch, height, width, filters)
        x = self.stem_pool(self.stem_pad(x))  # (batch, height / 2, width / 2, filters)
        features = []  # C2..C5: (batch, height / 2**k, width / 2**k, filters · (1, 2, 2, 4))
        for index, block in enumerate(self.blocks):
            x = block(x, training=training)
            if index % BLOCKS_PER_LAYER == BLOCKS_PER_LAYER - 1:
                features.append(x)
        pyramid = self.laterals[0](features[-1])  # (batch, height / 16, width / 16, 2 * filters)
        for lateral, feature in zip(self.laterals[1:], reversed(features[:-1])):
            pyramid = self.upsample(pyramid) + lateral(feature)  # 1/8, then 1/4, then 1/2
        x = self.fpn_out(self.upsample(pyramid))  # (batch, height, width, filters)
        return self.head(x, training=training)  # (batch, height, width, output_channels)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, output_channels=self.output_channels)
        return config
