"""Callbacks a `Run` adds to training, and the base class of those that draw through it."""

import math
import time

import keras

from dlx_tf.errors import NonFiniteLoss


class RunCallback(keras.callbacks.Callback):
    """A callback that saves figures or images through the `Run` it trains in.

    `Run.fit` sets `self.run` before training, as Keras sets `self.model`; figures and
    TensorBoard images then go where the run's go, and only on the chief.
    """

    run = None


class HeldOutEvaluation(keras.callbacks.Callback):
    """Evaluates the model on `batches` after every epoch and adds the results to the
    epoch's logs as `<prefix><metric>`; place it before callbacks that read the logs.
    Runs on every worker: evaluation is a collective under multi-worker strategies."""

    def __init__(self, batches, prefix="test_"):
        super().__init__()
        self.batches = batches
        self.prefix = prefix

    def on_epoch_end(self, epoch, logs=None):
        results = self.model.evaluate(self.batches, return_dict=True, verbose=0)
        if logs is not None:
            logs.update({f"{self.prefix}{k}": float(v) for k, v in results.items()})


class StepClock(keras.callbacks.Callback):
    """Wall time of each epoch's training steps, from the epoch's start to its last step,
    before validation; first in the list, so no end-of-epoch work is counted."""

    def __init__(self):
        super().__init__()
        self.seconds = None
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()
        self.seconds = None

    def on_test_begin(self, logs=None):  # `fit`'s validation, after the epoch's last step
        if self._started is not None and self.seconds is None:
            self.seconds = time.perf_counter() - self._started

    def on_epoch_end(self, epoch, logs=None):
        if self.seconds is None:
            [float(v) for v in (logs or {}).values()]  # wait for the last step
            self.seconds = time.perf_counter() - self._started


class NonFiniteLossGuard(keras.callbacks.Callback):
    """Raises `NonFiniteLoss` at the end of the first compiled call whose logs hold a NaN
    or infinite loss, before the epoch's checkpoint, figures or exports can keep it. The
    logs are running means over the epoch, so one bad step shows in every later call."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.steps = epoch, 0

    def on_train_batch_end(self, batch, logs=None):
        # Counted here: Keras 3.10 passes a call's first step, 3.15 its last.
        self.steps += self.model.steps_per_execution
        bad = {key: float(value) for key, value in (logs or {}).items()
               if "loss" in key and not math.isfinite(float(value))}
        if bad:
            shown = ", ".join(f"{key} = {value}" for key, value in sorted(bad.items()))
            raise NonFiniteLoss(f"non-finite loss at epoch {self.epoch + 1} step {self.steps} "
                                f"({shown}); the last checkpoint is the last good state")


def throughput(history, global_batch, steps_per_epoch):
    """Examples and steps per second of the training steps, and the mean seconds of the
    end-of-epoch work (evaluation, figures, checkpoints) beside them, leaving out the
    first epoch (tracing) when others exist."""
    timed = history[1:] if len(history) > 1 else history
    seconds = sum(entry["train_seconds"] for entry in timed)
    steps = steps_per_epoch * len(timed)
    return {
        "examples_per_sec": round(steps * global_batch / seconds, 2),
        "steps_per_sec": round(steps / seconds, 3),
        "epoch_end_seconds": round(
            sum(entry["epoch_seconds"] - entry["train_seconds"] for entry in timed)
            / len(timed), 3),
        "epochs_timed": len(timed),
    }
