import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip

from dlx_tf.losses.contrastive import (
    LogitScale,
    global_batch_logits,
    in_batch_accuracy,
    symmetric_info_nce,
)

# 4 text and clip embeddings of a 3-d space, row i of one paired with row i of the other.
TEXT = np.array([[1.0, 0.2, -0.3], [0.1, 0.9, 0.4], [-0.5, 0.3, 0.8], [0.7, -0.6, 0.1]],
                "float32")
CLIPS = np.array([[0.8, -0.5, 0.0], [0.6, 0.7, 0.2], [-0.2, 0.1, 0.9], [0.5, -0.9, 0.2]],
                 "float32")


def _numpy_info_nce(text, clips, scale):
    """CLIP's pseudocode (Fig. 3) in float64: mean of the two cross-entropies."""
    logits = scale * text.astype("float64") @ clips.astype("float64").T  # (text, clips)

    def cross_entropy(rows):
        log_softmax = rows - np.log(np.exp(rows).sum(1, keepdims=True))
        return -np.diag(log_softmax).mean()

    return 0.5 * (cross_entropy(logits) + cross_entropy(logits.T))


def test_loss_matches_the_hand_computed_formula():
    expected = _numpy_info_nce(TEXT, CLIPS, scale=3.0)
    assert float(symmetric_info_nce(TEXT, CLIPS, 3.0)) == pytest.approx(expected, rel=1e-6)
    # Each direction counts: swapping the towers gives the same loss, scaling changes it.
    assert float(symmetric_info_nce(CLIPS, TEXT, 3.0)) == pytest.approx(expected, rel=1e-6)
    assert float(symmetric_info_nce(TEXT, CLIPS, 1.0)) != pytest.approx(expected, rel=1e-3)


def test_float16_embeddings_are_scored_in_float32():
    loss = symmetric_info_nce(TEXT.astype("float16"), CLIPS.astype("float16"), 100.0)
    assert keras.backend.standardize_dtype(loss.dtype) == "float32" and np.isfinite(loss)


def test_in_batch_accuracy_counts_both_directions():
    # Text→clip argmax per row: 0, 1, 2, 3 → 4 of 4. Clip→text: 3, 1, 2, 3 → 3 of 4 (clip 0
    # scores text 3 at 0.86 above its own caption's 0.70).
    logits = TEXT @ CLIPS.T
    assert list(logits.argmax(1)) == [0, 1, 2, 3] and list(logits.T.argmax(1)) == [3, 1, 2, 3]
    assert float(in_batch_accuracy(TEXT, CLIPS)) == pytest.approx(0.5 * (4 / 4 + 3 / 4))


def test_logit_scale_starts_at_one_over_0_07_and_is_capped_at_100():
    logit_scale = LogitScale()
    assert float(logit_scale.log_scale) == pytest.approx(math.log(1 / 0.07))
    assert float(logit_scale.scale) == pytest.approx(1 / 0.07, rel=1e-6)
    # d exp(w)/dw = exp(w) up to the cap, included; nothing past it.
    for scale, capped, gradient in [(50.0, 50.0, 50.0), (100.0, 100.0, 100.0), (200.0, 100.0, 0)]:
        logit_scale.log_scale.assign(math.log(scale))
        with tf.GradientTape() as tape:
            value = logit_scale.scale
        assert float(value) == pytest.approx(capped, rel=1e-6)
        assert float(tape.gradient(value, logit_scale.log_scale)) == pytest.approx(gradient,
                                                                                   rel=1e-5)


def test_optimizer_steps_keep_the_scale_at_the_cap_and_let_it_come_down():
    logit_scale = LogitScale(max_scale=20.0)
    optimizer = keras.optimizers.SGD(learning_rate=1.0)
    optimizer.build([logit_scale.log_scale])
    for push, expected in [(-5.0, math.log(20.0)), (0.5, math.log(20.0) - 0.5)]:
        optimizer.apply([tf.constant(push)], [logit_scale.log_scale])  # w ← w - push
        assert float(logit_scale.log_scale) == pytest.approx(expected, rel=1e-6)


class ScaleHolder(keras.Model):
    def __init__(self):
        super().__init__()
        self.logit_scale = LogitScale()
        self.built = True  # a holder with no call(): nothing left to build


def test_logit_scale_config_and_weights_round_trip(tmp_path):
    check_config_round_trip(LogitScale, {"initial_temperature": 0.2, "max_scale": 50.0})
    wrapper = ScaleHolder()
    assert wrapper.trainable_weights == [wrapper.logit_scale.log_scale]
    wrapper.logit_scale.log_scale.assign(1.5)
    wrapper.save_weights(tmp_path / "wrapper.weights.h5")
    restored = ScaleHolder()
    restored.load_weights(tmp_path / "wrapper.weights.h5")
    assert float(restored.logit_scale.scale) == pytest.approx(math.exp(1.5), rel=1e-6)


@pytest.mark.parametrize("kwargs", [{"initial_temperature": 0.0}, {"max_scale": -1.0}])
def test_logit_scale_rejects_non_positive_arguments(kwargs):
    with pytest.raises(ValueError, match="must be > 0"):
        LogitScale(**kwargs)


def test_cross_replica_context_is_refused(two_replicas):
    with two_replicas.scope(), pytest.raises(RuntimeError, match="strategy.run"):
        global_batch_logits(TEXT, CLIPS)


