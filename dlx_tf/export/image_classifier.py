"""The serving signature of an image classifier: uint8 images in, probabilities and label out."""

import tensorflow as tf

from dlx_tf.export.request_checks import check_layout, request_spec
from dlx_tf.ranges import within

# Per request: a 28² MLP handles 1,024 images in milliseconds; the cap keeps one request
# from holding a server's memory.
IMAGE_CLASSIFIER_LIMITS = {"batch": 1024}


def image_classifier_endpoints(model, height, width, channels, limits=None):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    The input `images` is uint8 `[batch, height, width, channels]`, or
    `[batch, height, width]` when `channels` is 1, with at most `limits["batch"]` images
    (`IMAGE_CLASSIFIER_LIMITS` updated by the given dict); anything else is refused with a
    message naming the expected shape. Outputs: `probabilities` float32
    `[batch, classes]` and `label` int64 `[batch]`.
    """
    limits = {**IMAGE_CLASSIFIER_LIMITS, **(limits or {})}
    layouts = [("batch", height, width, channels)] + (
        [("batch", height, width)] if channels == 1 else [])

    def serve(images):
        layout, sizes = check_layout(images, "images", *layouts)
        with tf.control_dependencies([layout]):
            batch = within(1, limits["batch"]).check(sizes[0], "images: batch size")
        with tf.control_dependencies([batch]):
            images = tf.reshape(images, [-1, height, width, channels])
        probabilities = tf.nn.softmax(model(images, training=False), axis=-1)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    return {"serving_default": (serve, [request_spec(tf.uint8, "images")])}
