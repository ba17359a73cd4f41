import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.layers import SpectralNormalization
from dlx_tf.models.dcgan.dcgan_discriminator import DCGANDiscriminator

RNG = np.random.default_rng(0)
ONE_HOT = np.eye(3, dtype="float32")


def _inputs(image_size=16, batch=2):
    images = RNG.uniform(-1, 1, (batch, image_size, image_size, 3)).astype("float32")
    return images, ONE_HOT[np.arange(batch) % 3]


@pytest.mark.parametrize("image_size, features", [(16, [(8, 4), (4, 8)]),
                                                   (32, [(16, 4), (8, 8), (4, 16)])])
def test_output_shapes_follow_radford(image_size, features):
    discriminator = DCGANDiscriminator(num_classes=3, filters=4, image_size=image_size)
    scores = discriminator(_inputs(image_size, batch=3))
    assert scores.shape == (3,) and scores.dtype == "float32"
    shape = (3, image_size, image_size, 3)
    for i, (block, (size, filters)) in enumerate(zip(discriminator.blocks, features)):
        shape = block.compute_output_shape(shape)
        assert tuple(shape) == (3, size, size, filters)
        assert block.normalization == (None if i == 0 else "batch")  # none on the input layer
        assert block.activation == "leaky_relu"
    assert discriminator.feature_dim == 16 * features[-1][1]


def test_spectral_norm_wraps_every_weight_matrix():
    discriminator = DCGANDiscriminator(num_classes=3, filters=4, image_size=16,
                                       normalization="layer", spectral_norm=True)
    discriminator(_inputs(), training=True)
    wrapped = [block.conv for block in discriminator.blocks] + [
        discriminator.score, discriminator.class_projection]
    assert all(isinstance(layer, SpectralNormalization) for layer in wrapped)
    assert [block.normalization for block in discriminator.blocks] == [None, "layer"]


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_projection_is_linear_in_the_class_mixture(spectral_norm):
    discriminator = DCGANDiscriminator(num_classes=3, filters=4, image_size=16,
                                       spectral_norm=spectral_norm)
    images = _inputs()[0][:1]
    discriminator((images, ONE_HOT[:1]), training=True)  # moves BN statistics and u
    score = {}
    for name, mixture in (("a", ONE_HOT[0]), ("b", ONE_HOT[2]),
                          ("mix", 0.5 * ONE_HOT[0] + 0.5 * ONE_HOT[2]), ("none", 0 * ONE_HOT[0])):
        score[name] = float(discriminator((images, mixture[None]))[0])
    np.testing.assert_allclose(score["mix"], 0.5 * (score["a"] + score["b"]), rtol=1e-5)
    # Zero mixture leaves the unconditional term; each class adds <V y, h>.
    assert not np.isclose(score["a"], score["none"])
    features = keras.ops.convert_to_numpy(discriminator.flatten(
        _features(discriminator, images)))
    kernel = _dense_kernel(discriminator.class_projection)
    np.testing.assert_allclose(score["a"] - score["none"], features[0] @ kernel[0], rtol=1e-4)


def _features(discriminator, images):
    x = images
    for block in discriminator.blocks:
        x = block(x)
    return x


def _dense_kernel(layer):
    if isinstance(layer, SpectralNormalization):
        return keras.ops.convert_to_numpy(layer.normalized_kernel())  # what it computes with
    return layer.kernel.numpy()


def test_rejects_bad_sizes_and_inputs():
    with pytest.raises(ValueError, match="power of two, at least 8"):
        DCGANDiscriminator(image_size=48)
    with pytest.raises(ValueError, match="normalization"):
        DCGANDiscriminator(normalization="instance")
    with pytest.raises(ValueError, match=r"images \(batch, 16, 16, channels\)"):
        DCGANDiscriminator(num_classes=3, filters=4, image_size=16)(_inputs(32))


def test_config_round_trip():
    check_config_round_trip(DCGANDiscriminator, {
        "num_classes": 4, "filters": 5, "image_size": 16, "normalization": "layer",
        "spectral_norm": True,
    })


@pytest.mark.parametrize("normalization, spectral_norm", [("batch", False), (None, True)])
def test_keras_file_round_trip(normalization, spectral_norm, tmp_path):
    discriminator = DCGANDiscriminator(num_classes=3, filters=4, image_size=16,
                                       normalization=normalization, spectral_norm=spectral_norm)
    inputs = _inputs(batch=3)
    discriminator(inputs, training=True)  # moves BN statistics / power-iteration vectors
    check_keras_file_round_trip(discriminator, inputs, tmp_path)
