import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.errors import UsageError
from dlx_tf.models.vgg import CaffePreprocessing, VGG19Features

# (input, output) channels of VGG-19's 3×3 convolutions, conv1_1 … conv5_4 (Table 1, E).
CONV_CHANNELS = ([(3, 64), (64, 64), (64, 128), (128, 128), (128, 256)] + [(256, 256)] * 3
                 + [(256, 512)] + [(512, 512)] * 3 + [(512, 512)] * 4)
ADAIN_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 32, 40, 3)).astype("float32")


def _conv_parameters(count):
    """Kernels 3·3·in·out plus biases of the first `count` convolutions."""
    return sum(9 * c_in * c_out + c_out for c_in, c_out in CONV_CHANNELS[:count])


def _numpy(features):
    return {name: keras.ops.convert_to_numpy(value) for name, value in features.items()}


@pytest.fixture(scope="module")
def adain_vgg():
    return VGG19Features(layers=ADAIN_LAYERS, seed=0)


@pytest.mark.parametrize("deepest, convolutions", [("relu4_1", 9), ("relu5_1", 13),
                                                   ("conv5_4", 16)])
def test_parameter_count_and_truncation(deepest, convolutions):
    vgg = VGG19Features(layers=("relu1_1", deepest), seed=0)
    assert vgg.count_params() == _conv_parameters(convolutions)
    assert len([layer for layer in vgg.layers if "conv" in layer.name]) == convolutions
    assert _conv_parameters(16) == 20_024_384  # keras.applications.VGG19(include_top=False)


def test_adain_encoder_stops_at_relu4_1(adain_vgg):
    names = [layer.name for layer in adain_vgg.layers]
    assert names[-1] == "relu4_1" and not any(name.startswith("block5") for name in names)
    assert "block4_conv2" not in names
    features = adain_vgg(IMAGES)
    assert sorted(features) == sorted(ADAIN_LAYERS)
    assert {name: tuple(value.shape) for name, value in features.items()} == {
        "relu1_1": (2, 32, 40, 64), "relu2_1": (2, 16, 20, 128),
        "relu3_1": (2, 8, 10, 256), "relu4_1": (2, 4, 5, 512)}


def test_preprocessing_equals_keras_vgg19_preprocess_input():
    expected = keras.applications.vgg19.preprocess_input(IMAGES.copy())
    got = keras.ops.convert_to_numpy(CaffePreprocessing()(IMAGES))
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_relu_is_the_rectified_conv():
    features = _numpy(VGG19Features(layers=("conv3_2", "relu3_2"), seed=0)(IMAGES))
    np.testing.assert_allclose(features["relu3_2"], np.maximum(features["conv3_2"], 0))
    assert (features["conv3_2"] < 0).any()


def test_frozen_and_gradients_reach_the_image(adain_vgg):
    assert adain_vgg.trainable_weights == [] and len(adain_vgg.non_trainable_weights) == 18
    image = tf.Variable(IMAGES[:1])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(adain_vgg(image)["relu4_1"]))
    gradient = tape.gradient(loss, image).numpy()
    assert gradient.shape == IMAGES[:1].shape
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0


def test_average_pooling_changes_outputs_but_not_parameters():
    layers = ("relu1_2", "relu2_1")
    vgg_max = VGG19Features(layers=layers, seed=1)
    vgg_average = VGG19Features(layers=layers, pooling="average", seed=1)
    assert vgg_average.count_params() == vgg_max.count_params()
    got_max, got_average = _numpy(vgg_max(IMAGES)), _numpy(vgg_average(IMAGES))
    np.testing.assert_allclose(got_average["relu1_2"], got_max["relu1_2"])  # before a pool
    assert not np.allclose(got_average["relu2_1"], got_max["relu2_1"])


def test_seed_fixes_the_random_weights():
    first, second = VGG19Features(layers=("relu1_1",), seed=5), VGG19Features(
        layers=("relu1_1",), seed=5)
    np.testing.assert_array_equal(first.weights[0].numpy(), second.weights[0].numpy())
    assert not np.array_equal(first.weights[0].numpy(),
                              VGG19Features(layers=("relu1_1",), seed=6).weights[0].numpy())


def test_weights_file_round_trip(tmp_path):
    source = VGG19Features(layers=("relu2_1",), seed=2)
    path = str(tmp_path / "vgg.weights.h5")
    source.save_weights(path)
    loaded = VGG19Features(layers=("conv2_1", "relu2_1"), weights=path, seed=3)
    np.testing.assert_allclose(_numpy(loaded(IMAGES))["relu2_1"],
                               _numpy(source(IMAGES))["relu2_1"])
    keras_format = tmp_path / "not_keras_vgg19.h5"
    keras_format.write_bytes((tmp_path / "vgg.weights.h5").read_bytes())
    for wrong_path, layers in ((path, ("relu3_1",)), (str(keras_format), ("relu2_1",))):
        with pytest.raises(UsageError, match=r"vgg\.weights\.h5|not_keras_vgg19\.h5") as error:
            VGG19Features(layers=layers, weights=wrong_path)
        assert "\n" not in str(error.value)


def test_missing_weights_file_names_the_path(tmp_path):
    for name in ("absent.weights.h5", "absent.h5"):
        with pytest.raises(UsageError, match=name) as error:
            VGG19Features(layers=("relu1_1",), weights=str(tmp_path / name))
        assert "\n" not in str(error.value)


def test_keras_applications_h5_file_gives_the_keras_activations(tmp_path):
    # The offline form of weights="imagenet": a Keras-format VGG-19 .h5 file, read by name.
    keras.utils.set_random_seed(4)
    reference = keras.applications.VGG19(include_top=False, weights=None,
                                         input_shape=(None, None, 3))
    path = str(tmp_path / "vgg19_notop.h5")
    reference.save(path)
    vgg = VGG19Features(layers=("relu2_2", "relu4_1"), weights=path)
    expected = keras.Model(reference.input, [reference.get_layer("block2_conv2").output,
                                             reference.get_layer("block4_conv1").output])(
        keras.applications.vgg19.preprocess_input(IMAGES.copy()))
    got = _numpy(vgg(IMAGES))
    np.testing.assert_allclose(got["relu2_2"], expected[0], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(got["relu4_1"], expected[1], rtol=1e-4, atol=1e-3)


def test_bad_arguments_give_one_line():
    with pytest.raises(UsageError, match="relu6_1"):
        VGG19Features(layers=("relu1_1", "relu6_1"))
    with pytest.raises(UsageError, match="'avg'"):
        VGG19Features(pooling="avg")


def test_config_and_keras_file_round_trip(tmp_path):
    check_config_round_trip(VGG19Features, {"layers": ("conv2_1", "relu1_1"),
                                            "pooling": "average", "seed": 7})
    vgg = VGG19Features(layers=("conv2_1", "relu1_1"), pooling="average", seed=7)
    check_keras_file_round_trip(vgg, IMAGES[:, :8, :12], tmp_path)
    restored = keras.models.load_model(str(tmp_path / "model.keras"))
    assert restored.trainable_weights == []
