"""Convolution with PyTorch-style padding, then optional normalization and activation."""

import keras

from dlx_tf.layers.reflection_padding_2d import ReflectionPadding2D
from dlx_tf.layers.spectral_normalization import SpectralNormalization

NORMALIZATIONS = (None, "instance", "batch", "layer")
PADDING_MODES = ("zeros", "reflect")


@keras.saving.register_keras_serializable(package="dlx_tf")
class ConvNormActivation(keras.layers.Layer):
    """Conv (or transposed conv) → normalization → activation, padded like PyTorch.

    The building block of the GAN networks. Padding follows `torch.nn.Conv2d` /
    `ConvTranspose2d` exactly rather than Keras `"same"`, so output sizes and pixel
    alignment match the reference implementations:

    - convolution: pad `padding` pixels on every side (zeros or reflection), then a
      `"valid"` convolution: `out = floor((in + 2 * padding - kernel_size) / strides) + 1`.
    - transposed convolution: a `"valid"` transposed convolution, then crop `padding`
      pixels at the start and `padding - output_padding` at the end:
      `out = (in - 1) * strides - 2 * padding + kernel_size + output_padding`.

    Kernels start from N(0, 0.02) and biases from zero, the DCGAN/CycleGAN init,
    unless `kernel_initializer` / `bias_initializer` say otherwise.
    Instance norm has no learnable scale or shift and always uses the current image's
    statistics (PyTorch `InstanceNorm2d` defaults); batch norm uses PyTorch's defaults
    (momentum 0.1, i.e. Keras 0.9; epsilon 1e-5). Layer norm normalizes each image over
    height, width and channels with a learnable per-channel scale and shift, epsilon
    1e-5: the `Layernorm` of Gulrajani et al.'s WGAN-GP code (its critic may not use
    batch norm, §4), i.e. `keras.layers.GroupNormalization(groups=1)`. Unlike
    `keras.layers.LayerNormalization(axis=[1, 2, 3])`, whose scale is per pixel, it
    keeps the block independent of the image size.

    With `spectral_norm=True` the convolution is wrapped in the package's
    `SpectralNormalization` (Miyato et al. 2018,
    https://arxiv.org/abs/1802.05957; one power iteration per training call), and
    `self.conv` is that wrapper (the convolution is `self.conv.layer`).

    Args:
        filters: output channels.
        kernel_size: square kernel size.
        strides: stride of the convolution.
        padding: pixels of padding (convolution) or of cropping (transposed).
        padding_mode: `"zeros"` or `"reflect"`; convolution only.
        output_padding: pixels added back at the end; transposed convolution only.
        transposed: use a transposed convolution (upsampling).
        normalization: `None`, `"instance"`, `"batch"` or `"layer"`.
        activation: a Keras activation name or `None`. Note `"leaky_relu"` has slope
            0.2, while the `keras.layers.LeakyReLU` layer defaults to 0.3.
        use_bias: whether the convolution has a bias.
        spectral_norm: whether to spectrally normalize the convolution's kernel.
        kernel_initializer: a Keras initializer (or its name or config); `None` for
            N(0, 0.02).
        bias_initializer: a Keras initializer (or its name or config); `None` for zeros.

    Example:
    ```python
    down = ConvNormActivation(128, 3, strides=2, padding=1)
    down(keras.ops.zeros((2, 20, 12, 64))).shape  # (2, 10, 6, 128)
    ```
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding=0,
        padding_mode="zeros",
        output_padding=0,
        transposed=False,
        normalization="instance",
        activation="relu",
        use_bias=True,
        spectral_norm=False,
        kernel_initializer=None,
        bias_initializer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization must be one of {NORMALIZATIONS}; got {normalization!r}"
            )
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {PADDING_MODES}; got {padding_mode!r}"
            )
        if transposed and (padding_mode != "zeros" or not 0 <= output_padding <= padding):
            raise ValueError(
                "a transposed convolution crops instead of padding: it needs "
                f"padding_mode='zeros' and 0 <= output_padding <= padding; got "
                f"padding_mode={padding_mode!r}, padding={padding}, output_padding={output_padding}"
            )
        if not transposed and output_padding:
            raise ValueError("output_padding only applies to transposed convolutions")
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.padding_mode = padding_mode
        self.output_padding = output_padding
        self.transposed = transposed
        self.normalization = normalization
        self.activation = activation
        self.use_bias = use_bias
        self.spectral_norm = spectral_norm
        # networks.py init_weights(init_type="normal", init_gain=0.02) by default.
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer or keras.initializers.RandomNormal(0.0, 0.02))
        self.bias_initializer = keras.initializers.get(bias_initializer or "zeros")
        # === Layers ===
        self.pad = None
        if padding and not transposed:
            pad = ReflectionPadding2D if padding_mode == "reflect" else keras.layers.ZeroPadding2D
            self.pad = pad(padding, dtype=self.dtype_policy, name="pad")
        conv = keras.layers.Conv2DTranspose if transposed else keras.layers.Conv2D
        self.conv = conv(
            filters,
            kernel_size,
            strides=strides,
            padding="valid",
            use_bias=use_bias,
            kernel_initializer=self.kernel_initializer,
            bias_initializer=self.bias_initializer,
            dtype=self.dtype_policy,
            name="conv",
        )
        if spectral_norm:
            self.conv = SpectralNormalization(self.conv, dtype=self.dtype_policy,
                                              name="spectral_norm")
        self.crop = None
        if padding and transposed:
            # PyTorch removes `padding` at both ends; `output_padding` gives some back at the end.
            crop = (padding, padding - output_padding)
            self.crop = keras.layers.Cropping2D((crop, crop), dtype=self.dtype_policy, name="crop")
        self.norm = None
        if normalization == "instance":
            self.norm = keras.layers.GroupNormalization(
                groups=-1, center=False, scale=False, epsilon=1e-5,
                dtype=self.dtype_policy, name="instance_norm",
            )
        elif normalization == "batch":
            self.norm = keras.layers.BatchNormalization(
                momentum=0.9, epsilon=1e-5, dtype=self.dtype_policy, name="batch_norm"
            )
        elif normalization == "layer":
            self.norm = keras.layers.GroupNormalization(
                groups=1, epsilon=1e-5, dtype=self.dtype_policy, name="layer_norm"
            )
        self.act = None
        if activation is not None:
            self.act = keras.layers.Activation(activation, dtype=self.dtype_policy, name="act")

    def build(self, input_shape):
        for layer in self._shaping_layers():
            layer.build(input_shape)
            input_shape = layer.compute_output_shape(input_shape)
        if self.norm is not None:
            self.norm.build(input_shape)

    def compute_output_shape(self, input_shape):
        for layer in self._shaping_layers():
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def _shaping_layers(self):
        return [layer for layer in (self.pad, self.conv, self.crop) if layer is not None]

    def call(self, x, training=False):
        if self.pad is not None:
            x = self.pad(x)
        x = self.conv(x, training=training)  # spectral norm: power iteration when training
        if self.crop is not None:
            x = self.crop(x)
        if self.norm is not None:
            x = self.norm(x, training=training)
        if self.act is not None:
            x = self.act(x)
        return x  # (batch, out_height, out_width, filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            kernel_size=self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            padding_mode=self.padding_mode,
            output_padding=self.output_padding,
            transposed=self.transposed,
            normalization=self.normalization,
            activation=self.activation,
            use_bias=self.use_bias,
            spectral_norm=self.spectral_norm,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config
