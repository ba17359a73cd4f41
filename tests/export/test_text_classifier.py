import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process

from dlx_tf.export import check_export, export_saved_model
from dlx_tf.export.text_classifier import text_classifier_endpoints

SEQUENCE_LENGTH = 24
SENTENCES = [
    "the cat sat on the mat",
    "a dog chased the red ball",
    "birds sing in the morning",
    "the quick brown fox jumps over the lazy dog",
    "rain falls on quiet streets",
]
ID_NAMES = ("token_ids", "padding_mask", "segment_ids")
# Mixed case and punctuation, an empty string, and one longer than SEQUENCE_LENGTH tokens.
TEXTS = np.array(["The Cat sat!", "", " ".join(SENTENCES), "zebra dog"], dtype=object)


def build_classifier(dtype=None):
    """A 1-layer BERT classifier on a WordPiece vocabulary computed from SENTENCES."""
    vocabulary = keras_hub.tokenizers.compute_word_piece_vocabulary(
        tf.data.Dataset.from_tensor_slices(SENTENCES),
        vocabulary_size=200,
        reserved_tokens=["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"],
    )
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary, lowercase=True)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=SEQUENCE_LENGTH
    )
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary),
        num_layers=1,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=SEQUENCE_LENGTH,
        dtype=dtype,
    )
    classifier = keras_hub.models.BertTextClassifier(
        backbone, num_classes=3, preprocessor=preprocessor, dtype=dtype
    )
    # The initial weights give nearly equal logits for every text; larger ones tell them apart.
    rng = np.random.default_rng(4)  # a seed giving all three labels on TEXTS
    classifier.set_weights(
        [rng.normal(0, 1, w.shape) if w.ndim > 1 else w for w in classifier.get_weights()]
    )
    return classifier, preprocessor


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(0)
    classifier, preprocessor = build_classifier()
    version = export_saved_model(
        "tiny_bert",
        resources=[classifier, preprocessor],
        endpoints=text_classifier_endpoints(classifier, preprocessor),
        warmup_inputs={"texts": TEXTS[:2]},
        manifest={"experiment": "tiny_bert"},
        base_dir=str(tmp_path_factory.mktemp("saved_models")),
    )
    return classifier, preprocessor, version, tf.saved_model.load(version.path)


