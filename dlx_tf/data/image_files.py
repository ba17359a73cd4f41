"""Image files in folders: which decode (and which are skipped, with the reason), decoding to
RGB and resizing, shared by the unpaired and paired image loaders."""

import os
import re

import tensorflow as tf

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MAX_PIXELS = 40_000_000  # ~120 MB decoded as RGB; a 20,000² PNG would take 1.2 GB


def readable_images(folder, skipped, max_pixels, shape_error=None):
    """Sorted paths of the JPEG/PNG files in `folder` that decode within `max_pixels` and,
    where given, to a `(width, height)` for which `shape_error` returns None rather than a
    reason; the others go to `skipped` and are reported."""
    paths = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not (name.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(path)):
            continue
        contents = tf.io.read_file(path)
        size = header_size(contents)
        if size is not None and size[0] * size[1] > max_pixels:
            _skip(path, f"{size[0]}×{size[1]} is {size[0] * size[1]:,} pixels, more than "
                        f"max_image_pixels {max_pixels:,}", skipped)
            continue
        try:
            height, width, _ = decode_rgb(contents).shape
        except tf.errors.OpError as error:
            # Drop TensorFlow's `{{function_node ...}}` prefix and `[Op:...] name:` suffix.
            _skip(path, " ".join(re.sub(r"\{\{.*?\}\}|\[Op:\w+\].*", "", error.message).split()),
                  skipped)
            continue
        reason = shape_error and shape_error(width, height)
        if reason:
            _skip(path, reason, skipped)
        else:
            paths.append(path)
    return paths


def _skip(path, reason, skipped):
    print(f"skipped {path}: {reason}")
    skipped.append({"path": path, "reason": reason})


def header_size(contents):
    """`(width, height)` read from a PNG's or JPEG's header without decoding it, or None."""
    head = contents.numpy()[:24]
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) == 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if head.startswith(b"\xff\xd8"):
        try:
            height, width, _ = tf.image.extract_jpeg_shape(contents).numpy()
        except tf.errors.OpError:
            return None  # decoding will report it
        return int(width), int(height)
    return None


def decode_rgb(contents):
    # channels=3 turns grayscale into RGB and drops an alpha channel.
    return tf.io.decode_image(contents, channels=3, expand_animations=False)


def resize_square(image, size, method="bilinear"):
    image = tf.image.resize(image, [size, size], method=method, antialias=True)
    image = tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)
    return tf.ensure_shape(image, [size, size, 3])
