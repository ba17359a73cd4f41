import numpy as np
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.mlp import MLPClassifier

# Non-square on purpose: nothing may assume 28×28.
IMAGES = np.random.default_rng(0).integers(0, 256, (3, 12, 7, 1), dtype=np.uint8)


def _model():
    model = MLPClassifier(num_classes=4, hidden_units=(16, 8), dropout=0.1)
    model(IMAGES)
    return model


def test_config_round_trip():
    check_config_round_trip(MLPClassifier,
                            {"num_classes": 4, "hidden_units": (16, 8), "dropout": 0.5})


def test_output_shape_and_parameter_count():
    model = _model()
    assert model(IMAGES).shape == (3, 4)
    assert model.count_params() == (84 * 16 + 16) + (16 * 8 + 8) + (8 * 4 + 4)


def test_uint8_and_float_pixels_agree():
    model = _model()
    np.testing.assert_allclose(model(IMAGES), model(IMAGES.astype("float32")), rtol=1e-6)


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(), IMAGES, tmp_path)
