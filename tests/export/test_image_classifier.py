import numpy as np
import pytest
import tensorflow as tf
from encoded_requests import (
    assert_lines_match,
    bytes_request,
    cmyk_jpeg,
    exactly,
    jpeg,
    png,
    png_declaring,
    write_files,
)
from fresh_request import requests_in_fresh_process
from harness import check_saved_model_matches

from dlx_tf.export import export_saved_model
from dlx_tf.export.image_classifier import image_classifier_endpoints
from dlx_tf.models.mlp import MLPClassifier

# Non-square on purpose: nothing may assume 28×28.
IMAGES = np.random.default_rng(0).integers(0, 256, (3, 12, 7, 1), dtype=np.uint8)
LIMITS = {"batch": 5, "bytes_per_image": 4096}


def _model():
    model = MLPClassifier(num_classes=4, hidden_units=(16, 8), dropout=0.1)
    model(IMAGES)
    return model


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _model()
    probabilities = tf.nn.softmax(model(IMAGES)).numpy()
    version = check_saved_model_matches(
        "mlp", model, image_classifier_endpoints(model, 12, 7, 1, limits=LIMITS),
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


def test_png_and_jpeg_bytes_get_the_answers_of_the_uint8_signature(exported):
    signatures = tf.saved_model.load(exported[0].path).signatures

    def check_same_answer(encoded, images):
        answer = signatures["encoded"](images_bytes=tf.constant(encoded))
        expected = signatures["serving_default"](images=tf.constant(images))
        for name in ("probabilities", "label"):
            np.testing.assert_array_equal(answer[name], expected[name], err_msg=name)

    # Grey, RGB and RGBA PNGs of the same grey pixels: colour becomes grey by luma (exact
    # for grey colours), alpha is dropped.
    rgb = np.repeat(IMAGES, 3, axis=-1)
    for images in (IMAGES, rgb, np.concatenate([rgb, np.full_like(IMAGES, 9)], axis=-1)):
        check_same_answer([png(image) for image in images], IMAGES)
    # A JPEG answers for the pixels it decodes to: its own lossy version of the image.
    jpegs = [jpeg(image) for image in IMAGES]
    decoded = np.stack([tf.io.decode_jpeg(encoded).numpy() for encoded in jpegs])
    assert 0 < np.abs(decoded.astype(int) - IMAGES).mean() < 64
    check_same_answer(jpegs, decoded)


def test_bad_image_bytes_are_refused_naming_the_input(exported, tmp_path):
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 1), dtype=np.uint8)
    files = {"digit.png": png(IMAGES[0]), "digit.jpg": jpeg(IMAGES[0]),
             "large.png": png(noise), "wrong_size.png": png(noise[:28, :28]),
             "bomb.png": png_declaring(50_000, 50_000), "cut.png": png(IMAGES[0])[:60],
             "cut.jpg": jpeg(IMAGES[0])[:-40], "cmyk.jpg": cmyk_jpeg(np.repeat(IMAGES[0], 3, -1)),
             "notes.txt": b"not an image"}
    paths = write_files(tmp_path, files)
    prefix = "refused: assertion failed: [images_bytes: "
    requests = {
        bytes_request(paths, images_bytes=["notes.txt", "digit.png"]):
            exactly(prefix + "expected PNG or JPEG data, got data starting] [not an i]"),
        bytes_request(paths, images_bytes=["large.png"]):
            exactly(prefix + f"bytes per image: expected a value ≤ 4,096, got] "
                             f"[{len(files['large.png'])}]"),
        bytes_request(paths, images_bytes=["digit.png"] * 6):
            exactly(prefix + "batch size: expected a value in [1, 5], got] [6]"),
        f"{{'images_bytes': np.array({files['digit.png']!r}, object)}}":
            exactly(prefix + "expected string [batch], got shape] []"),
        bytes_request(paths, images_bytes=["digit.png", "wrong_size.png"]):
            exactly(prefix + "expected 12×7 images (height × width), got heights] [12 28] "
                             "[widths] [7 28]"),
        # Refused from its header: decoding would allocate 2.5 GB.
        bytes_request(paths, images_bytes=["bomb.png"]):
            exactly(prefix + "expected 12×7 images (height × width), got heights] [50000] "
                             "[widths] [50000]"),
        bytes_request(paths, images_bytes=["cmyk.jpg"]):
            exactly(prefix + "expected JPEGs of 1 or 3 channels, got channels] [4]"),
        # Past a sound header, corrupt data is refused by the decoder, named by its node.
        bytes_request(paths, images_bytes=["cut.png"]):
            r"refused: .*Invalid PNG data.*\{\{node [^}]*images_bytes_decode/.*",
        bytes_request(paths, images_bytes=["cut.jpg"]):
            r"refused: .*Invalid JPEG data.*\{\{node [^}]*images_bytes_decode/.*",
        bytes_request(paths, images_bytes=["digit.png", "digit.jpg"]):
            exactly("served: {'label': (2,), 'probabilities': (2, 4)}"),
    }
    returncode, lines = requests_in_fresh_process(
        exported[0].path, [("encoded", request) for request in requests])
    assert returncode == 0, lines
    assert_lines_match(lines, list(requests.values()))
