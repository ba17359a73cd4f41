import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.acai.acai_decoder import ACAIDecoder

LATENTS = np.random.default_rng(0).normal(size=(2, 4, 2, 5)).astype("float32")


def test_config_round_trip():
    check_config_round_trip(ACAIDecoder, {"depth": 8, "scales": 2, "colors": 1})


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(ACAIDecoder(depth=4, scales=2), LATENTS, tmp_path)


@pytest.mark.parametrize("latent_size, scales, size", [((4, 4), 3, (32, 32)),
                                                       ((4, 4), 2, (16, 16)),
                                                       ((4, 2), 2, (16, 8))])
def test_image_shape(latent_size, scales, size):
    model = ACAIDecoder(depth=4, scales=scales, colors=2)
    assert model(np.zeros((2, *latent_size, 5), "float32")).shape == (2, *size, 2)


def test_official_parameter_count():
    # depth 64, 3 scales, 16 latent channels to RGB, by hand: 16→256: 37,120;
    # 256→256: 590,080; 256→128: 295,040; 128→128: 147,584; 128→64: 73,792;
    # 64→64 ×2: 2·36,928; 64→3: 1,731.
    model = ACAIDecoder()
    model.build((None, 4, 4, 16))
    assert model.count_params() == 1_219_203


def test_upsampling_is_the_reference_box_upscale():
    # lib/layers.py upscale2d: tf.batch_to_space(tf.tile(x, [4, 1, 1, 1]), crops, 2).
    x = np.random.default_rng(1).normal(size=(2, 3, 2, 4)).astype("float32")
    reference = tf.batch_to_space(tf.tile(x, [4, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]])
    layer = ACAIDecoder(depth=4, scales=1).get_layer("upsample_0")
    np.testing.assert_array_equal(layer(x), reference)


def test_output_is_linear():
    model = ACAIDecoder(depth=4, scales=2)
    assert model.get_layer("head").activation is keras.activations.linear
    assert model.get_layer("hidden").kernel_size == (3, 3)
    # Unbounded: large latents give images outside [-1, 1].
    assert np.abs(keras.ops.convert_to_numpy(model(100 * LATENTS))).max() > 1