def test_serving_default_tokenizes_strings_like_the_live_model(exported):
    classifier, _, _, loaded = exported
    served = loaded.signatures["serving_default"](texts=tf.constant(TEXTS))
    expected = np.asarray(keras.ops.softmax(classifier.predict(TEXTS, verbose=0)))
    assert served["probabilities"].dtype == tf.float32
    np.testing.assert_allclose(served["probabilities"], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(served["label"], np.argmax(expected, axis=-1))
    assert served["label"].dtype == tf.int64
    assert len(set(served["label"].numpy())) == 3  # the texts get different outputs


def test_token_ids_signature_serves_preprocessed_ids(exported):
    classifier, preprocessor, _, loaded = exported
    inputs = preprocessor(TEXTS)
    assert np.all(inputs["padding_mask"][2])  # the long text was truncated, not dropped
    served = loaded.signatures["token_ids"](
        **{name: tf.cast(value, tf.int32) for name, value in inputs.items()}
    )
    expected = np.asarray(keras.ops.softmax(classifier(inputs)))
    np.testing.assert_allclose(served["probabilities"], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(served["label"], np.argmax(expected, axis=-1))


def _ids(**changes):
    """A valid `token_ids` request of 2 rows, with `changes` (name → expression) applied."""
    ids = {name: f"np.zeros((2, {SEQUENCE_LENGTH}), np.int32)" for name in ID_NAMES}
    ids.update(changes)
    return "{" + ", ".join(f"'{name}': {value}" for name, value in ids.items()) + "}"


# Requests → the answer. Before these checks negative ids wrapped around the vocabulary
# silently, and a wrong sequence length failed deep inside the backbone.
TOKEN_ID_REQUESTS = {
    _ids(token_ids=f"np.full((2, {SEQUENCE_LENGTH}), -1, np.int32)"):
        "token_ids: expected a value in [0, {vocabulary}), got] [-1 -1 -1...]",
    _ids(token_ids=f"np.full((2, {SEQUENCE_LENGTH}), 10**6, np.int32)"):
        "token_ids: expected a value in [0, {vocabulary}), got] [1000000 1000000 1000000...]",
    _ids(padding_mask=f"np.full((2, {SEQUENCE_LENGTH}), 2, np.int32)"):
        "padding_mask: expected a value in [0, 1], got] [2 2 2...]",
    _ids(segment_ids=f"np.full((2, {SEQUENCE_LENGTH}), 2, np.int32)"):
        "segment_ids: expected a value in [0, 2), got] [2 2 2...]",
    _ids(token_ids="np.zeros((2, 8), np.int32)"):
        f"token_ids: expected int32 [batch, {SEQUENCE_LENGTH}], got shape] [2 8]",
    _ids(segment_ids=f"np.zeros(({SEQUENCE_LENGTH},), np.int32)"):
        f"segment_ids: expected int32 [batch, {SEQUENCE_LENGTH}], got shape] [{SEQUENCE_LENGTH}]",
    _ids(padding_mask=f"np.zeros((1, {SEQUENCE_LENGTH}), np.int32)"):
        "token_ids, padding_mask, segment_ids: expected the same batch size, got] [2] [1] [2]",
    _ids(**{name: f"np.zeros((129, {SEQUENCE_LENGTH}), np.int32)" for name in ID_NAMES}):
        "token_ids: batch size: expected a value in [1, 128], got] [129]",
}
TEXT_REQUESTS = {
    "{'texts': np.array(b'one text', object)}":
        "refused: assertion failed: [texts: expected string [batch], got shape] []",
    "{'texts': np.array([b'x' * (1 << 18 + 1)], object)}":
        "refused: assertion failed: [texts: bytes each: expected a value in [0, 262,144], got] "
        "[524288]",
    "{'texts': np.array([b'a'] * 129, object)}":
        "refused: assertion failed: [texts: batch size: expected a value in [1, 128], got] "
        "[129]",
    "{'texts': np.array([b'the cat', b''], object)}":
        "served: {'label': (2,), 'probabilities': (2, 3)}",
}


def test_token_ids_outside_the_vocabulary_or_of_the_wrong_shape_are_refused(exported):
    classifier = exported[0]
    vocabulary = classifier.backbone.vocabulary_size
    returncode, lines = requests_in_fresh_process(exported[2].path, list(TOKEN_ID_REQUESTS),
                                                  "token_ids")
    assert returncode == 0, lines
    assert lines == [f"refused: assertion failed: [{message.format(vocabulary=vocabulary)}"
                     for message in TOKEN_ID_REQUESTS.values()]


def test_texts_over_the_limits_or_not_a_batch_are_refused(exported):
    returncode, lines = requests_in_fresh_process(exported[2].path, list(TEXT_REQUESTS))
    assert returncode == 0, lines
    assert lines == list(TEXT_REQUESTS.values())


def test_fresh_process_check_passes_and_names_tf_text_ops(exported):
    result = check_export(exported[2].path)
    assert result.returncode == 0, result.stdout
    report = result.stdout
    assert "ops check: needs TF Text ops: " in report
    for op in ("CaseFoldUTF8", "FastWordpieceTokenizeWithOffsets", "TFText>RoundRobinTrim"):
        assert op in report.split("ops check: needs TF Text ops: ")[1].splitlines()[0]
    assert "  input  texts: string (any shape, checked in the graph)" in report
    assert "warmup check: outputs match the manifest" in report
    assert report.rstrip().endswith("OK")


def test_mixed_precision_logits_are_served_as_float32():
    keras.utils.set_random_seed(0)
    classifier, preprocessor = build_classifier(dtype="mixed_float16")
    inputs = preprocessor(TEXTS)
    assert classifier(inputs).dtype == "float16"
    serve, _ = text_classifier_endpoints(classifier, preprocessor)["token_ids"]
    served = serve(**{name: tf.cast(value, tf.int32) for name, value in inputs.items()})
    assert served["probabilities"].dtype == tf.float32
    np.testing.assert_allclose(np.sum(served["probabilities"], axis=-1), 1.0, rtol=1e-6)
