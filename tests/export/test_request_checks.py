import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.export.request_checks import check_layout, check_same_batch, checked, request_spec
from dlx_tf.ranges import FINITE, above, at_most, within


def _serve(layouts, then=lambda x: x):
    """A graph function of one unknown-shape input, checked against `layouts` and a
    range, as a SavedModel signature runs it."""

    @tf.function(input_signature=[request_spec(tf.int32, "x")])
    def serve(x):
        layout, sizes = check_layout(x, "x", *layouts)
        with tf.control_dependencies([layout]):
            checks = [within(0, 9).check(x, "x")] + (
                [at_most(3).check(sizes[0], "x: batch size")] if layouts[0] else [])
        return then(checked(x, checks, [None if isinstance(s, str) else s
                                        for s in layouts[0]]))

    return serve


@pytest.mark.parametrize("value, message", [
    (np.zeros((2, 3, 4), np.int32), r"x: expected int32 \[batch, 3\] or \[batch\], got shape\] "
                                    r"\[2 3 4\]"),
    (np.zeros((2, 4), np.int32), r"x: expected int32 \[batch, 3\] or \[batch\], got shape\] "
                                 r"\[2 4\]"),
    (np.int32(1), r"x: expected int32 \[batch, 3\] or \[batch\], got shape\] \[\]"),
    (np.zeros((4, 3), np.int32), r"x: batch size: expected a value ≤ 3, got\] \[4\]"),
    (np.full((1, 3), 10, np.int32), r"x: expected a value in \[0, 9\], got\] \[10 10 10\]"),
])
def test_a_wrong_layout_is_named_before_any_other_check(value, message):
    serve = _serve([("batch", 3), ("batch",)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        serve(tf.constant(value))


def test_a_request_that_fits_passes_through_with_its_static_shape():
    serve = _serve([("batch", 3)], then=lambda x: tf.matmul(x, tf.ones([3, 2], tf.int32)))
    np.testing.assert_array_equal(serve(tf.constant([[1, 2, 3]])), [[6, 6]])


def test_a_scalar_check_is_not_folded_away_by_what_later_ops_require():
    # With tf.ensure_shape in `checked`, Grappler folded the layout check of a scalar to
    # true and the range check then failed on a non-scalar condition.
    serve = _serve([()], then=lambda n: tf.reduce_sum(tf.range(n)))
    assert int(serve(tf.constant(4))) == 6
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"x: expected int32 scalar, got shape\] \[2\]"):
        serve(tf.constant([4, 4]))


def test_same_batch_names_every_input_and_its_size():
    @tf.function
    def check(a, b):
        with tf.control_dependencies([check_same_batch({"a": a, "b": b})]):
            return tf.identity(a)

    check(tf.zeros([2, 5]), tf.zeros([2]))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"a, b: expected the same batch size, got\] \[2\] \[3\]"):
        check(tf.zeros([2, 5]), tf.zeros([3]))


def test_ranges_name_themselves_in_messages():
    assert str(FINITE) == "that is finite"
    assert str(at_most(1 << 20)) == "≤ 1,048,576"
    assert str(above(0)) == "> 0"
    assert str(within(0, 30522, high_open=True)) == "in [0, 30,522)"
