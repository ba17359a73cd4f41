import keras_hub
import numpy as np
import pytest
import tensorflow as tf
from harness import check_keras_file_round_trip
from tiny_multi_net import HIDDEN, SEQUENCE_LENGTH, tiny_text_encoder

from dlx_tf.errors import UsageError
from dlx_tf.models.bert.bert_classifier import wordpiece_vocabulary
from dlx_tf.models.multi_net import MultiNetTextEncoder


def test_unit_embeddings_and_projection_parameters(tokens):
    encoder = tiny_text_encoder(embedding_dim=12)
    embeddings = np.asarray(encoder(tokens))
    assert embeddings.shape == (3, 12)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert encoder.count_params() == encoder.backbone.count_params() + HIDDEN * 12


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_padding_does_not_change_the_embedding(tokens, pooling):
    encoder = tiny_text_encoder(pooling=pooling)
    first = np.asarray(encoder(tokens))
    noisy = dict(tokens, token_ids=np.where(tokens["padding_mask"], tokens["token_ids"], 7))
    np.testing.assert_allclose(np.asarray(encoder(noisy)), first, rtol=1e-5, atol=1e-6)


def test_mean_pooling_averages_the_unpadded_token_outputs(tokens):
    encoder = tiny_text_encoder(pooling="mean")
    embeddings = np.asarray(encoder(tokens))
    outputs = encoder.backbone(tokens)["sequence_output"].numpy()
    mask = tokens["padding_mask"][..., None]
    mean = (outputs * mask).sum(axis=1) / mask.sum(axis=1)
    projected = mean @ encoder.projection.kernel.numpy()
    np.testing.assert_allclose(embeddings,
                               projected / np.linalg.norm(projected, axis=1, keepdims=True),
                               rtol=1e-4, atol=1e-6)
    cls = tiny_text_encoder(pooling="cls")
    cls(tokens)
    cls.set_weights(encoder.get_weights())
    assert not np.allclose(np.asarray(cls(tokens)), embeddings)


def test_an_unknown_pooling_is_refused():
    with pytest.raises(UsageError, match="pooling must be one of"):
        tiny_text_encoder(pooling="max")


def test_keras_file_round_trip(tokens, tmp_path):
    encoder = tiny_text_encoder()
    encoder(tokens)
    check_keras_file_round_trip(encoder, tokens, tmp_path)


def test_captions_tokenized_by_a_bert_preprocessor_are_encoded():
    captions = ["a red circle moves left", "a blue square moves right while a drum beats"]
    vocabulary = wordpiece_vocabulary(captions, vocabulary_size=40)
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary, lowercase=True)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=SEQUENCE_LENGTH)
    encoder = tiny_text_encoder(vocabulary_size=len(vocabulary))
    embeddings = np.asarray(encoder(preprocessor(tf.constant(captions))))
    assert embeddings.shape == (2, 12)
    assert not np.allclose(embeddings[0], embeddings[1])


def test_a_local_bert_preset_keeps_its_weights(tokens, tmp_path):
    backbone = tiny_text_encoder().backbone
    backbone.save_to_preset(str(tmp_path / "preset"))
    loaded = keras_hub.models.BertBackbone.from_preset(str(tmp_path / "preset"))
    for ours, theirs in zip(loaded.weights, backbone.weights):
        np.testing.assert_array_equal(ours, theirs)
    assert tuple(MultiNetTextEncoder(loaded, embedding_dim=12)(tokens).shape) == (3, 12)
