"""Checks of a serving request, run in the graph before any work: each refuses with one
line naming the input, what it expects and what it got.

A signature's declared shape is not enforced: TF Serving and loaded signatures pass a
tensor of any shape through, and a declared rank lets TensorFlow fold a rank check away
at trace time. A request of the wrong rank then reaches the kernels, and some abort the
server's process: a rank-3 image into a convolution ended in a oneDNN `Check failed`
(TF 2.21). So serving inputs are declared without a shape (`request_spec`) and their
layout is checked here.
"""

import tensorflow as tf

from dlx_tf.ranges import within


def request_spec(dtype, name):
    """The `tf.TensorSpec` of a serving input: `dtype`, any shape (checked in the graph)."""
    return tf.TensorSpec(None, dtype, name=name)


def check_layout(tensor, name, *layouts):
    """`(assertion, sizes)`: an assertion that `tensor`'s shape fits one of `layouts`, and
    its first `len(layouts[0])` sizes as an int32 vector, zero-padded so that checks built
    on it are safe whatever the rank. Build those checks under
    `tf.control_dependencies([assertion])`, so a wrong layout is what gets reported.

    A layout is a tuple of sizes: an int must match, a str names a free size, e.g.
    `("batch", 28, 28, 1)`; `()` is a scalar.
    """
    shape = tf.shape(tensor)
    fits = tf.reduce_any([_fits(shape, layout) for layout in layouts])
    expected = " or ".join(_shown(layout) for layout in layouts)
    assertion = tf.debugging.Assert(
        fits, [f"{name}: expected {tensor.dtype.name} {expected}, got shape", shape],
        summarize=8)
    return assertion, _padded(shape, len(layouts[0]))


def check_same_batch(tensors):
    """An assertion that the tensors in the dict `tensors` have the same first size."""
    sizes = [_padded(tf.shape(tensor), 1)[0] for tensor in tensors.values()]
    return tf.debugging.Assert(
        tf.reduce_all([tf.equal(size, sizes[0]) for size in sizes]),
        [f"{', '.join(tensors)}: expected the same batch size, got", *sizes])


def checked_strings(strings, name, batch_limit, byte_limit):
    """tf.string `strings` `[batch]`, computed once its layout, a batch of 1 to
    `batch_limit` and at most `byte_limit` bytes in each string are checked."""
    layout, sizes = check_layout(strings, name, ("batch",))
    with tf.control_dependencies([layout]):
        checks = [within(1, batch_limit).check(sizes[0], f"{name}: batch size"),
                  within(0, byte_limit).check(tf.strings.length(strings), f"{name}: bytes each")]
    return checked(strings, checks, [None])


def checked(tensor, checks, shape):
    """`tensor` with the static `shape` (None: any size), computed only once every check
    has passed."""
    # A reshape, not tf.ensure_shape: Grappler took the shape an EnsureShape requires as a
    # fact about its input, folded the layout check to true and ran the later checks on
    # the wrong rank (TF 2.21).
    with tf.control_dependencies(checks):
        sizes = tf.shape(tensor)
        return tf.reshape(tensor, [sizes[i] if size is None else size
                                   for i, size in enumerate(shape)])


def _padded(shape, length):
    return tf.concat([shape, tf.zeros([length], tf.int32)], 0)[:length]


def _fits(shape, layout):
    padded = _padded(shape, len(layout))
    fixed = [tf.equal(padded[i], size) for i, size in enumerate(layout) if isinstance(size, int)]
    return tf.reduce_all([tf.equal(tf.size(shape), len(layout)), *fixed])


def _shown(layout):
    return f"[{', '.join(str(size) for size in layout)}]" if layout else "scalar"
