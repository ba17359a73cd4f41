"""The ACAI encoder: `encoder` of the official code (brain-research/acai, lib/layers.py)."""

import keras


def he_modified_normal():
    """The official `HeModifiedNormalInitializer(0.2)`: N(0, 1 / ((1 + 0.2²) · fan_in)).

    `fan_in` is kernel height × width × input channels, as Keras counts it for convolutions.
    """
    # lib/layers.py: std = rsqrt((1 + slope²) · prod(shape[:-1])), slope 0.2.
    return keras.initializers.VarianceScaling(
        scale=1 / 1.04, mode="fan_in", distribution="untruncated_normal"
    )


def acai_conv(filters, kernel_size, activation=None, name=None, dtype=None):
    """A convolution as the official `conv_op`: "same" padding, a zero-initialised bias and
    He-modified kernels; `activation="leaky_relu"` has Keras's default slope 0.2, which is
    also `tf.nn.leaky_relu`'s."""
    return keras.layers.Conv2D(
        filters, kernel_size, padding="same", activation=activation,
        kernel_initializer=he_modified_normal(), name=name, dtype=dtype,
    )


def check_size(shape, scales, owner):
    """Raises unless height and width are positive multiples of `2**scales`: the encoder
    average-pools `scales` times and the decoder must double back to the same size."""
    factor = 2**scales
    for axis, size in (("height", shape[1]), ("width", shape[2])):
        if size is not None and (size % factor or size < factor):
            raise ValueError(
                f"{owner} with scales={scales} needs image height and width that are "
                f"positive multiples of {factor}; got {axis} {size} (input shape {tuple(shape)})"
            )


@keras.saving.register_keras_serializable(package="dlx_tf")
class ACAIEncoder(keras.Model):
    """Convolutional encoder of ACAI, mapping images to a spatial latent tensor.

    Follows `encoder` in the authors' code (brain-research/acai, `lib/layers.py`): a 1×1
    convolution to `depth` channels; then for each of `scales` scales two 3×3 convolutions
    with `depth · 2**scale` channels and leaky ReLU (0.2) followed by 2×2 average pooling;
    then a 3×3 convolution with `depth · 2**scales` channels and leaky ReLU and a linear 3×3
    convolution to `latent` channels. Every convolution has a bias and He-modified normal
    kernels. With the paper's settings (32×32 images, `latent_width` 4, so `scales=3`) the
    latent tensor is 4×4×16 = 256 numbers. ACAI's critic is the same network with its own
    weights (`ACAICritic`).
    https://arxiv.org/abs/1807.07543

    Args:
        depth: channels of the first scale (`--depth`, 64); scale `s` has `depth · 2**s`.
        latent: channels of the latent tensor (`--latent`, 16).
        scales: number of 2× downsamplings: log2(image width / latent width).

    Example:
    ```python
    encoder = ACAIEncoder(depth=64, latent=16, scales=3)
    latents = encoder(keras.ops.zeros((8, 32, 32, 3)))  # (8, 4, 4, 16)
    ```
    """

    def __init__(self, depth=64, latent=16, scales=3, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth
        self.latent = latent
        self.scales = scales
        # === Layers ===
        self.stem = acai_conv(depth, 1, name="stem")  # no activation (lib/layers.py)
        self.blocks = []
        for scale in range(scales):
            self.blocks += [
                acai_conv(depth << scale, 3, "leaky_relu", name=f"scale_{scale}_a"),
                acai_conv(depth << scale, 3, "leaky_relu", name=f"scale_{scale}_b"),
                keras.layers.AveragePooling2D(2, name=f"pool_{scale}"),  # downscale2d(y, 2)
            ]
        self.bottleneck = acai_conv(depth << scales, 3, "leaky_relu", name="bottleneck")
        # Linear latents, kept in float32 under mixed precision: they are mixed and compared.
        self.head = acai_conv(latent, 3, name="head", dtype="float32")

    def build(self, input_shape):
        check_size(input_shape, self.scales, "ACAIEncoder")
        shape = input_shape
        for layer in [self.stem, *self.blocks, self.bottleneck]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.head.build(shape)

    def call(self, images):
        check_size(images.shape, self.scales, "ACAIEncoder")
        x = self.stem(images)  # (batch, height, width, depth)
        for layer in self.blocks:
            x = layer(x)  # finally (batch, h, w, depth · 2**(scales - 1)), h = height / 2**scales
        x = self.bottleneck(x)  # (batch, h, w, depth · 2**scales)
        return self.head(x)  # (batch, h, w, latent)

    def get_config(self):
        config = super().get_config()
        config.update(depth=self.depth, latent=self.latent, scales=self.scales)
        return config
