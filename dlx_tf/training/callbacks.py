"""Callbacks a `Run` adds to training, and the base class of those that draw through it."""

import keras


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


def throughput(history, global_batch, steps_per_epoch):
    """Examples and steps per second, leaving out the first epoch (tracing) when others exist."""
    timed = history[1:] if len(history) > 1 else history
    seconds = sum(entry["epoch_seconds"] for entry in timed)
    steps = steps_per_epoch * len(timed)
    return {
        "examples_per_sec": round(steps * global_batch / seconds, 2),
        "steps_per_sec": round(steps / seconds, 3),
        "epochs_timed": len(timed),
    }
