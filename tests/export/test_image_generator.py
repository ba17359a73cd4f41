import numpy as np
import tensorflow as tf
from encoded_requests import assert_lines_match, bytes_request, exactly, png, write_files
from fresh_request import requests_in_fresh_process
from harness import check_saved_model_matches

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.image_generator import (
    conditional_generator_endpoints,
    interpolator_endpoints,
)
from dlx_tf.models.acai.acai import ACAI
from dlx_tf.models.acai.acai_critic import ACAICritic
from dlx_tf.models.acai.acai_decoder import ACAIDecoder
from dlx_tf.models.acai.acai_encoder import ACAIEncoder
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator

# Requests to a generator of latent size 6 and 3 classes → the answer. Before these checks
# NaN gave black images, and negative or unnormalised mixtures were drawn as given.
_LATENTS, _MIXTURE = "np.zeros((2, 6), np.float32)", "np.array([[1, 0, 0]] * 2, np.float32)"
GENERATOR_REQUESTS = {
    f"{{'latents': {_LATENTS}, 'class_mixture': np.array([[1.5, -0.5, 0]] * 2, np.float32)}}":
        "refused: assertion failed: [class_mixture: expected a value in [0, 1], got] "
        "[1.5 -0.5 0...]",
    f"{{'latents': {_LATENTS}, 'class_mixture': np.array([[0.5, 0.2, 0]] * 2, np.float32)}}":
        "refused: assertion failed: [class_mixture: sum of each row: expected a value in "
        "[0.999, 1.001], got] [0.7 0.7]",
    f"{{'latents': np.full((2, 6), np.nan, np.float32), 'class_mixture': {_MIXTURE}}}":
        "refused: assertion failed: [latents: expected a value that is finite, got] "
        "[nan nan nan...]",
    f"{{'latents': {_LATENTS}, 'class_mixture': np.ones((2, 4), np.float32) / 4}}":
        "refused: assertion failed: [class_mixture: expected float32 [batch, 3], got shape] "
        "[2 4]",
    f"{{'latents': np.zeros((2, 5), np.float32), 'class_mixture': {_MIXTURE}}}":
        "refused: assertion failed: [latents: expected float32 [batch, 6], got shape] [2 5]",
    f"{{'latents': np.zeros((6,), np.float32), 'class_mixture': {_MIXTURE}}}":
        "refused: assertion failed: [latents: expected float32 [batch, 6], got shape] [6]",
    f"{{'latents': np.zeros((1, 6), np.float32), 'class_mixture': {_MIXTURE}}}":
        "refused: assertion failed: [latents, class_mixture: expected the same batch size, "
        "got] [1] [2]",
    "{'latents': np.zeros((257, 6), np.float32), "
    "'class_mixture': np.array([[1, 0, 0]] * 257, np.float32)}":
        "refused: assertion failed: [latents: batch size: expected a value in [1, 256], got] "
        "[257]",
    f"{{'latents': {_LATENTS}, 'class_mixture': np.array([[0.3, 0.3, 0.4]] * 2, np.float32)}}":
        "served: {'images': (2, 8, 8, 3)}",
}
_IMAGES = "np.zeros((2, 8, 8, 3), np.uint8)"
INTERPOLATOR_REQUESTS = {
    f"{{'images_a': {_IMAGES}, 'images_b': {_IMAGES}, 'alpha': np.array([0.5, 1.5], np.float32)}}":
        "refused: assertion failed: [alpha: expected a value in [0, 1], got] [0.5 1.5]",
    f"{{'images_a': {_IMAGES}, 'images_b': {_IMAGES}, "
    f"'alpha': np.array([np.nan] * 2, np.float32)}}":
        "refused: assertion failed: [alpha: expected a value in [0, 1], got] [nan nan]",
    f"{{'images_a': {_IMAGES}, 'images_b': np.zeros((1, 8, 8, 3), np.uint8), "
    f"'alpha': np.zeros(2, np.float32)}}":
        "refused: assertion failed: [images_a, images_b, alpha: expected the same batch size, "
        "got] [2] [1] [2]",
    f"{{'images_a': np.zeros((8, 8, 3), np.uint8), 'images_b': {_IMAGES}, "
    f"'alpha': np.zeros(2, np.float32)}}":
        "refused: assertion failed: [images_a: expected uint8 [batch, 8, 8, 3], got shape] "
        "[8 8 3]",
    f"{{'images_a': {_IMAGES}, 'images_b': np.zeros((2, 16, 16, 3), np.uint8), "
    f"'alpha': np.zeros(2, np.float32)}}":
        "refused: assertion failed: [images_b: expected uint8 [batch, 8, 8, 3], got shape] "
        "[2 16 16 3]",
    f"{{'images_a': {_IMAGES}, 'images_b': {_IMAGES}, 'alpha': np.float32(0.5)}}":
        "refused: assertion failed: [alpha: expected float32 [batch], got shape] []",
    f"{{'images_a': {_IMAGES}, 'images_b': {_IMAGES}, 'alpha': np.array([0, 1], np.float32)}}":
        "served: {'images': (2, 8, 8, 3)}",
}


