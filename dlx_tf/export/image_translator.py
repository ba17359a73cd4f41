"""Serving signatures of an image-to-image generator: uint8 images in and out, or PNG/JPEG
bytes in and PNG bytes out."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.encoded_format import ENCODED_SIGNATURE, PNG_OUTPUT
from dlx_tf.export.encoded_images import decode_image, encoded_checks
from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.ranges import at_least, at_most, within

# Per request: a 1024² image through CycleGAN's 9-block generator keeps ~1-2 GB of
# activations alive on a CPU; a 4096² one ended a server in std::bad_alloc. A 1024² RGB
# PNG of noise takes ~3.2 MB.
TRANSLATOR_LIMITS = {"pixels_per_image": 1024 * 1024, "batch": 8, "bytes_per_image": 1 << 22}


def image_translator_endpoints(generator, limits=None):
    """`{"serving_default": ..., "encoded": ...}` for `export_saved_model`.

    `serving_default` takes `images`, uint8 `[batch, height, width, 3]` (RGB), and returns
    `images` of the same shape. `encoded` takes `images_bytes`, tf.string `[batch]`, each a
    PNG or JPEG (grey converted to RGB; see `dlx_tf.export.encoded_images`), and returns
    `png_bytes`, tf.string `[batch]`, each image translated at its own size, one at a time,
    so one request may mix sizes. Height and width must be at least the generator's
    `min_side` and divisible by its `size_multiple` (its total stride). A request over `limits`
    (`TRANSLATOR_LIMITS` updated by the given dict: pixels per image, images per request,
    bytes per encoded image) is refused with an error naming the limit, before any work
    (sizes of encoded images are read from their headers); write the same dict into the
    export's manifest.
    """
    limits = {**TRANSLATOR_LIMITS, **(limits or {})}
    multiple, min_side = generator.size_multiple, generator.min_side

    def size_checks(name, heights, widths):
        return [
            at_least(min_side).check(tf.minimum(heights, widths), f"{name}: height and width"),
            at_most(limits["pixels_per_image"]).check(
                tf.cast(heights, tf.int64) * tf.cast(widths, tf.int64),
                f"{name}: pixels per image (height × width)"),
            tf.debugging.Assert(
                tf.reduce_all((heights % multiple == 0) & (widths % multiple == 0)),
                [f"{name}: expected height and width divisible by {multiple}, got height",
                 heights, "width", widths]),
        ]

    def translate(images):
        return from_unit_range(generator(to_unit_range(images), training=False))

    def serve(images):
        layout, sizes = check_layout(images, "images", ("batch", "height", "width", 3))
        with tf.control_dependencies([layout]):
            checks = [within(1, limits["batch"]).check(sizes[0], "images: batch size"),
                      *size_checks("images", sizes[1], sizes[2])]
        return {"images": translate(checked(images, checks, [None, None, None, 3]))}

    def serve_encoded(images_bytes):
        checks = encoded_checks(images_bytes, "images_bytes", limits, size_checks)

        def translate_one(contents):
            image = decode_image(contents, "images_bytes", 3)[tf.newaxis]  # (1, h, w, 3)
            return tf.io.encode_png(translate(image)[0])

        # One image at a time: a request's peak memory is that of its largest image.
        return {PNG_OUTPUT: tf.map_fn(translate_one, checked(images_bytes, checks, [None]),
                                      fn_output_signature=tf.string, parallel_iterations=1)}

    return {"serving_default": (serve, [request_spec(tf.uint8, "images")]),
            ENCODED_SIGNATURE: (serve_encoded, [request_spec(tf.string, "images_bytes")])}
