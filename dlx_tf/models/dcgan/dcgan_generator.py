"""The conditional DCGAN generator: latent + class-mixture embedding → transposed convs."""

import math

import keras
from keras import ops

from dlx_tf.layers import ConvNormActivation

GENERATOR_NORMALIZATIONS = ("batch", "layer", None)


@keras.saving.register_keras_serializable(package="dlx_tf")
class DCGANGenerator(keras.Model):
    """Class-conditional DCGAN generator, returning tanh images in [-1, 1].

    The all-convolutional generator of Radford et al. 2015 (https://arxiv.org/abs/1511.06434
    §3): the input is projected to a 4×4 map by a transposed convolution, then stride-2
    4×4 transposed convolutions double the size and halve the channels, with batch norm
    and ReLU everywhere except the tanh output layer (no bias before a norm, which would
    cancel it). For 32×32: 4×4×4f → 8×8×2f → 16×16×f → 32×32×channels. Kernels start
    from N(0, 0.02).

    The condition is a class *mixture* `(batch, num_classes)` (one-hot for a single
    class). It is embedded by a bias-free dense layer, i.e. the mixture-weighted sum of
    the class embeddings, linear in the mixture, so 0.5·bird + 0.5·horse asks for the
    average of both embeddings. The rows start from N(0, 1) like `torch.nn.Embedding`,
    on the latent's scale. The embedding is concatenated to the latent.

    Args:
        latent_dim: size of the latent vector z.
        num_classes: length of the class-mixture vector.
        embedding_dim: size of the class embedding.
        filters: channels of the last hidden layer (`ngf`); the 4×4 layer has
            `filters * image_size / 8`.
        image_size: output height and width; a power of two, at least 8.
        channels: output channels.
        normalization: `"batch"` (the paper), `"layer"` or `None`. Batch statistics
            are per replica under a distribution strategy; the others are per image.

    Example:
    ```python
    generator = DCGANGenerator(latent_dim=100, num_classes=10)
    images = generator((keras.random.normal((2, 100)), keras.ops.one_hot([3, 7], 10)))
    images.shape  # (2, 32, 32, 3)
    ```
    """

    def __init__(self, latent_dim=100, num_classes=10, embedding_dim=32, filters=64,
                 image_size=32, channels=3, normalization="batch", **kwargs):
        super().__init__(**kwargs)
        check_image_size(image_size, "DCGANGenerator")
        if normalization not in GENERATOR_NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {GENERATOR_NORMALIZATIONS}; "
                             f"got {normalization!r}")
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.filters = filters
        self.image_size = image_size
        self.channels = channels
        self.normalization = normalization
        stages = int(math.log2(image_size)) - 2  # doublings from 4×4: 3 for 32×32
        hidden = dict(transposed=True, normalization=normalization, activation="relu",
                      use_bias=normalization is None)
        # === Layers ===
        self.class_embedding = keras.layers.Dense(
            embedding_dim, use_bias=False,
            kernel_initializer=keras.initializers.RandomNormal(0.0, 1.0),
            name="class_embedding",
        )
        self.project = ConvNormActivation(filters * 2 ** (stages - 1), 4, strides=1, padding=0,
                                          name="project", **hidden)
        self.upsampling = [
            ConvNormActivation(filters * 2 ** (stages - 1 - i), 4, strides=2, padding=1,
                               name=f"up_{i}", **hidden)
            for i in range(1, stages)
        ]
        # float32 output under mixed precision: the losses and exports read images.
        self.head = ConvNormActivation(
            channels, 4, strides=2, padding=1, transposed=True, normalization=None,
            activation="tanh", dtype="float32", name="head",
        )

    def build(self, input_shape):
        latent_shape, mixture_shape = input_shape
        if latent_shape[-1] != self.latent_dim or mixture_shape[-1] != self.num_classes:
            raise ValueError(
                f"DCGANGenerator expects (latents (batch, {self.latent_dim}), class mixtures "
                f"(batch, {self.num_classes})); got shapes {tuple(latent_shape)} and "
                f"{tuple(mixture_shape)}"
            )
        self.class_embedding.build(mixture_shape)
        shape = (latent_shape[0], 1, 1, self.latent_dim + self.embedding_dim)
        for layer in [self.project, *self.upsampling]:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.head.build(shape)

    def call(self, inputs, training=False):
        latents, class_mixture = inputs
        embedding = self.class_embedding(class_mixture)  # (batch, embedding_dim)
        x = ops.concatenate([ops.cast(latents, embedding.dtype), embedding], axis=-1)
        x = ops.reshape(x, (-1, 1, 1, x.shape[-1]))  # (batch, 1, 1, latent_dim + embedding_dim)
        x = self.project(x, training=training)  # (batch, 4, 4, filters * image_size / 8)
        for up in self.upsampling:
            x = up(x, training=training)  # (batch, 2h, 2w, c / 2); (batch, s/2, s/2, filters) last
        return self.head(x, training=training)  # (batch, image_size, image_size, channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            latent_dim=self.latent_dim,
            num_classes=self.num_classes,
            embedding_dim=self.embedding_dim,
            filters=self.filters,
            image_size=self.image_size,
            channels=self.channels,
            normalization=self.normalization,
        )
        return config


def check_image_size(image_size, owner):
    """DCGAN networks step between 4×4 and `image_size` by factors of two."""
    if not isinstance(image_size, int) or image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"{owner} needs image_size a power of two, at least 8; "
                         f"got {image_size!r}")
