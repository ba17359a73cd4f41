import numpy as np
import pytest
import tensorflow as tf
from tiny_decoder_lm import CONTEXT, VOCABULARY

from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator

PROMPT = np.random.default_rng(2).integers(0, VOCABULARY, (2, 5)).astype("int32")


def test_cached_greedy_decoding_equals_uncached_far_past_the_context(tiny_model):
    new_tokens = 4 * CONTEXT  # the window slides several times
    cached = DecoderLMGenerator(tiny_model, shift=5).generate(PROMPT, new_tokens,
                                                               temperature=0.0)
    uncached = DecoderLMGenerator(tiny_model, shift=5, use_cache=False).generate(
        PROMPT, new_tokens, temperature=0.0)
    assert cached.shape == (2, new_tokens)
    assert len(np.unique(cached)) >= 5  # not a constant stream: the comparison means something
    np.testing.assert_array_equal(cached, uncached)


def test_uncached_window_rule_is_what_the_generator_documents(tiny_model):
    # Greedy by hand: the window drops `shift` tokens whenever it is full.
    shift, tokens = 4, list(PROMPT[0])
    start, produced = 0, []
    for _ in range(2 * CONTEXT):
        if len(tokens) - start > CONTEXT:
            start += shift
        logits = tiny_model(np.array([tokens[start:]], "int32"))[0, -1]
        produced.append(int(np.argmax(logits)))
        tokens.append(produced[-1])
    generated = DecoderLMGenerator(tiny_model, shift=shift).generate(PROMPT[:1], 2 * CONTEXT,
                                                                     temperature=0.0)
    assert generated[0].numpy().tolist() == produced


def test_stream_yields_the_tokens_generate_returns(tiny_model):
    generator = DecoderLMGenerator(tiny_model)
    settings = {"seed": 7, "temperature": 1.2, "top_k": 6, "top_p": 0.9}
    streamed = np.stack(list(generator.stream(PROMPT, 2 * CONTEXT, **settings)), axis=1)
    generated = tf.function(generator.generate)(PROMPT, 2 * CONTEXT, **settings)
    np.testing.assert_array_equal(streamed, generated)


def test_seeds_make_sampling_reproducible(tiny_model):
    generate = tf.function(DecoderLMGenerator(tiny_model).generate)
    first = generate(PROMPT, 20, seed=tf.constant(1))
    np.testing.assert_array_equal(first, generate(PROMPT, 20, seed=tf.constant(1)))
    assert not np.array_equal(first, generate(PROMPT, 20, seed=tf.constant(2)))


def test_a_long_prompt_keeps_its_last_context_tokens(tiny_model):
    long_prompt = np.random.default_rng(4).integers(0, VOCABULARY, (1, 3 * CONTEXT), "int32")
    generator = DecoderLMGenerator(tiny_model)
    np.testing.assert_array_equal(generator.generate(long_prompt, 8, temperature=0.0),
                                  generator.generate(long_prompt[:, -CONTEXT:], 8,
                                                     temperature=0.0))


def test_bad_settings_are_named(tiny_model):
    with pytest.raises(ValueError, match=rf"shift must be in \[1, {CONTEXT - 1}\]"):
        DecoderLMGenerator(tiny_model, shift=CONTEXT)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least one token"):
        DecoderLMGenerator(tiny_model).generate(np.zeros((1, 0), "int32"), 3)
