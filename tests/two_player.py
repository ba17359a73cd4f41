"""A tiny two-player wrapper with two optimizers: the shape of every GAN in the package,
small enough to train in milliseconds. Used by the Run, checkpoint and distribution
tests."""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


class TwoPlayer(TrainableModel):
    """`first` regresses the target; `second` regresses `first`'s output (a critic)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.Sequential([keras.layers.Dense(8, activation="tanh"),
                                       keras.layers.Dense(1)])
        self.second = keras.Sequential([keras.layers.Dense(4, activation="tanh"),
                                        keras.layers.Dense(1)])
        self.mse = keras.losses.MeanSquaredError()
        self.first_loss = keras.metrics.Mean(name="first_loss")
        self.second_loss = keras.metrics.Mean(name="second_loss")

    def call(self, x):
        return self.second(self.first(x))

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer = prepare_optimizer(first_optimizer, self.first.trainable_variables)
        self.second_optimizer = prepare_optimizer(second_optimizer,
                                                  self.second.trainable_variables)

    def build_for_training(self, batch):
        self(batch[0])
        self.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.02))

    def training_optimizers(self):
        return {"first": self.first_optimizer, "second": self.second_optimizer}

    @property
    def metrics(self):
        return [self.first_loss, self.second_loss]

    def train_step(self, data):
        # 1. first player fits the target; 2. second fits the first's (stopped) output.
        x, y = data
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape() as tape:
            first_loss = self.mse(y, self.first(x, training=True))
        variables = self.first.trainable_variables
        self.first_optimizer.apply(tape.gradient(first_loss, variables), variables)
        target = tf.stop_gradient(self.first(x))
        with tf.GradientTape() as tape:
            second_loss = self.mse(target, self.second(target, training=True))
        variables = self.second.trainable_variables
        self.second_optimizer.apply(tape.gradient(second_loss, variables), variables)
        self.first_loss.update_state(first_loss * replicas)
        self.second_loss.update_state(second_loss * replicas)
        return {m.name: m.result() for m in self.metrics}


class CrashBeforeEpoch(keras.callbacks.Callback):
    """Raises at the start of epoch `epoch` (0-based): a crash for resume tests."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("simulated crash")


def regression_data(count=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, 3)).astype("float32")
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3]).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, y))


@dataclasses.dataclass(frozen=True)
class TwoPlayerConfig(ExperimentConfig):
    epochs: int = 4
    batch_size: int = 32


def train_two_player(config, run, callbacks=()):
    """A whole experiment's `main(config, run)`: fits a `TwoPlayer`, returns it."""
    run.describe_data({"source": "synthetic regression", "synthetic": True,
                       "train_examples": 256})
    with run.scope():
        model = TwoPlayer(name="two_player")
    run.describe_models({"first": model.first, "second": model.second})
    run.fit(model, regression_data(seed=config.seed), callbacks=callbacks)
    return model
