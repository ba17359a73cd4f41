import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process

from dlx_tf.export import export_saved_model
from dlx_tf.export.image_translator import image_translator_endpoints
from dlx_tf.models.cyclegan import CycleGANGenerator


def _export(base_dir, limits=None):
    generator = CycleGANGenerator(filters=4, num_residual_blocks=1)
    generator(tf.zeros((1, 16, 16, 3)))
    return export_saved_model(
        "tiny_translator", resources=[generator],
        endpoints=image_translator_endpoints(generator, limits=limits),
        warmup_inputs={"images": np.zeros((1, 16, 16, 3), np.uint8)},
        manifest={"experiment": "test"}, base_dir=str(base_dir))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return _export(tmp_path_factory.mktemp("saved_models"))


# Shape → the answer. Before the layout check, a rank-3 image ended the process in a
# oneDNN `Check failed`, and RGBA or grey images failed deep inside the generator.
REQUESTS = {
    (1, 4096, 4096, 3): "refused: assertion failed: [images: pixels per image (height × width): "
                        "expected a value ≤ 1,048,576, got] [16777216]",
    (16, 64, 64, 3): "refused: assertion failed: [images: batch size: expected a value in "
                     "[1, 8], got] [16]",
    (0, 64, 64, 3): "refused: assertion failed: [images: batch size: expected a value in "
                    "[1, 8], got] [0]",
    (1, 4, 4, 3): "refused: assertion failed: [images: height and width: expected a value ≥ 8, "
                  "got] [4]",
    (1, 0, 16, 3): "refused: assertion failed: [images: height and width: expected a value ≥ 8, "
                   "got] [0]",
    (1, 18, 16, 3): "refused: assertion failed: [images: expected height and width divisible by "
                    "4, got shape] [1 18 16 3]",
    (1, 16, 16, 4): "refused: assertion failed: [images: expected uint8 [batch, height, width, "
                    "3], got shape] [1 16 16 4]",
    (1, 16, 16, 1): "refused: assertion failed: [images: expected uint8 [batch, height, width, "
                    "3], got shape] [1 16 16 1]",
    (16, 16, 3): "refused: assertion failed: [images: expected uint8 [batch, height, width, 3], "
                 "got shape] [16 16 3]",
    (2, 24, 16, 3): "served: {'images': (2, 24, 16, 3)}",
}


def test_oversized_or_malformed_requests_are_refused_before_any_work(exported):
    returncode, lines = requests_in_fresh_process(
        exported.path, [f"{{'images': np.zeros({shape}, np.uint8)}}" for shape in REQUESTS])
    assert returncode == 0, lines
    assert lines == list(REQUESTS.values())


def test_limits_can_be_set_at_export_time(tmp_path):
    serve = tf.saved_model.load(_export(tmp_path, {"batch": 2}).path).signatures[
        "serving_default"]
    assert serve(images=tf.zeros((2, 8, 8, 3), tf.uint8))["images"].shape == (2, 8, 8, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"batch size: expected a value "
                                                             r"in \[1, 2\], got"):
        serve(images=tf.zeros((3, 8, 8, 3), tf.uint8))
