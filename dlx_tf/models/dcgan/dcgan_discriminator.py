"""The conditional DCGAN discriminator: strided convs and a class projection."""

import math

import keras
from keras import ops

from dlx_tf.layers import ConvNormActivation, SpectralNormalization
from dlx_tf.models.dcgan.dcgan_generator import check_image_size

DISCRIMINATOR_NORMALIZATIONS = ("batch", "layer", None)


@keras.saving.register_keras_serializable(package="dlx_tf")
class DCGANDiscriminator(keras.Model):
    """Class-conditional DCGAN discriminator (or WGAN critic), one raw score per image.

    The convolutional discriminator of Radford et al. 2015 (https://arxiv.org/abs/1511.06434
    §3): stride-2 4×4 convolutions with LeakyReLU 0.2 halve the size from `image_size`
    down to 4×4 while the channels double (f, 2f, 4f for 32×32); no normalization on the
    first layer. `normalization="layer"` or `None` gives the WGAN-GP critic, which may not
    use batch norm (Gulrajani et al. 2017 §4); `spectral_norm=True` spectrally normalizes
    every convolution and both dense layers (Miyato et al. 2018,
    https://arxiv.org/abs/1802.05957).

    The condition enters through the projection discriminator (Miyato & Koyama 2018,
    https://arxiv.org/abs/1802.05637, eq. 3): with `h` the flattened 4×4 features,
    `score = w·h + b + <V y, h>` for the class mixture `y`, linear in `y`, so a 50/50
    mixture of two classes scores the average of their projection terms. `V` starts from
    Glorot-uniform like the embedding of the authors' code (pfnet-research/sngan_projection);
    N(0, 0.02), the DCGAN init of every other weight, made the class term so small that the
    generator learned to ignore the condition in short runs. Scores are logits
    (non-saturating loss) or critic values (hinge, Wasserstein), in float32.

    Args:
        num_classes: length of the class-mixture vector.
        filters: channels of the first layer (`ndf`); doubled per layer.
        image_size: input height and width; a power of two, at least 8.
        normalization: `"batch"` (the paper), `"layer"` or `None`, on all but the first
            layer.
        spectral_norm: whether to spectrally normalize every weight matrix.

    Example:
    ```python
    discriminator = DCGANDiscriminator(num_classes=10, normalization="layer")
    scores = discriminator((keras.ops.zeros((2, 32, 32, 3)), keras.ops.one_hot([3, 7], 10)))
    scores.shape  # (2,)
    ```
    """

    def __init__(self, num_classes=10, filters=64, image_size=32, normalization="batch",
                 spectral_norm=False, **kwargs):
        super().__init__(**kwargs)
        check_image_size(image_size, "DCGANDiscriminator")
        if normalization not in DISCRIMINATOR_NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {DISCRIMINATOR_NORMALIZATIONS}; "
                             f"got {normalization!r}")
        self.num_classes = num_classes
        self.filters = filters
        self.image_size = image_size
        self.normalization = normalization
        self.spectral_norm = spectral_norm
        stages = int(math.log2(image_size)) - 2  # halvings down to 4×4: 3 for 32×32
        self.feature_dim = 4 * 4 * filters * 2 ** (stages - 1)
        # === Layers ===
        self.blocks = []
        for i in range(stages):
            norm = None if i == 0 else normalization
            self.blocks.append(ConvNormActivation(
                filters * 2**i, 4, strides=2, padding=1, normalization=norm,
                activation="leaky_relu", use_bias=norm is None, spectral_norm=spectral_norm,
                name=f"block_{i}",
            ))
        self.flatten = keras.layers.Flatten(name="flatten")
        # float32 heads under mixed precision: the losses read the scores.
        self.score = self._dense(1, use_bias=True, name="score",
                                 initializer=keras.initializers.RandomNormal(0.0, 0.02))
        self.class_projection = self._dense(self.feature_dim, use_bias=False,
                                            name="class_projection",
                                            initializer="glorot_uniform")

    def _dense(self, units, use_bias, name, initializer):
        dense = keras.layers.Dense(
            units, use_bias=use_bias, dtype="float32", name=name,
            kernel_initializer=initializer,
        )
        if self.spectral_norm:
            dense = SpectralNormalization(dense, dtype="float32", name=f"{name}_sn")
        return dense

    def build(self, input_shape):
        image_shape, mixture_shape = input_shape
        if (tuple(image_shape[1:3]) != (self.image_size, self.image_size)
                or mixture_shape[-1] != self.num_classes):
            raise ValueError(
                f"DCGANDiscriminator expects (images (batch, {self.image_size}, "
                f"{self.image_size}, channels), class mixtures (batch, {self.num_classes})); "
                f"got shapes {tuple(image_shape)} and {tuple(mixture_shape)}"
            )
        shape = image_shape
        for block in self.blocks:
            block.build(shape)
            shape = block.compute_output_shape(shape)
        self.score.build((image_shape[0], self.feature_dim))
        self.class_projection.build(mixture_shape)

    def call(self, inputs, training=False):
        images, class_mixture = inputs
        x = images  # (batch, image_size, image_size, channels)
        for block in self.blocks:
            x = block(x, training=training)  # (batch, h / 2, w / 2, 2c); (batch, 4, 4, ·) last
        h = ops.cast(self.flatten(x), "float32")  # (batch, feature_dim)
        unconditional = self.score(h, training=training)[:, 0]  # (batch,)
        projection = self.class_projection(class_mixture, training=training)  # (batch, feature_dim)
        return unconditional + ops.sum(projection * h, axis=-1)  # (batch,)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            filters=self.filters,
            image_size=self.image_size,
            normalization=self.normalization,
            spectral_norm=self.spectral_norm,
        )
        return config
