"""The serving signature of an image-to-image generator: uint8 images in and out."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.ranges import at_least, at_most, within

# Per request: a 1024² image through CycleGAN's 9-block generator keeps ~1-2 GB of
# activations alive on a CPU; a 4096² one ended a server in std::bad_alloc.
TRANSLATOR_LIMITS = {"pixels_per_image": 1024 * 1024, "batch": 8}
# The stem pads by 3 at full size and the residual blocks by 1 at a quarter of it.
MIN_SIDE = 8


def image_translator_endpoints(generator, multiple=4, limits=None):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    Input `images`: uint8 `[batch, height, width, 3]` (RGB), height and width at least
    `MIN_SIDE` and divisible by `multiple` (the generator's total stride); output
    `images` of the same shape. A request over `limits` (`TRANSLATOR_LIMITS` updated by
    the given dict: pixels per image, images per request) is refused with an error naming
    the limit, before any work; write the same dict into the export's manifest.
    """
    limits = {**TRANSLATOR_LIMITS, **(limits or {})}

    def serve(images):
        layout, sizes = check_layout(images, "images", ("batch", "height", "width", 3))
        batch, height, width = sizes[0], sizes[1], sizes[2]
        with tf.control_dependencies([layout]):
            checks = [
                within(1, limits["batch"]).check(batch, "images: batch size"),
                at_least(MIN_SIDE).check(tf.minimum(height, width), "images: height and width"),
                at_most(limits["pixels_per_image"]).check(
                    tf.cast(height, tf.int64) * tf.cast(width, tf.int64),
                    "images: pixels per image (height × width)"),
                tf.debugging.Assert(
                    (height % multiple == 0) & (width % multiple == 0),
                    [f"images: expected height and width divisible by {multiple}, got shape",
                     tf.shape(images)], summarize=4),
            ]
        pixels = to_unit_range(checked(images, checks, [None, None, None, 3]))
        return {"images": from_unit_range(generator(pixels, training=False))}

    return {"serving_default": (serve, [request_spec(tf.uint8, "images")])}
