import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip, check_keras_file_round_trip, check_saved_model_matches

from dlx_tf.export.image_classifier import image_classifier_endpoints
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


def test_saved_model_serves_probabilities_and_labels_like_the_live_model(tmp_path):
    model = _model()
    probabilities = tf.nn.softmax(model(IMAGES)).numpy()
    endpoints = image_classifier_endpoints(model, 12, 7, 1)
    exported = check_saved_model_matches(
        "mlp", model, endpoints, {"images": IMAGES[..., 0]},
        {"probabilities": probabilities, "label": probabilities.argmax(-1)}, tmp_path,
    )
    serve = tf.saved_model.load(exported.path)
    with_channel = serve.signatures["serving_default"](images=tf.constant(IMAGES))
    np.testing.assert_allclose(with_channel["probabilities"], probabilities, rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images must be uint8 \[batch, 12"):
        serve.signatures["serving_default"](images=tf.zeros([2, 7, 12], tf.uint8))
