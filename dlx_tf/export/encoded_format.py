"""Names of the encoded-image signatures and the magic bytes of their formats, importable
without TensorFlow (the serving client needs them before, or without, importing it)."""

ENCODED_SIGNATURE = "encoded"
# TF Serving's REST API base64-encodes, as {"b64": ...}, only outputs named *_bytes.
PNG_OUTPUT = "png_bytes"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
