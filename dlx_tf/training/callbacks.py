"""Epoch-end bookkeeping shared by every run: history, throughput, checkpoint, live plot,
and optional held-out evaluation."""

import time

import keras

from dlx_tf.viz.curves import plot_history


class EpochRecorder(keras.callbacks.Callback):
    """After each epoch: extends the history, measures throughput, saves a checkpoint,
    rewrites `run.json` and redraws the live training-curve plot.

    Args:
        record: the run's `RunRecord`.
        checkpoint: the run's `TrainingCheckpoint`.
        history: epochs already done (from a resumed checkpoint), extended in place.
        global_batch: examples per step, for throughput.
        steps_per_epoch: steps in one epoch.
        plot_path: the PNG redrawn every epoch.
        plot_title: its title (says "synthetic data" when it is).
        extend_throughput: `(throughput) -> dict` of extra throughput entries, or None.
    """

    def __init__(self, record, checkpoint, history, global_batch, steps_per_epoch, plot_path,
                 plot_title, extend_throughput=None):
        super().__init__()
        self.record = record
        self.checkpoint = checkpoint
        self.history = history
        self.global_batch = global_batch
        self.steps_per_epoch = steps_per_epoch
        self.plot_path = plot_path
        self.plot_title = plot_title
        self.extend_throughput = extend_throughput
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._started
        entry = {"epoch": epoch + 1, "epoch_seconds": round(seconds, 3)}
        entry.update({k: float(v) for k, v in (logs or {}).items()})
        self.history.append(entry)
        self.checkpoint.save(epoch + 1, {"history": self.history})
        measured = throughput(self.history, self.global_batch, self.steps_per_epoch)
        if self.extend_throughput is not None:
            measured.update(self.extend_throughput(measured))
        self.record.update(history=self.history, throughput=measured)
        plot_history(self.history, self.plot_path, self.plot_title)


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
