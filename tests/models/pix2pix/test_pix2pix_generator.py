import keras
import numpy as np
import pytest
from harness import (
    check_any_size_export,
    check_config_round_trip,
    check_keras_file_round_trip,
    check_size_rule,
)

from dlx_tf.models.pix2pix import Pix2PixGenerator

# Small and non-square on purpose: 6 downsamplings take 64×128 to a 1×2 bottleneck, and
# level 4 of 0…5 has dropout.
IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 64, 128, 3)).astype("float32")


def _model(**kwargs):
    model = Pix2PixGenerator(filters=kwargs.pop("filters", 2), num_downsamplings=6, **kwargs)
    model(IMAGES)
    return model


def test_config_round_trip():
    check_config_round_trip(Pix2PixGenerator, {"filters": 4, "num_downsamplings": 5,
                                               "normalization": "instance", "dropout": 0.25,
                                               "output_channels": 1})


def test_official_parameter_count():
    # unet_256, --norm batch (no bias before batch norm), per UnetSkipConnectionBlock:
    #   outermost 3 → 64:  down 4·4·3·64 = 3,072 + up 4·4·128·3 + 3 (bias, tanh) = 6,147 → 9,219
    #   64 → 128:   down 4·4·64·128 = 131,072 + BN 2·128 + up 4·4·256·64 = 262,144 + BN 2·64
    #               → 393,600
    #   128 → 256:  524,288 + 512 + 1,048,576 + 256 → 1,573,632
    #   256 → 512:  2,097,152 + 1,024 + 4,194,304 + 512 → 6,292,992
    #   3 × 512 → 512 (dropout): 4,194,304 + 1,024 + 8,388,608 + 1,024 → 3 × 12,584,960
    #   innermost 512 → 512, no down norm: 4,194,304 + 4,194,304 + BN 1,024 → 8,389,632
    #   total 54,413,955 (PyTorch's trainable parameters).
    model = Pix2PixGenerator()
    model.build((None, 256, 256, 3))
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == 54_413_955
    # Keras keeps batch norm's moving mean and variance as non-trainable weights (PyTorch
    # buffers), one each per BN channel: downs 128+256+512·4, ups 64+128+256+512·4.
    assert model.count_params() - trainable == 2 * (2_432 + 2_496)
    biases = [w.path for w in model.trainable_weights if w.path.endswith("conv/bias")]
    assert [path.split("/")[-3] for path in biases] == ["up_0"]


def test_instance_norm_has_biases_and_no_norm_weights():
    model = Pix2PixGenerator(filters=2, num_downsamplings=5, normalization="instance",
                             dropout=0)
    model.build((None, 32, 32, 3))
    names = sorted(w.path.split("/")[-1] for w in model.weights)
    assert names == ["bias"] * 10 + ["kernel"] * 10


def test_output_shape_and_range():
    images = keras.ops.convert_to_numpy(_model(output_channels=2)(IMAGES))
    assert images.shape == (2, 64, 128, 2)
    assert images.dtype == np.float32
    assert np.all(np.abs(images) <= 1.0)


def test_size_rule():
    model = Pix2PixGenerator(filters=2, num_downsamplings=3)
    assert model.size_multiple == model.min_side == 8
    check_size_rule(model)
    with pytest.raises(ValueError, match="multiples of 64 and at least 64; got width 96"):
        Pix2PixGenerator(filters=2, num_downsamplings=6).build((None, 64, 96, 3))


def test_rejects_unknown_normalization():
    with pytest.raises(ValueError, match="normalization must be one of.*'layer'"):
        Pix2PixGenerator(normalization="layer")


def test_inference_is_per_image_and_repeatable():
    # Per-image batch-norm statistics and per-image dropout masks: an image's output
    # depends neither on its batch mates nor on earlier calls.
    model = _model()
    together = keras.ops.convert_to_numpy(model(IMAGES))
    np.testing.assert_array_equal(model(IMAGES), together)
    np.testing.assert_allclose(model(IMAGES[:1]), together[:1], atol=1e-6)
    np.testing.assert_allclose(model(IMAGES[1:]), together[1:], atol=1e-6)


def test_dropout_is_active_at_inference():
    model = _model(dropout=0.5)
    without = _model(dropout=0.0)
    without.set_weights(model.get_weights())
    assert np.abs(model(IMAGES) - without(IMAGES)).max() > 1e-3
    assert _model(dropout=0.0)(IMAGES).shape == IMAGES.shape  # no dropout layer misbehaves


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(normalization="instance"), IMAGES, tmp_path)
    check_keras_file_round_trip(_model(), IMAGES, tmp_path)


def test_saved_model_serves_any_size_like_the_live_model(tmp_path):
    # Dropout stays on in the export and still matches: its masks come from the pixels.
    other = np.random.default_rng(1).uniform(-1, 1, (1, 128, 64, 3)).astype("float32")
    served = check_any_size_export("pix2pix_generator", _model(), "translated", IMAGES, other,
                                   tmp_path)
    assert served.shape == (1, 128, 64, 3)
