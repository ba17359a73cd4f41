import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.decoder_lm.token_sampling import sample_next_tokens

PROBABILITIES = np.array([0.5, 0.3, 0.15, 0.05])
ROWS = 4000


def _draw(seed=(1, 2), **settings):
    logits = np.tile(np.log(PROBABILITIES), (ROWS, 1)).astype("float32")
    return sample_next_tokens(tf.constant(logits), tf.constant(seed), **settings).numpy()


def test_temperature_zero_is_greedy():
    logits = tf.constant([[0.1, 2.0, -1.0], [3.0, 0.0, 2.9]])
    assert sample_next_tokens(logits, [0, 0], temperature=0.0).numpy().tolist() == [1, 0]


def test_temperature_one_draws_from_the_softmax():
    counts = np.bincount(_draw(), minlength=4) / ROWS
    np.testing.assert_allclose(counts, PROBABILITIES, atol=0.03)


def test_low_temperature_sharpens():
    assert np.mean(_draw(temperature=0.25) == 0) > 0.85


@pytest.mark.parametrize("top_k, support", [(1, {0}), (2, {0, 1}), (3, {0, 1, 2})])
def test_top_k_keeps_the_k_most_likely(top_k, support):
    assert set(_draw(top_k=top_k)) == support


@pytest.mark.parametrize("top_p, support", [(0.4, {0}), (0.7, {0, 1}), (0.9, {0, 1, 2})])
def test_top_p_keeps_the_smallest_set_reaching_p(top_p, support):
    assert set(_draw(top_p=top_p)) == support


def test_top_k_and_top_p_together_keep_the_smaller_set():
    assert set(_draw(top_k=3, top_p=0.7)) == {0, 1}


def test_top_p_measures_mass_among_the_top_k_renormalised():
    # Top-2 renormalised is (0.625, 0.375): token 0 alone reaches 0.6. Over the full
    # distribution (0.5, 0.3, ...) it would not, and token 1 would stay.
    assert set(_draw(top_k=2, top_p=0.6)) == {0}
    assert set(_draw(top_p=0.6)) == {0, 1}


def test_same_seed_same_tokens_other_seed_others():
    assert np.array_equal(_draw(seed=(5, 6)), _draw(seed=(5, 6)))
    assert not np.array_equal(_draw(seed=(5, 6)), _draw(seed=(5, 7)))
