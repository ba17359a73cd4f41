"""A frozen VGG-19 (Simonyan & Zisserman 2014) that returns named feature maps, for
neural style transfer (Gatys et al. 2015; Huang & Belongie 2017, AdaIN)."""

import os

import keras
from keras import ops

from dlx_tf.errors import UsageError

# Output channels of the 3×3 convolutions, block by block (Simonyan & Zisserman, Table 1 E).
VGG19_BLOCKS = ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512),
                (512, 512, 512, 512))
# The mean BGR pixel of ImageNet that `keras.applications.vgg19.preprocess_input` subtracts.
IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)
POOLINGS = ("max", "average")


def _feature_names():
    names = []
    for block, convs in enumerate(VGG19_BLOCKS, start=1):
        for conv in range(1, len(convs) + 1):
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
    return tuple(names)


FEATURE_NAMES = _feature_names()  # conv1_1, relu1_1, …, conv5_4, relu5_4


@keras.saving.register_keras_serializable(package="dlx_tf")
class CaffePreprocessing(keras.layers.Layer):
    """RGB in [0, 255] to the input the Keras VGG weights expect: BGR order, ImageNet mean
    pixel subtracted, no scaling (`keras.applications.vgg19.preprocess_input`)."""

    def call(self, images):
        bgr = ops.flip(images, axis=-1)
        return bgr - ops.convert_to_tensor(IMAGENET_BGR_MEAN, dtype=bgr.dtype)


@keras.saving.register_keras_serializable(package="dlx_tf")
class VGG19Features(keras.Model):
    """VGG-19's convolutional trunk, frozen, returning a dict of named feature maps.

    Simonyan & Zisserman 2014, https://arxiv.org/abs/1409.1556 (configuration E), as used
    by Gatys et al. 2015, https://arxiv.org/abs/1508.06576, and Huang & Belongie 2017,
    https://arxiv.org/abs/1703.06868. Input: RGB images `(batch, height, width, 3)` with
    values in [0, 255]; the caffe preprocessing of the Keras ImageNet weights (RGB→BGR,
    minus the ImageNet mean pixel) is a layer inside the model, so exports and input
    gradients go through it.

    Names follow the papers: `reluB_C` is the output of the C-th convolution of block B
    after its ReLU, which is what Keras' `blockB_convC` layer (ReLU fused) returns;
    `convB_C` is the same convolution before the ReLU. Here each `blockB_convC` is a
    `Conv2D` without activation (so `convB_C` is its output) followed by a separate `ReLU`
    layer (`reluB_C`): one kernel, both activations. Only the layers up to the deepest
    requested one are built (AdaIN's `relu4_1` carries no block 5).

    Args:
        layers: names of the feature maps to return, from `FEATURE_NAMES`.
        weights: `None` (random: Keras' glorot-uniform kernels and zero biases),
            `"imagenet"` (downloads the Keras VGG-19 no-top weights), a `.weights.h5`
            file saved by `VGG19Features.save_weights` with the same deepest layer, or a
            Keras-format VGG-19 `.h5` file (such as the downloaded
            `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`), read by layer name.
        pooling: `"max"` (VGG) or `"average"`, which Gatys et al. (Methods) recommend
            for image synthesis: better gradient flow, slightly more appealing results.
        seed: seed of the random kernels (`weights=None`); `None` uses Keras' global seed.

    Example:
    ```python
    vgg = VGG19Features(layers=("relu1_1", "relu2_1", "relu3_1", "relu4_1"))
    features = vgg(keras.ops.ones((1, 32, 40, 3)) * 128.0)
    features["relu4_1"].shape  # (1, 4, 5, 512)
    ```
    """

    def __init__(self, layers=("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"),
                 weights=None, pooling="max", seed=None, **kwargs):
        layers = tuple(layers)
        unknown = [name for name in layers if name not in FEATURE_NAMES]
        if unknown or not layers:
            raise UsageError(f"VGG19Features layers: expected names from conv1_1 … relu5_4, "
                             f"got {list(layers)}")
        if pooling not in POOLINGS:
            raise UsageError(f"VGG19Features pooling: expected one of {POOLINGS}, "
                             f"got {pooling!r}")
        deepest = max(FEATURE_NAMES.index(name) for name in layers)

        # === Functional Model ===
        images = keras.Input(shape=(None, None, 3), name="images")  # RGB in [0, 255]
        x = CaffePreprocessing(name="caffe_preprocessing")(images)
        pool = (keras.layers.MaxPooling2D if pooling == "max"
                else keras.layers.AveragePooling2D)
        features = {}
        for index, (block, conv, filters) in enumerate(_convolutions(deepest)):
            if conv == 1 and block > 1:
                x = pool(2, strides=2, name=f"block{block - 1}_pool")(x)  # halves H and W
            initializer = keras.initializers.GlorotUniform(
                seed=None if seed is None else seed + index)
            x = keras.layers.Conv2D(filters, 3, padding="same", kernel_initializer=initializer,
                                    name=f"block{block}_conv{conv}")(x)
            features[f"conv{block}_{conv}"] = x
            x = keras.layers.ReLU(name=f"relu{block}_{conv}")(x)
            features[f"relu{block}_{conv}"] = x
        super().__init__(inputs=images, outputs={name: features[name] for name in layers},
                         **kwargs)

        # === Config ===
        self.feature_layers = layers
        self.pooling = pooling
        self.seed = seed
        if weights is not None:
            _load_weights(self, weights)
        self.trainable = False

    def get_config(self):
        # `weights` is not stored: a saved model carries its own weights.
        return {**super().get_config(), "layers": list(self.feature_layers),
                "pooling": self.pooling, "seed": self.seed}


def _convolutions(deepest):
    """`(block, conv, filters)` of every convolution up to `FEATURE_NAMES[deepest]`."""
    convolutions = []
    for block, convs in enumerate(VGG19_BLOCKS, start=1):
        for conv, filters in enumerate(convs, start=1):
            if FEATURE_NAMES.index(f"conv{block}_{conv}") > deepest:
                return convolutions
            convolutions.append((block, conv, filters))
    return convolutions


def _conv_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _load_weights(model, weights):
    """Fills the convolutions of `model` from ImageNet or a file; one-line errors."""
    if weights != "imagenet" and not os.path.isfile(weights):
        raise UsageError(f"VGG19Features weights {weights!r}: expected None, 'imagenet' or "
                         f"the path of a weights file, got a path with no file")
    if weights == "imagenet" or not str(weights).endswith(".weights.h5"):
        try:
            source = keras.applications.VGG19(include_top=False, weights=weights,
                                              input_shape=(None, None, 3))
        except (ValueError, OSError) as error:
            raise UsageError(f"VGG19Features weights {weights!r}: expected the Keras "
                             f"VGG-19 weights file, got an error: {_first_line(error)}") from error
        for layer in _conv_layers(model):
            layer.set_weights(source.get_layer(layer.name).get_weights())
        return
    try:
        model.load_weights(weights)
    except (ValueError, OSError) as error:
        raise UsageError(f"VGG19Features weights {weights!r}: expected a file saved by "
                         f"VGG19Features.save_weights with the same deepest layer, got an "
                         f"error: {_first_line(error)}") from error


def _first_line(error):
    return str(error).splitlines()[0].rstrip(":")
