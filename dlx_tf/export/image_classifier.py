"""Serving signatures of an image classifier: uint8 images or PNG/JPEG bytes in,
probabilities and label out."""

import tensorflow as tf

from dlx_tf.export.encoded_format import ENCODED_SIGNATURE
from dlx_tf.export.encoded_images import decode_images, encoded_checks, exact_size
from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.ranges import within

# Per request: a 28² MLP handles 1,024 images in milliseconds; the cap keeps one request
# from holding a server's memory. A 28² PNG takes about 1 KiB.
IMAGE_CLASSIFIER_LIMITS = {"batch": 1024, "bytes_per_image": 1 << 16}


def image_classifier_endpoints(model, height, width, channels, limits=None):
    """`{"serving_default": ..., "encoded": ...}` for `export_saved_model`.

    `serving_default` takes `images`, uint8 `[batch, height, width, channels]`, or
    `[batch, height, width]` when `channels` is 1. `encoded` takes `images_bytes`,
    tf.string `[batch]`, each a PNG or JPEG of `height` × `width` pixels (see
    `dlx_tf.export.encoded_images`: sizes checked from the headers before decoding,
    grey or colour converted to `channels`). Both return `probabilities` float32
    `[batch, classes]` and `label` int64 `[batch]`. A request over `limits`
    (`IMAGE_CLASSIFIER_LIMITS` updated by the given dict: images per request, bytes per
    encoded image) or of another shape or size is refused with a message naming the
    input, before any work; write the same dict into the export's manifest.
    """
    limits = {**IMAGE_CLASSIFIER_LIMITS, **(limits or {})}
    layouts = [("batch", height, width, channels)] + (
        [("batch", height, width)] if channels == 1 else [])

    def classify(images):
        probabilities = tf.nn.softmax(model(images, training=False), axis=-1)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    def serve(images):
        layout, sizes = check_layout(images, "images", *layouts)
        with tf.control_dependencies([layout]):
            batch = within(1, limits["batch"]).check(sizes[0], "images: batch size")
        with tf.control_dependencies([batch]):
            images = tf.reshape(images, [-1, height, width, channels])
        return classify(images)

    def serve_encoded(images_bytes):
        checks = encoded_checks(images_bytes, "images_bytes", limits, exact_size(height, width))
        return classify(decode_images(checked(images_bytes, checks, [None]), "images_bytes",
                                      height, width, channels))

    return {"serving_default": (serve, [request_spec(tf.uint8, "images")]),
            ENCODED_SIGNATURE: (serve_encoded, [request_spec(tf.string, "images_bytes")])}
