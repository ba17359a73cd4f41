"""Next-token windows over a 1-D array of token ids, for training and for evaluation.

`training_windows` cuts `(inputs, targets)` pairs with targets one token ahead; the caller
shuffles and batches. `evaluation_windows` adds per-position weights so that one pass
over its windows scores every target exactly once, each one past the first window with at
least `sequence_length // 2` tokens of context: a per-token loss over a whole split that
non-overlapping windows would inflate, their first positions seeing almost no context.

Window starts are NumPy index arithmetic; each window is sliced from one constant tensor
inside `map`, so memory stays that of the token array whatever the stride.
"""

import numpy as np
import tensorflow as tf

from dlx_tf.errors import DataError, UsageError


def training_windows(token_ids, sequence_length, stride=None):
    """`(inputs int32[T], targets int32[T])` pairs, `targets` = `inputs` one token ahead,
    for windows starting at 0, stride, 2 * stride, ... while `T + 1` tokens fit.

    Args:
        token_ids: 1-D integer array (or tensor) of at least `sequence_length + 1` ids.
        sequence_length: `T`, the tokens a window feeds the model.
        stride: tokens between window starts; default `T` (windows that do not overlap).

    Example:
        dataset = training_windows(ids, 256).shuffle(10_000, seed=0).batch(64)
    """
    tokens = _token_array(token_ids)
    length = _positive("sequence_length", sequence_length)
    stride = length if stride is None else _positive("stride", stride)
    _require_window(len(tokens), length)
    starts = np.arange(0, len(tokens) - length, stride, dtype=np.int64)
    table = tf.constant(tokens)
    size = tf.constant([length + 1], tf.int64)

    def window(start):
        piece = tf.slice(table, tf.reshape(start, [1]), size)  # (T + 1,)
        return piece[:-1], piece[1:]

    return tf.data.Dataset.from_tensor_slices(starts).map(
        window, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def evaluation_windows(token_ids, sequence_length):
    """`(inputs int32[T], targets int32[T], weights float32[T])` windows whose weights
    score every target (token 1 to the last) exactly once.

    Windows start every `T - T // 2` tokens. The first scores all `T` positions; each
    later one only its last `T - T // 2`, whose predictions see at least `T // 2` earlier
    tokens of the window. Targets left after the last full stride are scored by a final
    window aligned to the end of the array, on those positions alone.

    Args:
        token_ids: 1-D integer array (or tensor) of at least `sequence_length + 1` ids.
        sequence_length: `T`, the tokens a window feeds the model.

    Example:
        for inputs, targets, weights in evaluation_windows(ids, 256).batch(64): ...
        # mean loss = sum(weights * token losses) / sum(weights), sum(weights) = len(ids) - 1
    """
    tokens = _token_array(token_ids)
    length = _positive("sequence_length", sequence_length)
    _require_window(len(tokens), length)
    starts, first_scored = _evaluation_plan(len(tokens), length)
    table = tf.constant(tokens)
    size = tf.constant([length + 1], tf.int64)
    positions = tf.range(length, dtype=tf.int64)

    def window(start, first):
        piece = tf.slice(table, tf.reshape(start, [1]), size)  # (T + 1,)
        weights = tf.cast(positions >= first, tf.float32)  # (T,)
        return piece[:-1], piece[1:], weights

    return tf.data.Dataset.from_tensor_slices((starts, first_scored)).map(
        window, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def window_counts(num_tokens, sequence_length, stride=None):
    """`{"training_windows", "evaluation_windows"}`: how many windows the two builders
    give for `num_tokens` ids, without building them."""
    length = _positive("sequence_length", sequence_length)
    stride = length if stride is None else _positive("stride", stride)
    num_tokens = int(num_tokens)
    _require_window(num_tokens, length)
    hop = length - length // 2
    spare = num_tokens - 1 - length  # tokens past the first window
    return {"training_windows": spare // stride + 1,
            "evaluation_windows": spare // hop + 1 + int(spare % hop > 0)}


def _evaluation_plan(num_tokens, length):
    """Window starts and, per window, the first position it scores (int64 `[windows]`)."""
    # A hop of T - T // 2 (not T // 2) so that the scored spans tile exactly for odd T too.
    hop = length - length // 2
    starts = np.arange(0, num_tokens - length, hop, dtype=np.int64)
    first_scored = np.full(len(starts), length - hop, np.int64)
    first_scored[0] = 0
    # Window k scores targets k * hop + T - hop + 1 ... k * hop + T (token positions).
    tail = (num_tokens - 1 - length) % hop  # targets after the last full hop, < hop
    if tail:
        starts = np.append(starts, num_tokens - 1 - length)
        first_scored = np.append(first_scored, length - tail)
    return starts, first_scored


def _token_array(token_ids):
    tokens = np.asarray(token_ids)
    if tokens.ndim != 1:
        raise UsageError(f"token_ids: expected a 1-D array, got shape {tokens.shape}")
    if tokens.size and tokens.dtype.kind not in "iu":
        raise UsageError(f"token_ids: expected integer ids, got dtype {tokens.dtype}")
    info = np.iinfo(np.int32)
    if tokens.size and (tokens.min() < info.min or tokens.max() > info.max):
        raise DataError(f"token_ids: expected ids that fit int32, got {tokens.min()} to "
                        f"{tokens.max()}")
    return tokens.astype(np.int32)


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UsageError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def _require_window(num_tokens, length):
    if num_tokens < length + 1:
        raise DataError(f"token_ids: {num_tokens} tokens, too few for one window of "
                        f"sequence_length {length} (expected at least {length + 1}: "
                        f"{length} inputs and one more token for the last target)")
