import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import train_under

from dlx_tf.training.classifier_trainer import ClassifierTrainer


def _data(count=192, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count).astype("int32")
    centres = np.asarray([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]], "float32")
    x = centres[labels] + rng.normal(0, 0.5, (count, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, labels)).batch(32)


def _noisy_data(count=192, seed=0, flip=0.3):
    """`(x, labels, clean_labels)` batches: a `flip` share of the labels moved to the next
    class, the rest kept."""
    rng = np.random.default_rng(seed)
    clean = rng.integers(0, 3, count).astype("int32")
    centres = np.asarray([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]], "float32")
    x = centres[clean] + rng.normal(0, 0.5, (count, 2)).astype("float32")
    flipped = rng.random(count) < flip
    labels = np.where(flipped, (clean + 1) % 3, clean).astype("int32")
    return tf.data.Dataset.from_tensor_slices((x, labels, clean)).batch(32)


class ScaledCrossEntropy(keras.losses.Loss):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, labels, logits):
        return self.factor * keras.losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True)


def _make(optimizer=None, loss=None):
    trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                                  keras.layers.Dense(3)]))
    trainer.compile(optimizer or keras.optimizers.Adam(0.05), loss=loss)
    return trainer


def _make_sgd():
    return _make(keras.optimizers.SGD(0.1))


def test_it_learns_three_separable_classes(one_device):
    _, history = train_under(one_device, _make, lambda model: None, _data(), epochs=6)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.9  # chance is 1/3


def test_two_replicas_train_like_one(one_device, two_replicas):
    one, one_history = train_under(one_device, _make, lambda model: None, _data(64), epochs=1)
    two, two_history = train_under(two_replicas, _make, lambda model: None, _data(64), epochs=1)
    np.testing.assert_allclose(two_history["loss"], one_history["loss"], rtol=1e-5)
    np.testing.assert_allclose(two_history["accuracy"], one_history["accuracy"], rtol=1e-6)
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_clean_labels_are_scored_beside_the_noisy_ones(one_device):
    _, history = train_under(one_device, _make, lambda model: None, _noisy_data(), epochs=6)
    assert sorted(history) == ["accuracy", "clean_accuracy", "loss"]
    # The small model cannot memorise the 30 % flipped labels: it agrees with the clean ones.
    assert history["clean_accuracy"][-1] > 0.9
    assert history["accuracy"][-1] < history["clean_accuracy"][-1] - 0.15


def test_the_loss_given_to_compile_is_the_one_trained_and_logged(one_device):
    # One SGD step on 3 * CE with learning rate r is one step on CE with rate 3 r.
    plain, plain_history = train_under(
        one_device, lambda: _make(keras.optimizers.SGD(0.3)), lambda model: None, _data(64),
        epochs=1)
    scaled, scaled_history = train_under(
        one_device, lambda: _make(keras.optimizers.SGD(0.1), loss=ScaledCrossEntropy(3.0)),
        lambda model: None, _data(64), epochs=1)
    np.testing.assert_allclose(scaled_history["loss"], 3 * np.asarray(plain_history["loss"]),
                               rtol=1e-5)
    np.testing.assert_allclose(scaled_history["accuracy"], plain_history["accuracy"])
    for a, b in zip(plain, scaled):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_evaluate_reports_loss_accuracy_and_clean_accuracy(one_device):
    data = _noisy_data(96, seed=1)
    with one_device.scope():
        trainer = _make()
        trainer.build_for_training(next(iter(data)))
    trainer.fit(_noisy_data(), epochs=2, verbose=0, shuffle=False)
    weights = [np.asarray(w) for w in trainer.get_weights()]

    # float(): Keras 3.10 returns tensors here, later versions floats.
    results = {k: float(v) for k, v in trainer.evaluate(data, return_dict=True,
                                                        verbose=0).items()}
    x, labels, clean = (np.concatenate([np.asarray(b[i]) for b in data]) for i in range(3))
    logits = np.asarray(trainer.classifier(x))
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert sorted(results) == ["accuracy", "clean_accuracy", "loss"]
    # 3 equal batches of 32: the mean of batch means is the mean.
    assert results["loss"] == pytest.approx(-log_probs[np.arange(96), labels].mean(), rel=1e-5)
    assert results["accuracy"] == pytest.approx(np.mean(logits.argmax(1) == labels))
    assert results["clean_accuracy"] == pytest.approx(np.mean(logits.argmax(1) == clean))
    assert results["clean_accuracy"] != results["accuracy"]
    for before, after in zip(weights, trainer.get_weights()):
        np.testing.assert_array_equal(before, after)  # evaluating does not train

    two_tuple = {k: float(v) for k, v in trainer.evaluate(
        data.map(lambda x, y, c: (x, y)), return_dict=True, verbose=0).items()}
    assert two_tuple == pytest.approx({"loss": results["loss"],
                                       "accuracy": results["accuracy"]})


def test_two_replicas_train_like_one_with_clean_labels(one_device, two_replicas):
    data = _noisy_data(64)
    one, one_history = train_under(one_device, _make_sgd, lambda model: None, data, epochs=1)
    two, two_history = train_under(two_replicas, _make_sgd, lambda model: None, data, epochs=1)
    assert sorted(two_history) == ["accuracy", "clean_accuracy", "loss"]
    for key in one_history:
        np.testing.assert_allclose(two_history[key], one_history[key], rtol=1e-5, err_msg=key)
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _make_clipped():
    trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(3)]))
    trainer.compile(keras.optimizers.SGD(1.0), clip_norm=0.01)
    return trainer


def test_clipping_bounds_the_global_norm_of_each_step_like_one_device(one_device,
                                                                      two_replicas):
    data = _data(64).take(1)  # one step of 32 examples
    keras.utils.set_random_seed(0)
    with one_device.scope():
        reference = keras.Sequential([keras.layers.Dense(3)])
        reference.build((None, 2))
    before = [np.asarray(w) for w in reference.get_weights()]
    x, labels = next(iter(data))
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels,
                                                                             reference(x))
    gradients = tape.gradient(loss, reference.trainable_variables)
    norm = float(tf.linalg.global_norm(gradients))
    assert norm > 0.01  # so the clip acts
    expected = [b - 0.01 * np.asarray(g) / norm for b, g in zip(before, gradients)]
    for strategy in (one_device, two_replicas):
        weights, _ = train_under(strategy, _make_clipped, lambda model: None, data, epochs=1)
        for got, want in zip(weights, expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
