"""Serving signatures of a KerasHub BERT text classifier: raw strings or token ids in."""

import keras
import tensorflow as tf

from dlx_tf.export.request_checks import (
    check_layout,
    check_same_batch,
    checked,
    checked_strings,
    request_spec,
)
from dlx_tf.ranges import within

# Per request: BERT-Base on 128 texts of 128 tokens takes seconds on a CPU; texts are
# truncated to the sequence length, but tokenizing comes first, so their bytes are capped.
TEXT_CLASSIFIER_LIMITS = {"batch": 128, "text_bytes": 1 << 18}


def text_classifier_endpoints(classifier, preprocessor, limits=None):
    """`{"serving_default": ..., "token_ids": ...}` for `export_saved_model`.

    `serving_default` takes `texts`, tf.string `[batch]`, and runs `preprocessor` (tokenize,
    truncate, pack to its `sequence_length`) inside the SavedModel. `token_ids` takes
    `token_ids`, `padding_mask` (0/1) and `segment_ids`, all int32 `[batch, sequence_length]`,
    for clients that tokenize themselves: ids in [0, vocabulary), mask 0 or 1, segments in
    [0, segments). Both return `probabilities` float32 `[batch, classes]` and `label`
    int64 `[batch]`. A request outside these rules or `limits` (`TEXT_CLASSIFIER_LIMITS`
    updated by the given dict: texts or rows per request, bytes per text) is refused,
    naming the input, before any work; write the same limits into the export's manifest.

    The string signature holds TF Text ops (`FastWordpieceTokenizeWithOffsets`,
    `TFText>RoundRobinTrim`, ...): loading it needs `import tensorflow_text`, and serving it
    needs TF Serving >= 2.20 (earlier releases bundle a TF Text without `RoundRobinTrim`).
    Pass `resources=[classifier, preprocessor]` to `export_saved_model`; `preprocessor` is
    built here if it is not yet.

    Args:
        classifier: a `keras_hub.models.BertTextClassifier` (or a Keras model with a BERT
            `backbone`) mapping the input dict `{"token_ids", "segment_ids",
            "padding_mask"}` to logits `[batch, classes]`.
        preprocessor: a `keras_hub.models.BertTextClassifierPreprocessor` (or any
            preprocessor mapping strings to that dict), usually `classifier.preprocessor`.

    Example:
        export_saved_model(
            "news_classifier",
            resources=[classifier, classifier.preprocessor],
            endpoints=text_classifier_endpoints(classifier, classifier.preprocessor),
            warmup_inputs={"texts": np.array([b"stocks rallied today"], object)},
            manifest={"experiment": "ag_news_bert"},
        )
    """
    if not preprocessor.built:
        # ExportArchive.track() refuses unbuilt layers; building creates the packer.
        preprocessor.build(None)
    sequence_length = preprocessor.sequence_length
    limits = {**TEXT_CLASSIFIER_LIMITS, **(limits or {})}
    batch = within(1, limits["batch"])
    backbone = classifier.backbone
    id_ranges = {"token_ids": within(0, backbone.vocabulary_size, high_open=True),
                 "padding_mask": within(0, 1),
                 "segment_ids": within(0, backbone.num_segments, high_open=True)}

    def classify(inputs):
        # Mixed precision gives float16 logits; softmax and serve in float32.
        logits = tf.cast(classifier(inputs, training=False), tf.float32)
        probabilities = tf.nn.softmax(logits, axis=-1)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    def serve_texts(texts):
        texts = checked_strings(texts, "texts", limits["batch"], limits["text_bytes"])
        # A preprocessor called without labels returns the input dict alone.
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(preprocessor(texts))
        return classify(inputs)

    def serve_token_ids(token_ids, padding_mask, segment_ids):
        ids = {"token_ids": token_ids, "padding_mask": padding_mask, "segment_ids": segment_ids}
        layouts = [check_layout(tensor, name, ("batch", sequence_length))[0]
                   for name, tensor in ids.items()]
        with tf.control_dependencies(layouts):
            checks = [check_same_batch(ids),
                      batch.check(tf.shape(token_ids)[0], "token_ids: batch size"),
                      *(id_ranges[name].check(tensor, name) for name, tensor in ids.items())]
        return classify({name: checked(tensor, checks, [None, sequence_length])
                         for name, tensor in ids.items()})

    return {
        "serving_default": (serve_texts, [request_spec(tf.string, "texts")]),
        "token_ids": (serve_token_ids, [request_spec(tf.int32, name) for name in id_ranges]),
    }
