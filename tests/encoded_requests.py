"""Encoded image files for the `encoded` signatures' tests, and requests that send them
through `fresh_request`."""

import io
import re
import struct
import zlib

import numpy as np
import tensorflow as tf
from PIL import Image

from dlx_tf.export.encoded_images import PNG_SIGNATURE


def png(image):
    return tf.io.encode_png(image).numpy()


def jpeg(image, quality=90):
    return tf.io.encode_jpeg(image, quality=quality).numpy()


def cmyk_jpeg(image):
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image)).convert("CMYK").save(buffer, "JPEG")
    return buffer.getvalue()


def png_declaring(height, width):
    """A PNG of a few hundred bytes whose valid header declares `height` × `width` grey
    pixels: decoding it would allocate them all."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def write_files(folder, contents):
    """Writes `{file name: bytes}` into `folder`; returns `{file name: path}`."""
    paths = {}
    for name, data in contents.items():
        paths[name] = str(folder / name)
        with open(paths[name], "wb") as file:
            file.write(data)
    return paths


def bytes_request(paths, **inputs):
    """A `fresh_request` expression: each input a list of file names in `paths` (sent as a
    tf.string `[batch]` of their bytes) or an expression string."""
    def files(names):
        reads = ", ".join(f"open({paths[name]!r}, 'rb').read()" for name in names)
        return f"np.array([{reads}], object)"

    return "{" + ", ".join(f"{name!r}: {value if isinstance(value, str) else files(value)}"
                           for name, value in inputs.items()) + "}"


def exactly(line):
    """A pattern matching `line` alone."""
    return re.escape(line)


def assert_lines_match(lines, patterns):
    assert len(lines) == len(patterns), lines
    for line, pattern in zip(lines, patterns):
        assert re.fullmatch(pattern, line), (line, pattern)
