import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process
from harness import check_saved_model_matches

from dlx_tf.export import export_saved_model
from dlx_tf.export.image_classifier import image_classifier_endpoints
from dlx_tf.models.mlp import MLPClassifier

# Non-square on purpose: nothing may assume 28×28.
IMAGES = np.random.default_rng(0).integers(0, 256, (3, 12, 7, 1), dtype=np.uint8)


def _model():
    model = MLPClassifier(num_classes=4, hidden_units=(16, 8), dropout=0.1)
    model(IMAGES)
    return model


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _model()
    probabilities = tf.nn.softmax(model(IMAGES)).numpy()
    version = check_saved_model_matches(
        "mlp", model, image_classifier_endpoints(model, 12, 7, 1, limits={"batch": 5}),
        {"images": IMAGES[..., 0]},
        {"probabilities": probabilities, "label": probabilities.argmax(-1)},
        tmp_path_factory.mktemp("export"))
    return version, probabilities


def test_images_with_and_without_the_channel_axis_serve_like_the_live_model(exported):
    version, probabilities = exported
    serve = tf.saved_model.load(version.path).signatures["serving_default"]
    with_channel = serve(images=tf.constant(IMAGES))
    np.testing.assert_allclose(with_channel["probabilities"], probabilities, rtol=1e-5)


# Shape → the answer. An unbatched image used to fail inside the shape check itself
# ("Incompatible shapes: [3] vs. [2]").
REQUESTS = {
    (12, 7): "refused: assertion failed: [images: expected uint8 [batch, 12, 7, 1] or "
             "[batch, 12, 7], got shape] [12 7]",
    (2, 7, 12): "refused: assertion failed: [images: expected uint8 [batch, 12, 7, 1] or "
                "[batch, 12, 7], got shape] [2 7 12]",
    (2, 12, 7, 3): "refused: assertion failed: [images: expected uint8 [batch, 12, 7, 1] or "
                   "[batch, 12, 7], got shape] [2 12 7 3]",
    (): "refused: assertion failed: [images: expected uint8 [batch, 12, 7, 1] or "
        "[batch, 12, 7], got shape] []",
    (6, 12, 7): "refused: assertion failed: [images: batch size: expected a value in [1, 5], "
                "got] [6]",
    (0, 12, 7): "refused: assertion failed: [images: batch size: expected a value in [1, 5], "
                "got] [0]",
    (5, 12, 7): "served: {'label': (5,), 'probabilities': (5, 4)}",
}


def test_malformed_and_oversized_requests_are_refused_naming_the_input(exported):
    returncode, lines = requests_in_fresh_process(
        exported[0].path, [f"{{'images': np.zeros({shape}, np.uint8)}}" for shape in REQUESTS])
    assert returncode == 0, lines
    assert lines == list(REQUESTS.values())


def test_by_default_a_request_holds_at_most_1024_images(tmp_path):
    model = _model()
    endpoints = image_classifier_endpoints(model, 12, 7, 1)
    version = export_saved_model("mlp", resources=[model], endpoints=endpoints,
                                 warmup_inputs={"images": IMAGES}, manifest={"experiment": "t"},
                                 base_dir=str(tmp_path))
    serve = tf.saved_model.load(version.path).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"batch size: expected a value in "
                                                             r"\[1, 1,024\], got"):
        serve(images=tf.zeros([1025, 12, 7], tf.uint8))
