"""Serving signatures of a clip catalogue: captions or clips in, the nearest clips out."""

import collections

import numpy as np
import tensorflow as tf

from dlx_tf.export.multi_net_encoders import MULTI_NET_ENCODER_LIMITS, text_embedder
from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.ranges import within

# Per request: each query scores the whole catalogue (one matrix product), so the batch is
# kept to what one CPU answers in seconds for a catalogue of ~1e5 clips.
RETRIEVAL_LIMITS = {"batch": 64, "k": 100, "text_bytes": MULTI_NET_ENCODER_LIMITS["text_bytes"]}


def retrieval_endpoints(model, preprocessor, clip_ids, clip_embeddings, limits=None):
    """`{"serving_default": ..., "similar_clips": ...}` for `export_saved_model`.

    The SavedModel holds the catalogue: `clip_ids` (strings) and their `clip_embeddings`
    (normalised to unit length here) as variables. `serving_default` (search_text) takes
    `texts` tf.string `[batch]` and `k` int32 scalar, encodes the captions with
    `model.encode_text` (the preprocessor runs inside, as in `text_classifier_endpoints`)
    and returns the `k` best clips of each: `clip_ids` tf.string `[batch, k]` and `scores`
    float32 `[batch, k]`, cosine similarities, best first. `similar_clips` ("more like
    this") takes `clip_ids` tf.string `[batch]` of the catalogue and `k`, and returns the
    `k` nearest other clips in the same form; an unknown id is refused, naming it. `k` must
    be in [1, min(limits["k"], clips)] (clips − 1 for `similar_clips`); other requests
    outside `limits` (`RETRIEVAL_LIMITS` updated by the given dict) are refused with one
    line before any work.

    Search is brute force (every clip scored, `tf.math.top_k`): exact and core TF ops only,
    fine to ~1e6 clips; beyond that, or under a tight latency budget, serve an approximate
    index (ScaNN, FAISS) outside the SavedModel.

    The text signature holds TF Text ops: loading it needs `import tensorflow_text`, and
    serving it TF Serving >= 2.20. Pass `resources=[model, preprocessor]` to
    `export_saved_model`.

    Args:
        model: a built `MultiNet`.
        preprocessor: the `BertTextClassifierPreprocessor` its text tower was trained with.
        clip_ids: unique strings, one per catalogue clip (e.g. `"video7020"`).
        clip_embeddings: float `[clips, embedding_dim]`, `model.encode_clip` of each clip.

    Example:
        export_saved_model(
            "msrvtt_search",
            resources=[model, preprocessor],
            endpoints=retrieval_endpoints(model, preprocessor, ids, clip_embeddings),
            warmup_inputs={"texts": np.array([b"a man is cooking"], object), "k": 5},
            manifest={"experiment": "multi_net", "limits": RETRIEVAL_LIMITS},
        )
    """
    ids, embeddings = _catalogue(clip_ids, clip_embeddings)
    clips = len(ids)
    limits = {**RETRIEVAL_LIMITS, **(limits or {})}
    batch = within(1, limits["batch"])
    embed_texts = text_embedder(model, preprocessor, limits["batch"], limits["text_bytes"])
    # Variables, not constants: a graph constant is capped at 2 GB by the protobuf format.
    ids = tf.Variable(ids, trainable=False, name="clip_ids")
    embeddings = tf.Variable(embeddings, trainable=False, name="clip_embeddings")

    def checked_k(k, most):
        layout, _ = check_layout(k, "k", ())
        with tf.control_dependencies([layout]):
            in_range = within(1, min(limits["k"], most)).check(k, "k")
        return checked(k, [in_range], [])

    def nearest(queries, k, excluded_rows=None):
        scores = tf.matmul(queries, embeddings, transpose_b=True)  # (batch, clips)
        if excluded_rows is not None:
            own = tf.one_hot(excluded_rows, clips, on_value=True, off_value=False)
            scores = tf.where(own, tf.constant(-np.inf, tf.float32), scores)
        best = tf.math.top_k(scores, k)
        return {"clip_ids": tf.gather(ids, best.indices), "scores": best.values}

    def search_text(texts, k):
        k = checked_k(k, clips)
        return nearest(embed_texts(texts), k)

    def similar_clips(clip_ids, k):
        layout, sizes = check_layout(clip_ids, "clip_ids", ("batch",))
        with tf.control_dependencies([layout]):
            size = batch.check(sizes[0], "clip_ids: batch size")
        clip_ids = checked(clip_ids, [size], [None])
        matches = tf.equal(clip_ids[:, tf.newaxis], ids[tf.newaxis, :])  # (batch, clips)
        known = tf.reduce_any(matches, axis=1)
        found = tf.debugging.Assert(tf.reduce_all(known), [
            "clip_ids: expected ids of the catalogue, got unknown",
            tf.boolean_mask(clip_ids, ~known)])
        k = checked_k(k, clips - 1)
        rows = tf.argmax(tf.cast(checked(matches, [found], [None, clips]), tf.int32), axis=1)
        return nearest(tf.gather(embeddings, rows), k, excluded_rows=rows)

    return {
        "serving_default": (search_text, [request_spec(tf.string, "texts"),
                                          request_spec(tf.int32, "k")]),
        "similar_clips": (similar_clips, [request_spec(tf.string, "clip_ids"),
                                          request_spec(tf.int32, "k")]),
    }


def _catalogue(clip_ids, clip_embeddings):
    """The ids as a bytes array and the embeddings as unit float32 rows, or a one-line error."""
    ids = np.array([str(clip_id).encode() if not isinstance(clip_id, bytes) else clip_id
                    for clip_id in clip_ids], dtype=object)
    embeddings = np.asarray(clip_embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or len(embeddings) != len(ids):
        raise ValueError(f"clip_embeddings: expected shape [{len(ids)}, dim] for "
                         f"{len(ids)} clip_ids, got {list(embeddings.shape)}")
    if len(ids) < 2:
        raise ValueError(f"clip_ids: expected at least 2 clips, got {len(ids)}")
    repeated = [clip_id for clip_id, count in collections.Counter(ids.tolist()).items()
                if count > 1]
    if repeated:
        raise ValueError(f"clip_ids: expected unique ids, got {repeated[0].decode()!r} "
                         "more than once")
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        raise ValueError("clip_embeddings: expected finite, non-zero rows")
    return ids, embeddings / norms
