import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import DataError, UsageError
from dlx_tf.models.decoder_lm.language_model_windows import (
    evaluation_windows,
    training_windows,
    window_counts,
)


def as_arrays(dataset):
    """Every element of `dataset` stacked: a tuple of `[windows, T]` arrays."""
    return tuple(np.stack(parts) for parts in zip(*dataset.as_numpy_iterator()))


# Token ids are their own positions, so a window's values say where it was cut from.
@pytest.mark.parametrize("num_tokens, length, stride", [
    (23, 5, None), (23, 5, 3), (23, 5, 1), (6, 5, None), (40, 7, 10), (30, 1, 2)])
def test_training_windows_are_shifted_pairs_at_every_stride(num_tokens, length, stride):
    dataset = training_windows(np.arange(num_tokens), length, stride)
    assert dataset.element_spec == (tf.TensorSpec([length], tf.int32),) * 2
    inputs, targets = as_arrays(dataset)
    step = stride or length
    starts = np.arange(0, num_tokens - length, step)
    assert starts[-1] + length + 1 <= num_tokens < starts[-1] + step + length + 1
    np.testing.assert_array_equal(inputs, starts[:, None] + np.arange(length))
    np.testing.assert_array_equal(targets, inputs + 1)
    count = window_counts(num_tokens, length, stride)["training_windows"]
    assert len(inputs) == count == dataset.cardinality().numpy()


def test_training_windows_keep_the_ids_and_their_order():
    ids = np.random.default_rng(0).integers(0, 90, size=50).astype(np.int64)
    inputs, targets = as_arrays(training_windows(tf.constant(ids), 8, stride=4))
    for k, (window_in, window_out) in enumerate(zip(inputs, targets)):
        np.testing.assert_array_equal(window_in, ids[4 * k:4 * k + 8])
        np.testing.assert_array_equal(window_out, ids[4 * k + 1:4 * k + 9])


@pytest.mark.parametrize("num_tokens, length", [
    (2, 1), (9, 1), (5, 4), (6, 4), (7, 4), (50, 8), (51, 8), (53, 8), (54, 8), (23, 5),
    (24, 5), (31, 5), (100, 7), (101, 16)])
def test_evaluation_scores_every_target_once_with_half_a_window_of_context(num_tokens, length):
    dataset = evaluation_windows(np.arange(num_tokens), length)
    assert dataset.element_spec == (tf.TensorSpec([length], tf.int32),) * 2 + (
        tf.TensorSpec([length], tf.float32),)
    inputs, targets, weights = as_arrays(dataset)
    np.testing.assert_array_equal(targets, inputs + 1)
    assert inputs.min() == 0 and targets.max() == num_tokens - 1
    assert set(np.unique(weights)) <= {0.0, 1.0}
    assert weights.sum() == num_tokens - 1
    # Reconstruct by index: the positions each window scores, counted over all windows.
    coverage = np.bincount(targets[weights == 1], minlength=num_tokens)
    np.testing.assert_array_equal(coverage, [0] + [1] * (num_tokens - 1))
    np.testing.assert_array_equal(weights[0], np.ones(length))
    # Position j of a window predicts from j earlier tokens of that window (and its own).
    later = np.nonzero(weights[1:])[1]
    assert later.size == 0 or later.min() >= length // 2
    # Scored positions are a suffix of each window: context never drops mid-window.
    assert (np.diff(weights, axis=1) >= 0).all()
    count = window_counts(num_tokens, length)["evaluation_windows"]
    assert len(inputs) == count == dataset.cardinality().numpy()


def test_evaluation_windows_start_every_half_window_and_the_last_ends_the_array():
    inputs, _, weights = as_arrays(evaluation_windows(np.arange(24), 6))
    np.testing.assert_array_equal(inputs[:, 0], [0, 3, 6, 9, 12, 15, 17])
    np.testing.assert_array_equal(weights[1], [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(weights[-1], [0, 0, 0, 0, 1, 1])


def test_window_counts_without_building_datasets():
    assert window_counts(1_000_001, 256) == {"training_windows": 3906,
                                             "evaluation_windows": 7812}
    assert window_counts(257, 256, stride=7) == {"training_windows": 1,
                                                 "evaluation_windows": 1}


@pytest.mark.parametrize("build", [
    lambda ids: training_windows(ids, 8),
    lambda ids: evaluation_windows(ids, 8),
    lambda ids: window_counts(len(ids), 8)])
def test_too_few_tokens_say_how_many_and_what_is_needed(build):
    build(np.arange(9))
    with pytest.raises(DataError, match=r"token_ids: 8 tokens.*at least 9"):
        build(np.arange(8))


@pytest.mark.parametrize("call, match", [
    (lambda: training_windows(np.arange(20), 0), "sequence_length"),
    (lambda: training_windows(np.arange(20), 4, stride=0), "stride"),
    (lambda: evaluation_windows(np.arange(20), 4.0), "sequence_length"),
    (lambda: window_counts(20, 4, stride=True), "stride"),
    (lambda: training_windows(np.zeros((4, 5), np.int32), 2), "1-D"),
    (lambda: evaluation_windows(np.linspace(0, 1, 20), 4), "integer ids")])
def test_bad_arguments_are_usage_errors(call, match):
    with pytest.raises(UsageError, match=match):
        call()


def test_ids_beyond_int32_are_refused():
    with pytest.raises(DataError, match="int32"):
        training_windows(np.array([0, 1, 2**31], np.int64), 2)
