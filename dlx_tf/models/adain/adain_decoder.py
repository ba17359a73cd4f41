"""The AdaIN decoder: VGG-19 up to relu4_1 mirrored, as `train.lua` of AdaIN-style builds it."""

import math

import keras

from dlx_tf.layers import ConvNormActivation

# Three 2×2 max poolings lie between the image and relu4_1.
SIZE_MULTIPLE = 8
# The first convolution reflection-pads the features by one pixel, which needs two.
MIN_FEATURE_SIDE = 2


@keras.saving.register_keras_serializable(package="dlx_tf")
class AdaINDecoder(keras.Model):
    """Decodes VGG-19 relu4_1 features (AdaIN targets) back into [0, 255] RGB images.

    Follows the decoder `train.lua` of the authors' code (xunhuang1995/AdaIN-style) builds
    by mirroring the encoder, identical to `decoder` in naoto0804/pytorch-AdaIN `net.py`:
    every convolution is 3×3 on a 1-pixel reflection padding with a bias and ReLU, every
    max pooling becomes a 2× nearest upsampling, no normalization, and the last
    convolution (to 3 channels) has no activation. Widths for `filters = 512`: 512→256, ×2,
    256→256 three times, 256→128, ×2, 128→128, 128→64, ×2, 64→64, 64→3; 3,505,219
    parameters. Kernels and biases start from U(±1/sqrt(fan_in)), the default of Torch's
    `nn.SpatialConvolution` (and of PyTorch's `Conv2d`) that the authors trained from.
    https://arxiv.org/abs/1703.06868

    Output range: the authors' decoder returns images in the input range of their Torch
    VGG, [0, 1]. Our encoder takes [0, 255] RGB (Keras' VGG-19 ImageNet weights, caffe
    preprocessing inside the encoder), so a fixed ×255 after the last convolution puts the
    output in the encoder's range while the convolutions keep the official scale (and so
    the official init and learning rate). Outputs are not clipped: the losses see the raw
    images, as in the authors' training; clip to [0, 255] for display or serving.

    Sizes: `features` of height `h` and width `w` give `8h × 8w` images. The encoder floors
    at each pooling, so an image of height `H` comes back with height `8 · floor(H / 8)`
    (37×51 → 32×48); `pad_to_multiple` before encoding and `crop_to_size` after decoding
    return the input size. Features need height and width of at least 2 (images ≥ 16).

    Args:
        filters: channels of the relu4_1 features decoded (512 for VGG-19); the three
            stages have `filters / 2`, `/ 4` and `/ 8` channels, so it must be a multiple
            of 8. Smaller values make tiny decoders for tests.

    Example:
    ```python
    decoder = AdaINDecoder(filters=512)
    images = decoder(keras.ops.zeros((1, 32, 32, 512)))  # (1, 256, 256, 3), about [0, 255]
    ```
    """

    def __init__(self, filters=512, **kwargs):
        super().__init__(**kwargs)
        if not (isinstance(filters, int) and filters > 0 and filters % 8 == 0):
            raise ValueError(
                f"AdaINDecoder: filters must be a positive multiple of 8; got {filters}")
        self.filters = filters
        # === Layers ===
        # Per convolution from relu4_1 back to pixels: (output channels, 2× upsampling after).
        widths = [(filters // 2, True), (filters // 2, False), (filters // 2, False),
                  (filters // 2, False), (filters // 4, True), (filters // 4, False),
                  (filters // 8, True), (filters // 8, False)]
        self.stages = []
        in_channels = filters
        for index, (out_channels, upsample) in enumerate(widths):
            self.stages.append(_torch_conv(out_channels, in_channels, "relu", f"conv_{index}"))
            if upsample:
                self.stages.append(keras.layers.UpSampling2D(
                    2, interpolation="nearest", name=f"upsample_{index}"))
            in_channels = out_channels
        # float32 under mixed precision: the encoder and losses take these images.
        self.head = _torch_conv(3, in_channels, None, "head", dtype="float32")
        self.to_pixels = keras.layers.Rescaling(255.0, dtype="float32", name="to_pixels")

    def build(self, input_shape):
        check_feature_shape(self, input_shape)
        shape = input_shape
        for layer in self.stages:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.head.build(shape)

    def call(self, features):
        check_feature_shape(self, features.shape)
        x = features  # (batch, h, w, filters)
        for layer in self.stages:
            x = layer(x)  # at the end (batch, 8h, 8w, filters / 8)
        return self.to_pixels(self.head(x))  # (batch, 8h, 8w, 3) RGB, about [0, 255]

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters)
        return config


def _torch_conv(out_channels, in_channels, activation, name, dtype=None):
    """A reflection-padded 3×3 convolution with bias initialized as Torch's default."""
    bound = 1.0 / math.sqrt(9 * in_channels)
    return ConvNormActivation(
        out_channels, 3, padding=1, padding_mode="reflect", normalization=None,
        activation=activation,
        # U(±sqrt(3 · scale / fan_in)) with scale 1/3 is U(±1/sqrt(fan_in)).
        kernel_initializer=keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform"),
        bias_initializer=keras.initializers.RandomUniform(-bound, bound),
        dtype=dtype, name=name,
    )


def check_feature_shape(decoder, shape):
    """Raises a ValueError naming the axis unless the feature map `shape` (channels last;
    None passes) is at least `MIN_FEATURE_SIDE` high and wide with `decoder.filters`
    channels (the first convolution's bias init depends on them)."""
    if shape[3] is not None and shape[3] != decoder.filters:
        raise ValueError(
            f"AdaINDecoder(filters={decoder.filters}) decodes features with {decoder.filters} "
            f"channels; got {shape[3]} (feature shape {tuple(shape)})")
    for axis, size in (("height", shape[1]), ("width", shape[2])):
        if size is not None and size < MIN_FEATURE_SIDE:
            raise ValueError(
                f"AdaINDecoder needs features at least {MIN_FEATURE_SIDE} high and wide "
                f"(images at least {MIN_FEATURE_SIDE * SIZE_MULTIPLE}); got {axis} {size} "
                f"(feature shape {tuple(shape)})"
            )


def pad_to_multiple(images):
    """Reflection-pads channels-last `images` at the bottom and right up to the next
    multiple of `SIZE_MULTIPLE` (8) in height and width, so the encoder loses no pixel;
    works for unknown sizes in a SavedModel. Sides must be at least 8."""
    height, width = keras.ops.shape(images)[1], keras.ops.shape(images)[2]
    return keras.ops.pad(
        images,
        [[0, 0], [0, -height % SIZE_MULTIPLE], [0, -width % SIZE_MULTIPLE], [0, 0]],
        mode="reflect",
    )  # (batch, 8 · ceil(height / 8), 8 · ceil(width / 8), channels)


def crop_to_size(images, height, width):
    """The top-left `height × width` of `images`: undoes `pad_to_multiple`."""
    return images[:, :height, :width]
