"""The serving signature of an image-to-image generator: uint8 images in and out."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.ranges import at_least, within

# Per request: a 1024² image through CycleGAN's 9-block generator keeps ~1-2 GB of
# activations alive on a CPU; a 4096² one ended a server in std::bad_alloc.
TRANSLATOR_LIMITS = {"pixels_per_image": 1024 * 1024, "batch": 8}
# The stem pads by 3 at full size and the residual blocks by 1 at a quarter of it.
MIN_SIDE = 8


def image_translator_endpoints(generator, multiple=4, limits=None):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    Input `images`: uint8 `[batch, height, width, 3]`, height and width at least
    `MIN_SIDE` and divisible by `multiple` (the generator's total stride); output
    `images` of the same shape. A request over `limits` (`TRANSLATOR_LIMITS` updated by
    the given dict: pixels per image, images per request) is refused with an error naming
    the limit, before any work; write the same dict into the export's manifest.
    """
    limits = {**TRANSLATOR_LIMITS, **(limits or {})}

    def serve(images):
        shape = tf.shape(images)
        divisible = tf.logical_and(shape[1] % multiple == 0, shape[2] % multiple == 0)
        message = f"images must be uint8 [batch, height, width, 3] with height and width " \
                  f"divisible by {multiple}; got shape"
        checks = [
            within(1, limits["batch"]).check(shape[0], "images: batch size"),
            at_least(MIN_SIDE).check(tf.reduce_min(shape[1:3]), "images: height and width"),
            within(1, limits["pixels_per_image"]).check(
                tf.cast(shape[1], tf.int64) * tf.cast(shape[2], tf.int64),
                "images: pixels per image (height × width)"),
            tf.debugging.Assert(divisible, [message, shape], summarize=4),
        ]
        with tf.control_dependencies(checks):
            pixels = to_unit_range(images)
        return {"images": from_unit_range(generator(pixels, training=False))}

    signature = [tf.TensorSpec([None, None, None, 3], tf.uint8, name="images")]
    return {"serving_default": (serve, signature)}
