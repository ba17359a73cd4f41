import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator

RNG = np.random.default_rng(0)


def _inputs(batch=2, latent_dim=6, num_classes=3):
    latents = RNG.normal(size=(batch, latent_dim)).astype("float32")
    return latents, keras.ops.one_hot(np.arange(batch) % num_classes, num_classes)


def _generator(**kwargs):
    return DCGANGenerator(**{"latent_dim": 6, "num_classes": 3, "embedding_dim": 5,
                             "filters": 4, **kwargs})


@pytest.mark.parametrize("image_size, hidden", [(16, [(4, 8), (8, 4)]),
                                                 (32, [(4, 16), (8, 8), (16, 4)])])
def test_output_shapes_follow_radford(image_size, hidden):
    # 32×32: 4×4×4f → 8×8×2f → 16×16×f → 32×32×channels.
    generator = _generator(image_size=image_size, channels=2)
    images = keras.ops.convert_to_numpy(generator(_inputs(batch=3)))
    assert images.shape == (3, image_size, image_size, 2)
    assert np.all(np.abs(images) <= 1.0)
    shape = (3, 1, 1, 6 + 5)
    for block, (size, filters) in zip([generator.project, *generator.upsampling], hidden):
        shape = block.compute_output_shape(shape)
        assert tuple(shape) == (3, size, size, filters)
        assert block.normalization == "batch" and not block.use_bias  # bias off before BN
        assert block.activation == "relu"
    assert (generator.head.normalization, generator.head.activation) == (None, "tanh")


def test_class_embedding_is_linear_in_the_mixture():
    generator = _generator()
    generator(_inputs())
    one_hot = np.eye(3, dtype="float32")
    mixture = 0.5 * one_hot[0] + 0.5 * one_hot[2]
    embed = generator.class_embedding
    np.testing.assert_allclose(embed(mixture[None]),
                               0.5 * (embed(one_hot[:1]) + embed(one_hot[2:])),
                               rtol=1e-6, atol=1e-6)
    # Rows are the class embeddings, and the condition changes the images.
    np.testing.assert_allclose(embed(one_hot), embed.kernel.numpy(), rtol=1e-6)
    latents = np.repeat(_inputs()[0][:1], 2, axis=0)
    images = keras.ops.convert_to_numpy(generator((latents, one_hot[:2])))
    assert not np.allclose(images[0], images[1])


def test_rejects_bad_sizes_and_inputs():
    for size in (4, 12, 24, 32.0):
        with pytest.raises(ValueError, match="power of two, at least 8"):
            _generator(image_size=size)
    with pytest.raises(ValueError, match="normalization"):
        _generator(normalization="instance")
    with pytest.raises(ValueError, match=r"class mixtures \(batch, 3\)"):
        _generator()(_inputs(num_classes=4))


def test_config_round_trip():
    check_config_round_trip(DCGANGenerator, {
        "latent_dim": 7, "num_classes": 4, "embedding_dim": 3, "filters": 5, "image_size": 16,
        "channels": 1, "normalization": "layer",
    })


@pytest.mark.parametrize("normalization", ["batch", None])
def test_keras_file_round_trip(normalization, tmp_path):
    generator = _generator(image_size=16, normalization=normalization)
    inputs = _inputs(batch=4)
    generator(inputs, training=True)  # moves the batch-norm statistics
    check_keras_file_round_trip(generator, inputs, tmp_path)
