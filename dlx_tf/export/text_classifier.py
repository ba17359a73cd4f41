"""Serving signatures of a KerasHub BERT text classifier: raw strings or token ids in."""

import keras
import tensorflow as tf


def text_classifier_endpoints(classifier, preprocessor):
    """`{"serving_default": ..., "token_ids": ...}` for `export_saved_model`.

    `serving_default` takes `texts`, tf.string `[batch]`, and runs `preprocessor` (tokenize,
    truncate, pack to its `sequence_length`) inside the SavedModel. `token_ids` takes
    `token_ids`, `padding_mask` (0/1) and `segment_ids`, all int32 `[batch, sequence_length]`,
    for clients that tokenize themselves. Both return `probabilities` float32
    `[batch, classes]` and `label` int64 `[batch]`.

    The string signature holds TF Text ops (`FastWordpieceTokenizeWithOffsets`,
    `TFText>RoundRobinTrim`, ...): loading it needs `import tensorflow_text`, and serving it
    needs TF Serving >= 2.20 (earlier releases bundle a TF Text without `RoundRobinTrim`).
    Pass `resources=[classifier, preprocessor]` to `export_saved_model`; `preprocessor` is
    built here if it is not yet.

    Args:
        classifier: a Keras model mapping the BERT input dict `{"token_ids", "segment_ids",
            "padding_mask"}` to logits `[batch, classes]`, e.g.
            `keras_hub.models.BertTextClassifier`.
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

    def classify(inputs):
        # Mixed precision gives float16 logits; softmax and serve in float32.
        logits = tf.cast(classifier(inputs, training=False), tf.float32)
        probabilities = tf.nn.softmax(logits, axis=-1)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    def serve_texts(texts):
        # A preprocessor called without labels returns the input dict alone.
        inputs, _, _ = keras.utils.unpack_x_y_sample_weight(preprocessor(texts))
        return classify(inputs)

    def serve_token_ids(token_ids, padding_mask, segment_ids):
        # Loaded signatures and TF Serving do not enforce the static sequence length; without
        # this check a wrong one fails deep inside the backbone ("Incompatible shapes").
        ids = {"token_ids": token_ids, "padding_mask": padding_mask, "segment_ids": segment_ids}
        batch = tf.shape(token_ids)[0]
        ok = tf.reduce_all(
            [
                (tf.rank(t) == 2)
                & (tf.shape(t)[0] == batch)
                & tf.reduce_all(tf.shape(t)[1:] == sequence_length)
                for t in ids.values()
            ]
        )
        expected = ", ".join(ids) + f" must all be int32 [batch, {sequence_length}]; got"
        shapes = [tf.shape(tensor) for tensor in ids.values()]
        with tf.control_dependencies([tf.debugging.Assert(ok, [expected, *shapes])]):
            return classify({name: tf.identity(tensor) for name, tensor in ids.items()})

    id_specs = [
        tf.TensorSpec([None, sequence_length], tf.int32, name=name)
        for name in ("token_ids", "padding_mask", "segment_ids")
    ]
    return {
        "serving_default": (serve_texts, [tf.TensorSpec([None], tf.string, name="texts")]),
        "token_ids": (serve_token_ids, id_specs),
    }
