import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_any_size_export, check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.adain import AdaINDecoder, crop_to_size, pad_to_multiple
from dlx_tf.models.vgg import VGG19Features

RNG = np.random.default_rng(0)
FEATURES = RNG.uniform(0, 2, (2, 3, 2, 16)).astype("float32")  # relu4_1-like, non-square


def _model():
    model = AdaINDecoder(filters=16)
    model(FEATURES)
    return model


@pytest.fixture(scope="module")
def encode_decode():
    """Images in [0, 255] → VGG-19 relu4_1 (random weights) → the official-width decoder."""
    encoder = VGG19Features(layers=("relu4_1",), seed=0)
    decoder = AdaINDecoder()

    def run(images):
        features = encoder(images)["relu4_1"]
        return features.shape, decoder(features)

    return run


def test_official_parameter_count():
    # (in, out) of decoder's convolutions in naoto0804/pytorch-AdaIN net.py, each 3×3 with bias.
    official = [(512, 256), (256, 256), (256, 256), (256, 256), (256, 128), (128, 128),
                (128, 64), (64, 64), (64, 3)]
    model = AdaINDecoder()
    model.build((None, 4, 4, 512))
    assert model.count_params() == sum(9 * i * o + o for i, o in official) == 3_505_219
    kernels = [w.shape for w in model.trainable_weights if w.path.endswith("kernel")]
    assert kernels == [(3, 3, i, o) for i, o in official]
    assert len(model.trainable_weights) == 2 * len(official)
    assert model.non_trainable_weights == []


def test_filters_scales_every_width():
    kernels = [w.shape[-1] for w in _model().trainable_weights if w.path.endswith("kernel")]
    assert kernels == [8, 8, 8, 8, 4, 4, 2, 2, 3]


def test_starts_from_torch_default_init():
    model = AdaINDecoder(filters=64)
    model.build((None, 2, 2, 64))
    for weight in model.trainable_weights:
        fan_in = 9 * model.get_layer(weight.path.split("/")[1]).conv.kernel.shape[2]
        values = weight.numpy()
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(values).max() <= bound, weight.path
        assert np.all(values != 0), weight.path  # drawn, not zeros
        if values.size >= 1000:  # uniform on ±bound: standard deviation bound / √3
            assert values.std() == pytest.approx(bound / np.sqrt(3), rel=0.1), weight.path


def test_output_in_the_encoder_pixel_range():
    # The last convolution works in the authors' [0, 1] units: 1.0 there is white, 255.
    model = _model()
    model.head.conv.kernel.assign(keras.ops.zeros(model.head.conv.kernel.shape))
    model.head.conv.bias.assign(keras.ops.ones(3))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(FEATURES)), 255.0)


@pytest.mark.parametrize("height, width, features, decoded", [
    (32, 48, (4, 6), (32, 48)),  # multiples of 8 come back at their size
    (37, 51, (4, 6), (32, 48)),  # odd sizes lose their last height % 8, width % 8 pixels
    (16, 23, (2, 2), (16, 16)),  # the smallest features the decoder takes
])
def test_output_sizes_for_even_and_odd_images(encode_decode, height, width, features, decoded):
    feature_shape, images = encode_decode(RNG.uniform(0, 255, (1, height, width, 3)))
    assert tuple(feature_shape) == (1, *features, 512)
    assert images.shape == (1, *decoded, 3)


def test_padding_to_a_multiple_of_8_gives_the_input_size_back(encode_decode):
    images = RNG.uniform(0, 255, (2, 37, 51, 3)).astype("float32")
    padded = keras.ops.convert_to_numpy(pad_to_multiple(images))
    assert padded.shape == (2, 40, 56, 3)
    np.testing.assert_array_equal(padded[:, 37:, :51], images[:, 35:32:-1])  # reflected
    np.testing.assert_array_equal(crop_to_size(padded, 37, 51), images)
    feature_shape, decoded = encode_decode(padded)
    assert tuple(feature_shape) == (2, 5, 7, 512)
    assert crop_to_size(decoded, 37, 51).shape == (2, 37, 51, 3)
    # Multiples of 8 are left as they are; unknown sizes work in a graph.
    np.testing.assert_array_equal(pad_to_multiple(images[:, :32, :48]), images[:, :32, :48])
    in_graph = tf.function(pad_to_multiple, input_signature=[tf.TensorSpec([None] * 3 + [3])])
    np.testing.assert_array_equal(in_graph(images), padded)


def test_refuses_features_smaller_than_two_or_of_other_widths():
    with pytest.raises(ValueError, match="at least 2 high and wide .*got width 1"):
        _model()(FEATURES[:, :, :1])
    with pytest.raises(ValueError, match=r"AdaINDecoder\(filters=16\) decodes features with 16 "
                                         "channels; got 512"):
        AdaINDecoder(filters=16).build((None, 4, 4, 512))


def test_output_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = AdaINDecoder(filters=16)
        assert model.stages[0].conv.compute_dtype == "float16"
        assert model(FEATURES).dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_config_round_trip():
    check_config_round_trip(AdaINDecoder, {"filters": 16})
    with pytest.raises(ValueError, match="filters must be a positive multiple of 8; got 12"):
        AdaINDecoder(filters=12)


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(), FEATURES, tmp_path)


def test_saved_model_serves_any_size_like_the_live_model(tmp_path):
    check_any_size_export("adain_decoder", _model(), "images", FEATURES, FEATURES[:1, :2, :2],
                          tmp_path)
