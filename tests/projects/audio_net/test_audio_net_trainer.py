import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import train_under

from dlx_tf.errors import UsageError
from dlx_tf.projects.audio_net import AudioNetClassifier, AudioNetTrainer
from dlx_tf.projects.audio_net.audio_net_trainer import stateless_symmetric_beta
from dlx_tf.training.unfreezing import BackboneUnfreezing

FRAMES, MEL_BINS, CLASSES = 24, 16, 3


def _spectrograms(count, seed=0):
    """`(spectrograms, labels)`: dB-like noise where the label says which third of the mel
    bins is 15 dB brighter."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, count).astype("int32")
    spectrograms = rng.normal(-40, 5, (count, FRAMES, MEL_BINS)).astype("float32")
    for i, label in enumerate(labels):
        spectrograms[i, :, 5 * label:5 * label + 6] += 15
    return spectrograms, labels


def _data(count, batch=8, seed=0):
    return tf.data.Dataset.from_tensor_slices(_spectrograms(count, seed)).batch(
        batch, drop_remainder=True)


def _make(mixup_alpha=0.0, frozen=False, learning_rate=1e-2, jit_compile=False):
    classifier = AudioNetClassifier(num_classes=CLASSES, width=8, stackwise_num_blocks=(1,),
                                    input_mean=-35.0, input_std=8.0)
    trainer = AudioNetTrainer(classifier)
    trainer.compile(keras.optimizers.Adam(learning_rate), keras.optimizers.Adam(learning_rate),
                    mixup_alpha=mixup_alpha, seed=3, jit_compile=jit_compile)
    trainer.backbone_frozen = frozen
    return trainer


def _built(strategy, data, **kwargs):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        trainer = _make(**kwargs)
        trainer.build_for_training(next(iter(data)))
    return trainer


def _values(variables):
    return [np.asarray(v).copy() for v in variables]


def test_it_learns_which_band_is_bright_and_evaluates(one_device):
    trainer = _built(one_device, _data(8))
    history = trainer.fit(_data(96), epochs=3, verbose=0, shuffle=False).history
    assert sorted(history) == ["accuracy", "loss"]
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.8  # chance is 1/3

    spectrograms, labels = _spectrograms(32, seed=1)
    results = trainer.evaluate(_data(32, seed=1), return_dict=True, verbose=0)
    logits = np.asarray(trainer.classifier(spectrograms, training=False))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    # 4 equal batches: the mean of batch means is the mean.
    expected = -log_probs[np.arange(32), labels].mean()
    assert results["loss"] == pytest.approx(expected, rel=1e-4, abs=1e-7)
    assert results["accuracy"] == pytest.approx(np.mean(logits.argmax(1) == labels))


class _EpochEndSnapshots(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        classifier = self.model.classifier
        self.epochs.append({
            "backbone": _values(classifier.backbone.weights),
            "head": _values(classifier.head.weights),
            "backbone_steps": int(self.model.backbone_optimizer.iterations),
            "head_steps": int(self.model.head_optimizer.iterations),
        })


def test_frozen_epochs_train_only_the_head_then_everything(one_device):
    data = _data(16)  # 2 steps an epoch
    trainer = _built(one_device, data)
    backbone, head = trainer.classifier.backbone, trainer.classifier.head
    initial = {"backbone": _values(backbone.weights), "head": _values(head.weights)}
    assert len(backbone.non_trainable_weights) > 0  # batch-norm statistics are checked too
    snapshots = _EpochEndSnapshots()

    trainer.fit(data, epochs=2, verbose=0, shuffle=False,
                callbacks=[BackboneUnfreezing(freeze_epochs=1), snapshots])
    frozen, unfrozen = snapshots.epochs
    for before, after in zip(initial["backbone"], frozen["backbone"]):
        np.testing.assert_array_equal(after, before)
    assert all(not np.allclose(b, a) for b, a in zip(initial["head"], frozen["head"]))
    assert (frozen["head_steps"], frozen["backbone_steps"]) == (2, 0)
    # Epoch 1 re-traced the step: every backbone weight moves, statistics included.
    assert all(not np.allclose(b, a) for b, a in zip(frozen["backbone"], unfrozen["backbone"]))
    assert (unfrozen["head_steps"], unfrozen["backbone_steps"]) == (4, 2)
    assert not trainer.backbone_frozen


class _FakeTrainer:
    backbone_frozen = False

    def __init__(self):
        self.retraced_at = []

    def make_train_function(self, force=False):
        self.retraced_at.append((self.backbone_frozen, force))


@pytest.mark.parametrize("first_epoch, retraces", [
    (0, [(True, True), (False, True)]),  # a fresh run: frozen, then unfrozen at epoch 2
    (1, [(True, True), (False, True)]),  # resumed inside the frozen phase
    (3, []),  # resumed after it: the default, unfrozen step is right
])
def test_unfreezing_retraces_only_when_the_phase_changes(first_epoch, retraces):
    trainer, callback = _FakeTrainer(), BackboneUnfreezing(freeze_epochs=2)
    callback.set_model(trainer)
    for epoch in range(first_epoch, 5):
        callback.on_epoch_begin(epoch)
        assert trainer.backbone_frozen == (epoch < 2)
    assert trainer.retraced_at == retraces


def test_mixup_draws_are_reproducible_and_mix_as_the_formula_says(one_device):
    spectrograms, _ = _spectrograms(8)
    trainer = _built(one_device, _data(8), mixup_alpha=0.2)
    twin = _built(one_device, _data(8), mixup_alpha=0.2)
    mixed, permutation, lam = (np.asarray(t) for t in trainer.mix_batch(spectrograms))
    assert 0.0 <= lam <= 1.0
    assert sorted(permutation) == list(range(8))
    np.testing.assert_allclose(mixed, lam * spectrograms + (1 - lam) * spectrograms[permutation],
                               rtol=1e-6, atol=1e-5)
    # Same seed and step: same draw (a resumed run); the next step: another.
    for a, b in zip(twin.mix_batch(spectrograms), (mixed, permutation, lam)):
        np.testing.assert_array_equal(np.asarray(a), b)
    twin.head_optimizer.iterations.assign(1)
    assert float(twin.mix_batch(spectrograms)[2]) != lam


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0])
def test_symmetric_beta_draws_have_the_beta_moments(alpha):
    draws = np.asarray(stateless_symmetric_beta([20000], tf.constant([1, 2], tf.int64), alpha))
    assert np.all((draws >= 0) & (draws <= 1))
    assert abs(draws.mean() - 0.5) < 0.01
    assert draws.var() == pytest.approx(1 / (4 * (2 * alpha + 1)), rel=0.03)
    if alpha == 1.0:  # Beta(1, 1) is uniform
        np.testing.assert_allclose(np.quantile(draws, [0.1, 0.5, 0.9]), [0.1, 0.5, 0.9],
                                   atol=0.01)


def test_symmetric_beta_compiles_with_xla():
    # tf.random.stateless_gamma would fail here: it has no XLA kernel.
    draw = tf.function(lambda seed: stateless_symmetric_beta([500], seed, 0.2),
                       jit_compile=True)
    draws = np.asarray(draw(tf.constant([1, 2], tf.int64)))
    assert np.all((draws >= 0) & (draws <= 1))
    assert abs(draws.mean() - 0.5) < 0.1


def test_the_mixup_loss_is_the_weighted_cross_entropy_of_both_labels(one_device):
    spectrograms, labels = _spectrograms(8)
    trainer = _built(one_device, _data(8), mixup_alpha=0.4)
    mixed, permutation, lam = (np.asarray(t) for t in trainer.mix_batch(spectrograms))
    assert labels[permutation].tolist() != labels.tolist()  # the two terms differ
    # Training-mode batch norm normalises with the batch's own statistics, so this forward
    # pass computes what the step will.
    logits = np.asarray(trainer.classifier(mixed, training=True))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    rows = np.arange(8)
    expected = -(lam * log_probs[rows, labels] + (1 - lam) * log_probs[rows, labels[permutation]])

    logs = trainer.train_step((tf.constant(spectrograms), tf.constant(labels)))
    assert float(logs["loss"]) == pytest.approx(expected.mean(), rel=1e-5)
    dominant = labels if lam >= 0.5 else labels[permutation]
    assert float(logs["accuracy"]) == pytest.approx(np.mean(logits.argmax(1) == dominant))
    assert int(trainer.head_optimizer.iterations) == 1  # the next step draws anew


def test_two_replicas_train_like_one_while_frozen(one_device, two_replicas):
    # Frozen and without mixup every example is independent of the rest of its batch
    # (batch norm uses the preset's statistics), so splitting batches changes nothing.
    def make():
        return _make(frozen=True, learning_rate=1e-3)

    data = _data(16)
    one, one_history = train_under(one_device, make, lambda model: None, data, epochs=1)
    two, two_history = train_under(two_replicas, make, lambda model: None, data, epochs=1)
    for key in one_history:
        np.testing.assert_allclose(two_history[key], one_history[key], rtol=1e-5, err_msg=key)
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_two_replicas_train_everything_with_mixup(two_replicas):
    data = _data(16)
    trainer = _built(two_replicas, data, mixup_alpha=0.2)
    before = _values(trainer.classifier.trainable_variables)
    history = trainer.fit(data, epochs=1, verbose=0, shuffle=False).history
    assert np.isfinite(history["loss"][0]) and history["loss"][0] > 0
    after = _values(trainer.classifier.trainable_variables)
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
    assert np.asarray(trainer.backbone_optimizer.iterations) == 2


def test_rejects_a_negative_mixup_alpha_or_freeze_epochs():
    trainer = AudioNetTrainer(AudioNetClassifier(num_classes=2, width=4))
    with pytest.raises(UsageError, match="mixup_alpha.*got -0.1"):
        trainer.compile(keras.optimizers.SGD(), keras.optimizers.SGD(), mixup_alpha=-0.1)
    with pytest.raises(UsageError, match="freeze_epochs.*got -1"):
        BackboneUnfreezing(-1)


@pytest.mark.slow
def test_a_jit_compiled_step_with_mixup_trains_everything(one_device):
    data = _data(16)
    trainer = _built(one_device, data, mixup_alpha=0.2, jit_compile=True)
    before = _values(trainer.classifier.trainable_variables)
    history = trainer.fit(data, epochs=1, verbose=0, shuffle=False).history
    assert np.isfinite(history["loss"][0]) and history["loss"][0] > 0
    after = _values(trainer.classifier.trainable_variables)
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
