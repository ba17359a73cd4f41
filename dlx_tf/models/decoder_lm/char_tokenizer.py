"""A character tokenizer that runs in NumPy and, built from constants alone, inside a
TensorFlow graph: an exported SavedModel needs no lookup tables or TF Text ops, so TF
Serving can run it as is.
"""

import json
import os
import tempfile

import numpy as np
import tensorflow as tf

from dlx_tf.errors import DataError

_REPLACEMENT = "\ufffd"


class CharTokenizer:
    """Maps each character to an id: 0 for unknown, 1..n for the known characters sorted
    by code point.

    `encode`/`decode` work on Python strings and NumPy arrays; `tf_encode`/`tf_decode` do
    the same inside a `tf.function` with `tf.searchsorted` and `tf.gather` over constant
    code points. Unknown characters encode to 0, which decodes to U+FFFD.

    Args:
        characters: the known characters, each a str of length 1, no duplicates.

    Example:
        >>> tokenizer = CharTokenizer.fit("hello world")
        >>> tokenizer.encode("hold!")  # [4 6 5 2 0]: "!" is unknown
        >>> tokenizer.decode([4, 6, 5, 2, 0])  # "hold" + U+FFFD
        >>> tokenizer.tf_encode(tf.constant("hold!"))  # the same ids, as a tf.Tensor
    """

    UNKNOWN_ID = 0

    def __init__(self, characters):
        characters = list(characters)
        seen = set()
        for i, character in enumerate(characters):
            if not isinstance(character, str) or len(character) != 1:
                raise ValueError(f"characters[{i}]: expected a single character, got "
                                 f"{character!r}")
            if "\ud800" <= character <= "\udfff":
                # A lone surrogate has no UTF-8 form, so no graph could encode or decode it.
                raise ValueError(f"characters[{i}]: expected a character, got the lone "
                                 f"surrogate {character!r}")
            if character in seen:
                raise ValueError(f"characters[{i}]: duplicate character {character!r}")
            seen.add(character)
        self.characters = tuple(sorted(characters))
        self.vocabulary_size = len(self.characters) + 1
        # Index i holds the code point of id i; the -1 at id 0 is below every code point.
        self._encode_table = np.array([-1] + [ord(c) for c in self.characters], np.int32)
        self._decode_table = self._encode_table.copy()
        self._decode_table[self.UNKNOWN_ID] = ord(_REPLACEMENT)

    @classmethod
    def fit(cls, text):
        """The tokenizer whose characters are those in `text`."""
        return cls(set(text))

    def encode(self, text):
        """int32 `[len(text)]` ids of the characters of `text`."""
        code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        code_points = code_points.astype(np.int64)
        # A code point's slot in the sorted table is its id if the table holds it there.
        slots = np.minimum(np.searchsorted(self._encode_table, code_points),
                           len(self.characters))
        found = self._encode_table[slots] == code_points
        return np.where(found, slots, self.UNKNOWN_ID).astype(np.int32)

    def decode(self, ids):
        """The text of a 1-D sequence of ids; ids outside [0, vocabulary_size) raise."""
        ids = np.asarray(ids)
        if ids.size == 0:
            return ""
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids: expected a 1-D sequence of integers, got {ids.dtype} "
                             f"{list(ids.shape)}")
        bad = np.flatnonzero((ids < 0) | (ids >= self.vocabulary_size))
        if bad.size:
            raise ValueError(f"ids[{bad[0]}]: expected an id in [0, {self.vocabulary_size}), "
                             f"got {ids[bad[0]]}")
        return self._decode_table[ids].astype("<u4").tobytes().decode("utf-32-le")

    def tf_encode(self, text):
        """int32 `[n]` ids of a tf.string scalar (a `[batch]` of strings gives ragged
        `[batch, None]`); bytes that are not UTF-8 count as unknown characters."""
        code_points = tf.strings.unicode_decode(text, "UTF-8", errors="replace")
        table = tf.constant(self._encode_table)

        def ids(flat):  # as in encode: (characters,) int32 code points to ids
            slots = tf.minimum(tf.searchsorted(table, flat), len(self.characters))
            return tf.where(tf.gather(table, slots) == flat, slots, self.UNKNOWN_ID)

        if isinstance(code_points, tf.RaggedTensor):
            return tf.ragged.map_flat_values(ids, code_points)
        return ids(code_points)

    def tf_decode(self, ids):
        """The tf.string of int32 ids `[n]`, or `[batch]` strings of `[batch, n]`; ids out
        of range decode to U+FFFD, since a served graph should not fail on them."""
        ids = tf.cast(ids, tf.int32)
        valid = (ids >= 0) & (ids < self.vocabulary_size)
        code_points = tf.gather(tf.constant(self._decode_table),
                                tf.where(valid, ids, self.UNKNOWN_ID))
        return tf.strings.unicode_encode(code_points, "UTF-8")

    def save(self, path):
        """Writes `{"type": "char", "characters": [...]}` as JSON, atomically."""
        content = json.dumps({"type": "char", "characters": list(self.characters)},
                             ensure_ascii=False)
        folder = os.path.dirname(os.path.abspath(path))
        descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(content + "\n")
            os.chmod(temporary, 0o644)  # mkstemp makes it private; others may serve it
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    @classmethod
    def load(cls, path):
        """The tokenizer saved at `path`; DataError if it is missing or not one."""
        try:
            with open(path, encoding="utf-8") as file:
                content = json.load(file)
        except FileNotFoundError as error:
            raise DataError(f"{path}: no such file (expected a character tokenizer saved "
                            f"by CharTokenizer.save)") from error
        except OSError as error:
            raise DataError(f"{path}: cannot be read ({error})") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DataError(f"{path}: expected JSON, got unreadable content ({error})") from error
        kind = content.get("type") if isinstance(content, dict) else None
        if kind != "char":
            raise DataError(f"{path} field 'type': expected 'char', got {kind!r}")
        characters = content.get("characters")
        if not isinstance(characters, list):
            raise DataError(f"{path} field 'characters': expected a list of characters, got "
                            f"{type(characters).__name__}")
        try:
            return cls(characters)
        except ValueError as error:
            raise DataError(f"{path} field 'characters': {error}") from error

    def get_config(self):
        return {"characters": list(self.characters)}

    @classmethod
    def from_config(cls, config):
        return cls(config["characters"])
