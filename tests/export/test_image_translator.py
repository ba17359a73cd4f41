import numpy as np
import pytest
import tensorflow as tf
from encoded_requests import (
    assert_lines_match,
    bytes_request,
    exactly,
    jpeg,
    png,
    png_declaring,
    write_files,
)
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
                    "4, got height] [18] [width] [16]",
    (1, 16, 16, 4): "refused: assertion failed: [images: expected uint8 [batch, height, width, "
                    "3], got shape] [1 16 16 4]",
    (1, 16, 16, 1): "refused: assertion failed: [images: expected uint8 [batch, height, width, "
                    "3], got shape] [1 16 16 1]",
    (16, 16, 3): "refused: assertion failed: [images: expected uint8 [batch, height, width, 3], "
                 "got shape] [16 16 3]",
    (2, 24, 16, 3): "served: {'images': (2, 24, 16, 3)}",
}


def _encoded_requests(folder):
    """Requests to the `encoded` signature → the answer (a pattern)."""
    paths = write_files(folder, {
        "photo.jpg": jpeg(np.full((24, 16, 3), 128, np.uint8)),
        "grey.png": png(np.zeros((16, 16, 1), np.uint8)),
        "odd.png": png(np.zeros((18, 16, 3), np.uint8)),
        "tiny.png": png(np.zeros((4, 4, 3), np.uint8)),
        "bomb.png": png_declaring(1100, 1000),
        "frame.gif": b"GIF89a\x10\x00\x10\x00"})
    prefix = "refused: assertion failed: [images_bytes: "
    return {
        # Sizes are read from the headers: this one would decode to 1.1 M pixels.
        bytes_request(paths, images_bytes=["photo.jpg", "bomb.png"]):
            exactly(prefix + "pixels per image (height × width): expected a value ≤ 1,048,576, "
                             "got] [384 1100000]"),
        bytes_request(paths, images_bytes=["odd.png"]):
            exactly(prefix + "expected height and width divisible by 4, got height] [18] "
                             "[width] [16]"),
        bytes_request(paths, images_bytes=["tiny.png"]):
            exactly(prefix + "height and width: expected a value ≥ 8, got] [4]"),
        bytes_request(paths, images_bytes=["frame.gif"]):
            exactly(prefix + "expected PNG or JPEG data, got data starting] "
                             "[GIF89a\\020\\000]"),
        bytes_request(paths, images_bytes=["photo.jpg"] * 9):
            exactly(prefix + "batch size: expected a value in [1, 8], got] [9]"),
        bytes_request(paths, images_bytes=["photo.jpg", "grey.png"]):
            exactly("served: {'png_bytes': (2,)}"),
    }


def test_oversized_or_malformed_requests_are_refused_before_any_work(exported, tmp_path):
    encoded = _encoded_requests(tmp_path)
    returncode, lines = requests_in_fresh_process(
        exported.path, [f"{{'images': np.zeros({shape}, np.uint8)}}" for shape in REQUESTS]
        + [("encoded", request) for request in encoded])
    assert returncode == 0, lines
    assert lines[:len(REQUESTS)] == list(REQUESTS.values())
    assert_lines_match(lines[len(REQUESTS):], list(encoded.values()))


def test_png_and_jpeg_bytes_translate_at_their_own_sizes_like_uint8_images(exported):
    signatures = tf.saved_model.load(exported.path).signatures
    rng = np.random.default_rng(0)
    square = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    # A smooth photo-like gradient, so that JPEG keeps it close.
    photo = np.broadcast_to(np.linspace(0, 255, 16, dtype=np.uint8)[None, :, None], (24, 16, 3))
    encoded = [png(square), jpeg(photo, quality=95)]
    answers = signatures["encoded"](images_bytes=tf.constant(encoded))["png_bytes"].numpy()
    translated = [tf.io.decode_png(answer).numpy() for answer in answers]
    assert [image.shape for image in translated] == [(16, 16, 3), (24, 16, 3)]
    decoded_photo = tf.io.decode_jpeg(encoded[1]).numpy()
    assert np.abs(decoded_photo.astype(int) - photo).max() <= 8
    for image, sent in zip(translated, (square, decoded_photo)):
        expected = signatures["serving_default"](images=tf.constant(sent[None]))["images"][0]
        np.testing.assert_array_equal(image, expected)


def test_limits_can_be_set_at_export_time(tmp_path):
    serve = tf.saved_model.load(_export(tmp_path, {"batch": 2}).path).signatures[
        "serving_default"]
    assert serve(images=tf.zeros((2, 8, 8, 3), tf.uint8))["images"].shape == (2, 8, 8, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"batch size: expected a value "
                                                             r"in \[1, 2\], got"):
        serve(images=tf.zeros((3, 8, 8, 3), tf.uint8))