# === 1 device vs 2 replicas at the same global batch ===

TEXT_FEATURES = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
CLIP_FEATURES = np.random.default_rng(1).normal(size=(8, 6)).astype("float32")


def _make_towers():
    """Two linear towers and a logit scale, the same weights every time."""
    rng = np.random.default_rng(2)
    text_tower = tf.Variable(rng.normal(size=(5, 3)).astype("float32"))
    clip_tower = tf.Variable(rng.normal(size=(6, 3)).astype("float32"))
    logit_scale = LogitScale()
    return [text_tower, clip_tower, logit_scale.log_scale], logit_scale


def _loss_gradients_accuracy(text_features, clip_features, variables, logit_scale):
    text_tower, clip_tower, _ = variables
    with tf.GradientTape() as tape:
        text = tf.math.l2_normalize(text_features @ text_tower, axis=1)
        clips = tf.math.l2_normalize(clip_features @ clip_tower, axis=1)
        loss = symmetric_info_nce(text, clips, logit_scale.scale)
    return loss, tape.gradient(loss, variables), in_batch_accuracy(text, clips)


@pytest.mark.parametrize("split", [4, 5])  # rows on replica 0: even, then uneven
def test_two_replicas_give_one_devices_loss_and_gradients(two_replicas, split):
    variables, logit_scale = _make_towers()
    loss, gradients, accuracy = _loss_gradients_accuracy(
        TEXT_FEATURES, CLIP_FEATURES, variables, logit_scale
    )

    with two_replicas.scope():
        mirrored, mirrored_scale = _make_towers()
    bounds = [(0, split), (split, 8)]

    def replica_rows(context):
        start, stop = bounds[context.replica_id_in_sync_group]
        return tf.constant(TEXT_FEATURES[start:stop]), tf.constant(CLIP_FEATURES[start:stop])

    text_rows, clip_rows = two_replicas.experimental_distribute_values_from_function(
        replica_rows
    )

    @tf.function
    def replicated_step():
        results = two_replicas.run(
            _loss_gradients_accuracy, args=(text_rows, clip_rows, mirrored, mirrored_scale)
        )
        # The optimizer applies the sum over replicas.
        return tf.nest.map_structure(lambda v: two_replicas.reduce("SUM", v, axis=None), results)

    replicated_loss, replicated_gradients, accuracy_sum = replicated_step()
    assert float(replicated_loss) == pytest.approx(float(loss), rel=1e-5)
    for expected, got in zip(gradients, replicated_gradients):
        assert np.any(expected.numpy() != 0)
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-6)
    if split == 4:  # the mean over replicas of their accuracies
        assert float(accuracy_sum) / 2 == pytest.approx(float(accuracy))


def test_each_replica_contrasts_with_the_other_replicas_rows(two_replicas):
    # Replica 0 holds pair 0, replica 1 pair 1: their logits span both columns.
    @tf.function
    def logits():
        text_rows, clip_rows = two_replicas.experimental_distribute_values_from_function(
            lambda context: (tf.constant(TEXT[context.replica_id_in_sync_group][None]),
                             tf.constant(CLIPS[context.replica_id_in_sync_group][None]))
        )
        return two_replicas.run(global_batch_logits, args=(text_rows, clip_rows))

    text_to_clip, _, labels = logits()
    local = two_replicas.experimental_local_results
    for replica, (row, label) in enumerate(zip(local(text_to_clip), local(labels))):
        np.testing.assert_allclose(row.numpy()[0], TEXT[replica] @ CLIPS[:2].T, rtol=1e-6)
        assert int(label.numpy()[0]) == replica


class DualEncoder(keras.Model):
    """Two linear towers trained by `compute_loss`, the way a Keras `fit` uses the loss."""

    def __init__(self):
        super().__init__()
        self.text_tower = keras.layers.Dense(3, kernel_initializer=_seeded(1))
        self.clip_tower = keras.layers.Dense(3, kernel_initializer=_seeded(2))
        self.logit_scale = LogitScale()

    def call(self, inputs):
        text, clips = inputs
        return (tf.math.l2_normalize(self.text_tower(text), axis=1),
                tf.math.l2_normalize(self.clip_tower(clips), axis=1))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return symmetric_info_nce(*y_pred, self.logit_scale.scale)


def _seeded(seed):
    return keras.initializers.GlorotUniform(seed=seed)


def test_keras_fit_on_two_replicas_logs_and_learns_as_on_one_device(one_device, two_replicas):
    dataset = tf.data.Dataset.from_tensor_slices(((TEXT_FEATURES, CLIP_FEATURES),)).batch(4)
    runs = []
    for strategy in (one_device, two_replicas):
        with strategy.scope():
            model = DualEncoder()
            model.compile(optimizer=keras.optimizers.SGD(0.5))
        history = model.fit(dataset, epochs=2, verbose=0).history
        runs.append((history["loss"], [w.numpy() for w in model.trainable_weights]))
    (one_loss, one_weights), (two_loss, two_weights) = runs
    np.testing.assert_allclose(two_loss, one_loss, rtol=1e-5)
    for one, two in zip(one_weights, two_weights):
        np.testing.assert_allclose(two, one, rtol=1e-4, atol=1e-6)
    assert one_weights[-1] != pytest.approx(math.log(1 / 0.07))  # the temperature trained
