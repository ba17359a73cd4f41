"""A tiny DecoderLM with spread-out weights, shared by the decoder LM and export tests."""

import keras
import numpy as np

from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM

VOCABULARY = 23
CONTEXT = 12


def spread_weights(model, stddev=1.0, seed=0):
    """Random weights large enough that a random model's greedy choices vary; at the
    GPT-2 init (stddev 0.02) every position predicts the same token."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, stddev, w.shape).astype("float32")
                       for w in model.get_weights()])


def make_tiny_model():
    keras.utils.set_random_seed(3)
    model = DecoderLM(vocabulary_size=VOCABULARY, sequence_length=CONTEXT, num_layers=2,
                      num_heads=3, hidden_dim=24, intermediate_dim=40)
    model(np.zeros((1, CONTEXT), "int32"))
    spread_weights(model)
    return model