def test_conditional_generator_serves_uint8_images_for_class_mixtures(tmp_path):
    generator = DCGANGenerator(latent_dim=6, num_classes=3, embedding_dim=4, filters=4,
                               image_size=8)
    latents = np.random.default_rng(0).normal(size=(2, 6)).astype("float32")
    mixture = np.asarray([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]], "float32")
    expected = np.asarray(from_unit_range(generator((latents, mixture))))
    exported = check_saved_model_matches(
        "generator", generator, conditional_generator_endpoints(generator, 6, 3),
        {"latents": latents, "class_mixture": mixture}, {"images": expected}, tmp_path)
    pngs = tf.saved_model.load(exported.path).signatures["encoded"](
        latents=tf.constant(latents), class_mixture=tf.constant(mixture))["png_bytes"]
    np.testing.assert_array_equal([tf.io.decode_png(image) for image in pngs], expected)
    # The PNG signature makes the same checks.
    returncode, lines = requests_in_fresh_process(
        exported.path, list(GENERATOR_REQUESTS)
        + [("encoded", request) for request in GENERATOR_REQUESTS])
    assert returncode == 0, lines
    answers = list(GENERATOR_REQUESTS.values())
    assert lines == answers + [answer.replace("'images': (2, 8, 8, 3)", "'png_bytes': (2,)")
                               for answer in answers]


def test_interpolator_serves_the_decoded_latent_mix(tmp_path):
    acai = ACAI(ACAIEncoder(depth=4, latent=2, scales=2), ACAIDecoder(depth=4, scales=2),
                ACAICritic(depth=4, latent=2, scales=2), num_classes=3)
    rng = np.random.default_rng(0)
    a, b = (rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8) for _ in range(2))
    alpha = np.asarray([0.0, 0.7], "float32")
    acai(to_unit_range(a))  # builds the wrapper, which the export tracks
    expected = np.asarray(from_unit_range(acai.interpolate(to_unit_range(a), to_unit_range(b),
                                                           alpha)))
    exported = check_saved_model_matches(
        "interpolator", acai, interpolator_endpoints(acai.interpolate, 8, 8),
        {"images_a": a, "images_b": b, "alpha": alpha}, {"images": expected}, tmp_path)
    pngs = tf.saved_model.load(exported.path).signatures["encoded"](
        images_a_bytes=tf.constant([png(image) for image in a]),
        images_b_bytes=tf.constant([png(image) for image in b]),
        alpha=tf.constant(alpha))["png_bytes"]
    np.testing.assert_array_equal([tf.io.decode_png(image) for image in pngs], expected)
    encoded = _encoded_interpolator_requests(tmp_path)
    returncode, lines = requests_in_fresh_process(
        exported.path, list(INTERPOLATOR_REQUESTS) + [("encoded", r) for r in encoded])
    assert returncode == 0, lines
    assert lines[:len(INTERPOLATOR_REQUESTS)] == list(INTERPOLATOR_REQUESTS.values())
    assert_lines_match(lines[len(INTERPOLATOR_REQUESTS):], list(encoded.values()))


def _encoded_interpolator_requests(folder):
    """Requests to an 8×8 interpolator's `encoded` signature → the answer (a pattern)."""
    paths = write_files(folder, {"a.png": png(np.zeros((8, 8, 3), np.uint8)),
                                 "large.png": png(np.zeros((16, 16, 3), np.uint8)),
                                 "notes.txt": b"two images"})
    half = "np.array([0.5, 0.5], np.float32)"
    prefix = "refused: assertion failed: ["
    return {
        bytes_request(paths, images_a_bytes=["a.png"] * 2, images_b_bytes=["a.png", "large.png"],
                      alpha=half):
            exactly(prefix + "images_b_bytes: expected 8×8 images (height × width), got "
                             "heights] [8 16] [widths] [8 16]"),
        bytes_request(paths, images_a_bytes=["notes.txt"] * 2, images_b_bytes=["a.png"] * 2,
                      alpha=half):
            exactly(prefix + "images_a_bytes: expected PNG or JPEG data, got data starting] "
                             "[two imag two imag]"),
        bytes_request(paths, images_a_bytes=["a.png"] * 2, images_b_bytes=["a.png"],
                      alpha=half):
            exactly(prefix + "images_a_bytes, images_b_bytes, alpha: expected the same batch "
                             "size, got] [2] [1] [2]"),
        bytes_request(paths, images_a_bytes=["a.png"] * 2, images_b_bytes=["a.png"] * 2,
                      alpha="np.array([0.5, 1.5], np.float32)"):
            exactly(prefix + "alpha: expected a value in [0, 1], got] [0.5 1.5]"),
        bytes_request(paths, images_a_bytes=["a.png"] * 2, images_b_bytes=["a.png"] * 2,
                      alpha=half):
            exactly("served: {'png_bytes': (2,)}"),
    }
