import keras
import numpy as np
import tensorflow as tf
from harness import train_under

from dlx_tf.training.classifier_trainer import ClassifierTrainer


def _data(count=192, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count).astype("int32")
    centres = np.asarray([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]], "float32")
    x = centres[labels] + rng.normal(0, 0.5, (count, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, labels)).batch(32)


def _make():
    trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                                  keras.layers.Dense(3)]))
    trainer.compile(keras.optimizers.Adam(0.05))
    return trainer


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
