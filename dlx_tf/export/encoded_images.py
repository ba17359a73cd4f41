"""Encoded images in serving requests: PNG or JPEG bytes in, checked before decoding; PNG
bytes out.

Every image-taking export has a second signature, `encoded` (`ENCODED_SIGNATURE`), that takes
tf.string `[batch]` inputs named `<name>_bytes` and returns PNG bytes as `png_bytes`
(`PNG_OUTPUT`; TF Serving's REST API base64-encodes, as `{"b64": ...}`, only outputs whose
names end in `_bytes`).

A server must not decode what it cannot hold: a PNG of a few kilobytes can declare 50,000²
pixels. So the sizes are read from the headers (PNG's IHDR chunk; JPEG's frame header, by
`tf.image.extract_jpeg_shape`, which decodes nothing) and checked, with the bytes per image
and the format, before any image is decoded. Grey and colour images (PNG grey, RGB, palette,
with or without alpha; JPEG grey or colour) are converted to the channels the model takes:
colour to grey by luma, grey to RGB by repetition, alpha dropped (not composited). CMYK JPEGs
are refused. Bytes that pass the header checks but are corrupt further on are refused by the
decoder's own error (INVALID_ARGUMENT, e.g. "Invalid PNG data" or "Invalid JPEG data").
"""

import tensorflow as tf

from dlx_tf.export.encoded_format import JPEG_SIGNATURE, PNG_SIGNATURE
from dlx_tf.export.request_checks import check_layout
from dlx_tf.ranges import at_most, within

# PNG: signature (8 bytes), IHDR chunk length (4) and type (4), width (4), height (4).
_HEAD = 24


def encoded_checks(encoded, name, limits, size_checks):
    """Assertions on `encoded`, PNG/JPEG bytes, each naming `name`: tf.string `[batch]`
    first, then at most `limits["batch"]` images of at most `limits["bytes_per_image"]`
    bytes, each a PNG or a JPEG; then JPEGs of 1 or 3 channels and `size_checks(name,
    heights, widths)` on the int64 `[batch]` sizes the headers declare. Decode under all
    of them: `checked(encoded, checks, [None])`."""
    layout, sizes = check_layout(encoded, name, ("batch",))
    with tf.control_dependencies([layout]):
        encoded = tf.reshape(encoded, [-1])
        # Every head 24 bytes, however short the image: substr from 0 never fails.
        head = tf.strings.substr(
            tf.strings.join([tf.strings.substr(encoded, 0, _HEAD), b"\0" * _HEAD]), 0, _HEAD)
        is_png = ((tf.strings.substr(head, 0, 8) == PNG_SIGNATURE)
                  & (tf.strings.substr(head, 12, 4) == b"IHDR"))
        is_jpeg = tf.strings.substr(head, 0, 3) == JPEG_SIGNATURE
        known = is_png | is_jpeg
        first = [
            within(1, limits["batch"]).check(sizes[0], f"{name}: batch size"),
            at_most(limits["bytes_per_image"]).check(tf.strings.length(encoded),
                                                     f"{name}: bytes per image"),
            tf.debugging.Assert(tf.reduce_all(known), [
                f"{name}: expected PNG or JPEG data, got data starting",
                tf.boolean_mask(tf.strings.substr(encoded, 0, 8), ~known)]),
        ]
    # The input's name in the node names of the ops that read headers or decode: a
    # decoder's error shows them.
    with tf.control_dependencies(first), tf.name_scope(f"{name}_header"):
        heights, widths, channels = _declared_shapes(encoded, head, is_jpeg)
        # libjpeg converts no CMYK or YCCK JPEG to grey or RGB.
        channels_check = tf.debugging.Assert(
            tf.reduce_all((channels == 1) | (channels == 3)),
            [f"{name}: expected JPEGs of 1 or 3 channels, got channels", channels])
        return first + [channels_check] + size_checks(name, heights, widths)


def exact_size(height, width):
    """`size_checks` for `encoded_checks`: every image `height` × `width`."""

    def checks(name, heights, widths):
        return [tf.debugging.Assert(
            tf.reduce_all((heights == height) & (widths == width)),
            [f"{name}: expected {height}×{width} images (height × width), got heights",
             heights, "widths", widths])]

    return checks


def decode_image(contents, name, channels):
    """uint8 `[height, width, channels]` from one checked PNG or JPEG of the input `name`."""
    with tf.name_scope(f"{name}_decode"):
        return tf.io.decode_image(contents, channels=channels, dtype=tf.uint8,
                                  expand_animations=False)


def decode_images(encoded, name, height, width, channels):
    """uint8 `[batch, height, width, channels]` from checked PNGs/JPEGs of that size."""
    return tf.map_fn(
        lambda contents: tf.reshape(decode_image(contents, name, channels),
                                    [height, width, channels]),
        encoded, fn_output_signature=tf.TensorSpec([height, width, channels], tf.uint8))


def encode_pngs(images):
    """tf.string `[batch]`: each uint8 `[height, width, channels]` image as PNG bytes."""
    return tf.map_fn(tf.io.encode_png, images, fn_output_signature=tf.string)


def _declared_shapes(encoded, head, is_jpeg):
    """`(heights, widths, channels)`, int64 `[batch]`, as the headers declare them; a PNG
    counts as 3 channels, since any PNG colour type converts."""
    # PNG: width then height, big-endian uint32s at bytes 16-23 (IHDR).
    fields = tf.cast(tf.io.decode_raw(head, tf.uint8)[:, 16:], tf.int64)
    width_height = tf.reduce_sum(tf.reshape(fields, [-1, 2, 4]) * [1 << 24, 1 << 16, 1 << 8, 1],
                                 axis=-1)

    def shape(args):
        contents, jpeg, png_width_height = args
        return tf.cond(jpeg,
                       lambda: tf.cast(tf.image.extract_jpeg_shape(contents), tf.int64),
                       lambda: tf.concat([tf.reverse(png_width_height, [0]), [3]], 0))

    shapes = tf.map_fn(shape, (encoded, is_jpeg, width_height),
                       fn_output_signature=tf.TensorSpec([3], tf.int64))
    return shapes[:, 0], shapes[:, 1], shapes[:, 2]
