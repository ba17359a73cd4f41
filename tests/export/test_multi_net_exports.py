import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process
from tiny_multi_net import SEQUENCE_LENGTH, tiny_clip_encoder, tiny_text_encoder

from dlx_tf.export import check_export, export_saved_model
from dlx_tf.export.multi_net_encoders import MULTI_NET_ENCODER_LIMITS, multi_net_encoder_endpoints
from dlx_tf.export.retrieval_index import RETRIEVAL_LIMITS, retrieval_endpoints
from dlx_tf.models.bert.bert_classifier import wordpiece_vocabulary
from dlx_tf.models.multi_net import MultiNet

FRAMES, FRAME_SIZE, AUDIO_SAMPLES = 3, 20, 8000
CAPTIONS = np.array(["a red circle moves left slowly", "a blue square moves right",
                     "A Green Triangle spins while a drum beats", "", "a bell rings"], object)
CATALOGUE = 6


def clips(size, seed=0):
    """Random clips in the served layout, audio in [-0.5, 0.5], the second one silent."""
    rng = np.random.default_rng(seed)
    return {
        "frames": rng.integers(0, 256, (size, FRAMES, FRAME_SIZE, FRAME_SIZE, 3), "uint8"),
        "audio": rng.uniform(-0.5, 0.5, (size, AUDIO_SAMPLES)).astype("float32"),
        "has_audio": np.arange(size) != 1,
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A random tiny MultiNet, its two exports and their loaded SavedModels."""
    vocabulary = wordpiece_vocabulary(CAPTIONS, vocabulary_size=40)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        keras_hub.models.BertTokenizer(vocabulary=vocabulary, lowercase=True),
        sequence_length=SEQUENCE_LENGTH)
    keras.utils.set_random_seed(0)
    model = MultiNet(tiny_clip_encoder(), tiny_text_encoder(vocabulary_size=len(vocabulary)))
    catalogue = clips(CATALOGUE, seed=1)
    model({**catalogue, "text": preprocessor(tf.constant(CAPTIONS[:1]))})
    # Initial weights give nearly equal embeddings for every caption; larger ones tell them
    # apart, so rankings do not hang on float rounding.
    rng = np.random.default_rng(0)
    text_encoder = model.text_encoder
    text_encoder.set_weights([rng.normal(0, 1, w.shape) if w.ndim > 1 else w
                              for w in text_encoder.get_weights()])
    clip_ids = [f"video{index}" for index in range(CATALOGUE)]
    clip_embeddings = np.asarray(model.encode_clip(**catalogue))
    base_dir = str(tmp_path_factory.mktemp("saved_models"))
    encoders = export_saved_model(
        "tiny_multi_net_encoders", resources=[model, preprocessor],
        endpoints=multi_net_encoder_endpoints(model, preprocessor, FRAMES, FRAME_SIZE,
                                              AUDIO_SAMPLES),
        warmup_inputs={"texts": CAPTIONS[:2]},
        manifest={"experiment": "tiny_multi_net", "limits": MULTI_NET_ENCODER_LIMITS},
        base_dir=base_dir)
    search = export_saved_model(
        "tiny_multi_net_search", resources=[model, preprocessor],
        endpoints=retrieval_endpoints(model, preprocessor, clip_ids, clip_embeddings),
        warmup_inputs={"texts": CAPTIONS[:2], "k": 3},
        manifest={"experiment": "tiny_multi_net", "limits": RETRIEVAL_LIMITS},
        base_dir=base_dir)
    return {"model": model, "preprocessor": preprocessor, "clip_ids": np.array(clip_ids),
            "clip_embeddings": clip_embeddings, "versions": (encoders, search),
            "loaded": [tf.saved_model.load(version.path) for version in (encoders, search)]}


def live_text_embeddings(exported, texts):
    return np.asarray(exported["model"].encode_text(exported["preprocessor"](tf.constant(texts))))


def ranked(scores, k):
    """Numpy brute force: the k best columns of each row and their scores."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


def test_encoders_equal_the_live_model(exported):
    encoders = exported["loaded"][0].signatures
    served = encoders["serving_default"](texts=tf.constant(CAPTIONS))["embeddings"]
    expected = live_text_embeddings(exported, CAPTIONS)
    assert served.dtype == tf.float32
    np.testing.assert_allclose(served, expected, atol=1e-5)
    assert np.min(np.linalg.norm(expected[:, None] - expected[None], axis=-1)
                  + np.eye(len(CAPTIONS))) > 1e-3  # the captions get different embeddings
    batch = clips(3, seed=2)
    served = encoders["encode_clip"](**{name: tf.constant(value) for name, value in batch.items()})
    np.testing.assert_allclose(served["embeddings"], exported["model"].encode_clip(**batch),
                               atol=1e-5)


def test_search_text_ranks_the_catalogue_like_numpy(exported):
    k = 4
    served = exported["loaded"][1].signatures["serving_default"](texts=tf.constant(CAPTIONS),
                                                                 k=tf.constant(k))
    catalogue = exported["clip_embeddings"]
    catalogue = catalogue / np.linalg.norm(catalogue, axis=1, keepdims=True)
    order, scores = ranked(live_text_embeddings(exported, CAPTIONS) @ catalogue.T, k)
    np.testing.assert_array_equal(served["clip_ids"].numpy().astype(str),
                                  exported["clip_ids"][order])
    np.testing.assert_allclose(served["scores"], scores, atol=1e-5)


def test_similar_clips_ranks_the_other_clips_like_numpy(exported):
    queries = np.array(["video3", "video0", "video3"])
    k = CATALOGUE - 1
    served = exported["loaded"][1].signatures["similar_clips"](
        clip_ids=tf.constant(queries), k=tf.constant(k))
    catalogue = exported["clip_embeddings"]
    catalogue = catalogue / np.linalg.norm(catalogue, axis=1, keepdims=True)
    rows = np.array([3, 0, 3])
    similarities = catalogue[rows] @ catalogue.T
    similarities[np.arange(len(rows)), rows] = -np.inf
    order, scores = ranked(similarities, k)
    served_ids = served["clip_ids"].numpy().astype(str)
    np.testing.assert_array_equal(served_ids, exported["clip_ids"][order])
    np.testing.assert_allclose(served["scores"], scores, atol=1e-5)
    assert not np.any(served_ids == queries[:, None])  # never the query itself


def _clip_request(**changes):
    """A valid `encode_clip` request of 2 clips, with `changes` (name → expression)."""
    request = {"frames": f"np.zeros((2, {FRAMES}, {FRAME_SIZE}, {FRAME_SIZE}, 3), np.uint8)",
               "audio": f"np.zeros((2, {AUDIO_SAMPLES}), np.float32)",
               "has_audio": "np.array([True, False])", **changes}
    return ("encode_clip", "{" + ", ".join(f"'{name}': {value}"
                                           for name, value in request.items()) + "}")


ENCODER_REQUESTS = {
    _clip_request(frames=f"np.zeros((2, {FRAMES}, {FRAME_SIZE}, {FRAME_SIZE}), np.uint8)"):
        f"frames: expected uint8 [batch, {FRAMES}, {FRAME_SIZE}, {FRAME_SIZE}, 3], got shape] "
        f"[2 {FRAMES} {FRAME_SIZE} {FRAME_SIZE}]",
    _clip_request(audio=f"np.zeros((1, {AUDIO_SAMPLES}), np.float32)"):
        "frames, audio, has_audio: expected the same batch size, got] [2] [1] [2]",
    _clip_request(audio=f"np.full((2, {AUDIO_SAMPLES}), np.nan, np.float32)"):
        "audio: expected finite samples, got NaN or infinity]",
    _clip_request(audio=f"np.full((2, {AUDIO_SAMPLES}), 300, np.float32)"):
        "audio: largest |sample|: expected a value in [0, 1], got] [300]",
    _clip_request(frames=f"np.zeros((17, {FRAMES}, {FRAME_SIZE}, {FRAME_SIZE}, 3), np.uint8)",
                  audio=f"np.zeros((17, {AUDIO_SAMPLES}), np.float32)",
                  has_audio="np.ones(17, bool)"):
        "frames: batch size: expected a value in [1, 16], got] [17]",
    "{'texts': np.array([[b'a red circle']], object)}":
        "texts: expected string [batch], got shape] [1 1]",
}
SEARCH_REQUESTS = {
    "{'texts': np.array([b'a red circle'], object), 'k': np.int32(0)}":
        f"k: expected a value in [1, {CATALOGUE}], got] [0]",
    "{'texts': np.array([b'a red circle'], object), 'k': np.array([2], np.int32)}":
        "k: expected int32 scalar, got shape] [1]",
    ("similar_clips", "{'clip_ids': np.array([b'video0'], object), 'k': np.int32(6)}"):
        f"k: expected a value in [1, {CATALOGUE - 1}], got] [6]",
    ("similar_clips", "{'clip_ids': np.array([b'video0', b'video99'], object), "
                      "'k': np.int32(2)}"):
        "clip_ids: expected ids of the catalogue, got unknown] [video99]",
}


@pytest.mark.parametrize("export, requests", [(0, ENCODER_REQUESTS), (1, SEARCH_REQUESTS)])
def test_bad_requests_are_refused_with_one_line(exported, export, requests):
    returncode, lines = requests_in_fresh_process(exported["versions"][export].path,
                                                  list(requests))
    assert returncode == 0, lines
    assert lines == [f"refused: assertion failed: [{message}" for message in requests.values()]


@pytest.mark.parametrize("export", [0, 1])
def test_fresh_process_check_passes(exported, export):
    result = check_export(exported["versions"][export].path)
    assert result.returncode == 0, result.stdout
    assert "ops check: needs TF Text ops: " in result.stdout
    assert "warmup check: outputs match the manifest" in result.stdout


@pytest.mark.parametrize("clip_ids, rows, message", [
    (["video0", "video1", "video0"], 3, "clip_ids: expected unique ids, got 'video0' more "
                                        "than once"),
    (["video0", "video1"], 3, "clip_embeddings: expected shape [2, dim] for 2 clip_ids, got "
                              "[3, 12]"),
])
def test_a_bad_catalogue_is_refused_at_export(exported, clip_ids, rows, message):
    with pytest.raises(ValueError) as error:
        retrieval_endpoints(exported["model"], exported["preprocessor"], clip_ids,
                            exported["clip_embeddings"][:rows])
    assert str(error.value) == message
