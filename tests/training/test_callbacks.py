import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.training.callbacks import HeldOutEvaluation, throughput
from dlx_tf.training.classifier_trainer import ClassifierTrainer


def _batches(count, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count).astype("int32")
    centres = np.asarray([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.0]], "float32")
    x = centres[labels] + rng.normal(0, 0.8, (count, 2)).astype("float32")
    noisy = np.where(rng.random(count) < 0.2, (labels + 2) % 3, labels).astype("int32")
    return tf.data.Dataset.from_tensor_slices((x, noisy, labels)).batch(32)


class LogsSeen(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(dict(logs))


def _trainer(strategy, batches):
    keras.utils.set_random_seed(0)
    with strategy.scope():
        trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(8, activation="relu"),
                                                      keras.layers.Dense(3)]))
        trainer.compile(keras.optimizers.Adam(0.05))
        trainer.build_for_training(next(iter(batches)))
    return trainer


def test_held_out_results_join_the_epoch_logs_of_later_callbacks(one_device):
    train, validation, test = _batches(128, 0), _batches(64, 1), _batches(96, 2)
    trainer = _trainer(one_device, train)
    seen = LogsSeen()
    history = trainer.fit(train, epochs=2, validation_data=validation, verbose=0,
                          shuffle=False, callbacks=[HeldOutEvaluation(test), seen]).history

    metrics = ("loss", "accuracy", "clean_accuracy")
    assert len(seen.epochs) == 2
    for logs in seen.epochs:
        assert sorted(logs) == sorted(f"{prefix}{m}" for prefix in ("", "val_", "test_")
                                      for m in metrics)
    assert history["test_loss"] == [logs["test_loss"] for logs in seen.epochs]
    assert seen.epochs[0]["test_loss"] != seen.epochs[1]["test_loss"]
    assert seen.epochs[-1]["test_loss"] != pytest.approx(seen.epochs[-1]["val_loss"])

    final = trainer.evaluate(test, return_dict=True, verbose=0)
    for key, value in final.items():
        assert seen.epochs[-1][f"test_{key}"] == pytest.approx(value, rel=1e-6), key

    # Evaluating between epochs changes neither the training logs nor the training.
    plain = _trainer(one_device, train)
    plain_history = plain.fit(train, epochs=2, validation_data=validation, verbose=0,
                              shuffle=False).history
    for key, values in plain_history.items():
        np.testing.assert_allclose(history[key], values, rtol=1e-6, err_msg=key)
    for a, b in zip(trainer.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_the_prefix_is_configurable(one_device):
    train = _batches(64, 0)
    with one_device.scope():
        trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(3)]))
        trainer.compile(keras.optimizers.SGD(0.1))
        trainer.build_for_training(next(iter(train)))
    history = trainer.fit(train, epochs=1, verbose=0,
                          callbacks=[HeldOutEvaluation(train.map(lambda x, y, c: (x, y)),
                                                       prefix="heldout_")]).history
    assert sorted(history) == ["accuracy", "clean_accuracy", "heldout_accuracy",
                               "heldout_loss", "loss"]


def test_throughput_counts_the_steps_and_leaves_out_the_first_epoch_when_others_exist():
    history = [{"epoch_seconds": 9.5, "train_seconds": 9.0},
               {"epoch_seconds": 3.0, "train_seconds": 2.0},
               {"epoch_seconds": 2.5, "train_seconds": 2.0}]
    assert throughput(history, global_batch=8, steps_per_epoch=10) == {
        "examples_per_sec": 40.0, "steps_per_sec": 5.0, "epoch_end_seconds": 0.75,
        "epochs_timed": 2}
    assert throughput(history[:1], 8, 10)["examples_per_sec"] == round(80 / 9, 2)
