import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip
from tiny_decoder_lm import CONTEXT, VOCABULARY

from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM

IDS = np.random.default_rng(1).integers(0, VOCABULARY, (2, CONTEXT)).astype("int32")


def test_config_round_trip():
    check_config_round_trip(DecoderLM, {
        "vocabulary_size": 17, "sequence_length": 9, "num_layers": 3, "num_heads": 2,
        "hidden_dim": 10, "intermediate_dim": 7, "dropout": 0.3, "layer_norm_epsilon": 1e-3})


@pytest.mark.parametrize("sizes", [(23, 12, 2, 24, 40), (65, 256, 6, 384, 1536)])
def test_parameter_count_matches_the_formula(sizes):
    vocabulary, context, layers, width, intermediate = sizes
    model = DecoderLM(vocabulary, context, layers, num_heads=6, hidden_dim=width,
                      intermediate_dim=intermediate)
    model(np.zeros((1, 3), "int32"))
    assert model.count_params() == DecoderLM.parameter_count(*sizes)
    if sizes[-1] == 4 * sizes[-2]:  # the GPT-2 shape: 12·L·d² + 13·L·d + (V + T + 2)·d
        d = width
        assert model.count_params() == 12 * layers * d * d + 13 * layers * d + (
            vocabulary + context + 2) * d


def test_output_and_input_embeddings_are_tied(tiny_model):
    embeddings = tiny_model.token_embedding.embeddings
    assert sum(v is embeddings for v in tiny_model.trainable_variables) == 1
    assert tiny_model(IDS).shape == (2, CONTEXT, VOCABULARY)


def test_positions_never_see_later_tokens(tiny_model):
    changed = IDS.copy()
    changed[:, 7:] = (changed[:, 7:] + 5) % VOCABULARY
    before, after = np.asarray(tiny_model(IDS)), np.asarray(tiny_model(changed))
    np.testing.assert_allclose(before[:, :7], after[:, :7], rtol=1e-5, atol=1e-5)
    assert not np.allclose(before[:, 7:], after[:, 7:])


def test_cached_logits_equal_full_recomputation(tiny_model):
    full = np.asarray(tiny_model(IDS))
    cache = tiny_model.empty_cache(2)
    logits, cache = tiny_model.call_with_cache(IDS[:, :5], cache, 0)
    pieces = [np.asarray(logits)]
    for position in range(5, CONTEXT):
        logits, cache = tiny_model.call_with_cache(IDS[:, position:position + 1], cache,
                                                   position)
        pieces.append(np.asarray(logits))
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), full, rtol=1e-4, atol=1e-4)


def test_logits_stay_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = DecoderLM(VOCABULARY, CONTEXT, 1, 2, 8, 16)
        logits = model(IDS)
        cached, cache = model.call_with_cache(IDS[:, :3], model.empty_cache(2), 0)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert logits.dtype == "float32" and cached.dtype == "float32"
    assert cache[0][0].dtype == "float16"


def test_width_must_split_into_heads():
    with pytest.raises(ValueError, match="hidden_dim 10 is not a multiple of num_heads 3"):
        DecoderLM(VOCABULARY, CONTEXT, 1, num_heads=3, hidden_dim=10, intermediate_dim=8)


def test_keras_file_round_trip(tiny_model, tmp_path):
    check_keras_file_round_trip(tiny_model, IDS, tmp_path)
