"""The serving signature of a segment-level audio classifier: waveforms in, clip-level
genre probabilities out, the spectrogram computed inside the SavedModel."""

import tensorflow as tf

from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.ranges import at_least, at_most, within

# Per request: 2**23 samples (6.3 min at 22,050 Hz) make ~126 three-second segments, which
# the classifier takes in one batch.
AUDIO_LIMITS = {"batch": 64, "samples_per_request": 1 << 23}


def audio_classifier_endpoints(frontend, classifier, segment_samples, class_names,
                               limits=None):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    The input `waveforms` is float32 `[batch, samples]` in [-1, 1] at the training sample
    rate, with `samples >= segment_samples`. Each clip is cut into consecutive segments of
    `segment_samples` (the remainder is dropped, as in training), every segment goes through
    `frontend` and `classifier`, and the clip's probabilities are the mean of its segments'
    (the song-level rule of the evaluation). Outputs: `probabilities` float32
    `[batch, classes]`, `label` int64 `[batch]`, `genre` string `[batch]` and `segments`
    int32 `[batch]`, the number of segments averaged.

    Samples must be finite and within [-1, 1] (int16 audio sent as float would give a
    confident answer about noise), and a request within `limits` (`AUDIO_LIMITS` updated
    by the given dict); otherwise it is refused, naming the input, before any work.

    Pass `resources=[frontend, classifier]` to `export_saved_model`.

    Args:
        frontend: waveforms `[n, segment_samples]` → features, e.g. `LogMelSpectrogram`.
        classifier: features → logits `[n, classes]`.
        segment_samples: the training segment length in samples.
        class_names: the label names, index = label.
    """
    names = tf.constant(list(class_names))
    limits = {**AUDIO_LIMITS, **(limits or {})}

    def serve(waveforms):
        layout, sizes = check_layout(waveforms, "waveforms", ("batch", "samples"))
        with tf.control_dependencies([layout]):
            checks = [
                at_least(segment_samples).check(sizes[1], "waveforms: samples per clip"),
                within(1, limits["batch"]).check(sizes[0], "waveforms: batch size"),
                at_most(limits["samples_per_request"]).check(tf.size(waveforms),
                                                             "waveforms: samples per request"),
            ]
        with tf.control_dependencies(checks):
            finite = tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(waveforms)), [
                "waveforms: expected finite samples, got NaN or infinity"])
        with tf.control_dependencies([finite]):
            # After the finite check, so NaN cannot slip through the maximum.
            loudest = within(0, 1).check(
                tf.reduce_max(tf.abs(waveforms)), "waveforms: largest |sample| (float audio "
                                                  "in [-1, 1]; divide int16 samples by 32768)")
        waveforms = checked(waveforms, [loudest], [None, None])
        segments = tf.signal.frame(waveforms, segment_samples, segment_samples)
        batch, count = tf.shape(segments)[0], tf.shape(segments)[1]
        flat = tf.reshape(segments, [batch * count, segment_samples])
        # Mixed precision gives float16 logits; softmax and average in float32.
        logits = tf.cast(classifier(frontend(flat), training=False), tf.float32)
        per_segment = tf.reshape(tf.nn.softmax(logits, axis=-1), [batch, count, -1])
        probabilities = tf.reduce_mean(per_segment, axis=1)
        label = tf.argmax(probabilities, axis=-1)
        return {"probabilities": probabilities, "label": label,
                "genre": tf.gather(names, label), "segments": tf.fill([batch], count)}

    return {"serving_default": (serve, [request_spec(tf.float32, "waveforms")])}
