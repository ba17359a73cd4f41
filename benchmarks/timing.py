"""The timing loops the benchmarks share: one call, a bare compiled step, and the same step
inside the `fit` loop of a real `Run`."""

import contextlib
import io
import statistics
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.epochs import training_batches
from dlx_tf.training.run import Run


def seconds_per_call(function, argument, calls, warmup=2):
    """Seconds per `function(argument)` over `calls` calls after `warmup` untimed ones
    (tracing); waits for the last result with `np.asarray`."""
    for _ in range(warmup):
        function(argument)
    started = time.perf_counter()
    for _ in range(calls):
        result = function(argument)
    np.asarray(result)  # wait for the last call
    return (time.perf_counter() - started) / calls


def seconds_per_step(model, batch, steps, jit_compile=False, warmup=2, blocks=3):
    """Builds `model` (a `TrainableModel`) for `batch`, runs `warmup` untimed steps
    (tracing, XLA compilation), then times `blocks` blocks of `steps` steps and returns
    the median block's mean: this machine's timings wander by 10-20 % from one second
    to the next, and the median of blocks keeps one slow block out."""
    model.build_for_training(batch)
    step = tf.function(model.train_step, jit_compile=jit_compile)
    for _ in range(warmup):
        step(batch)
    means = []
    for _ in range(blocks):
        started = time.perf_counter()
        for _ in range(steps):
            logs = step(batch)
        [float(v) for v in logs.values()]  # wait for the last step
        means.append((time.perf_counter() - started) / steps)
    return statistics.median(means)


class _BareSteps(keras.callbacks.Callback):
    """After every epoch, times as many bare compiled steps on one fixed batch as an
    epoch has, so each epoch's in-fit time has a bare time measured seconds later beside
    it: this machine's speed drifts by 10-30 % over tens of seconds, and pairs cancel
    the drift."""

    def __init__(self, batch, steps, jit_compile):
        super().__init__()
        self.batch, self.steps, self.jit_compile = batch, steps, jit_compile
        self.seconds = []

    def on_train_begin(self, logs=None):  # `Run.fit` has built the model
        self.step = tf.function(self.model.train_step, jit_compile=self.jit_compile)
        self.step(self.batch)  # tracing, XLA compilation

    def on_epoch_end(self, epoch, logs=None):
        started = time.perf_counter()
        for _ in range(self.steps):
            results = self.step(self.batch)
        [float(v) for v in results.values()]  # wait for the last step
        self.seconds.append((time.perf_counter() - started) / self.steps)


def bare_and_in_fit(model, examples, batch_size, jit_compile, augment=None, epochs=4):
    """Trains the compiled `model` on the unbatched `examples` with `Run.fit`, the loop
    every experiment trains in (its per-epoch shuffled, augmented pipeline, Keras's
    `fit`, TensorBoard and checkpoint callbacks), in a temporary run folder, timing as
    many bare steps after every epoch. Returns medians over the epochs after the first
    (tracing) of the bare and the in-fit seconds per step (the run's record, which
    leaves out end-of-epoch work such as checkpoints and figures) and of their ratio."""
    steps = int(examples.cardinality()) // batch_size
    batch = next(iter(training_batches(examples, batch_size, 0, 0, 1, augment)))
    bare = _BareSteps(batch, steps, jit_compile)
    config = ExperimentConfig(epochs=epochs, batch_size=batch_size)
    with tempfile.TemporaryDirectory() as folder:
        run = Run("benchmark", config, tf.distribute.get_strategy(), folder, export=False,
                  lock=False)
        with contextlib.redirect_stdout(io.StringIO()):
            run.fit(model, examples, augment=augment, callbacks=[bare])
    in_fit = [entry["train_seconds"] / steps for entry in run.history[1:]]
    ratios = [fit / alone for fit, alone in zip(in_fit, bare.seconds[1:])]
    return (statistics.median(bare.seconds[1:]), statistics.median(in_fit),
            statistics.median(ratios))


def step_table(make_model, examples, batch_size, *, steps, profile_jit_compile, augment=None,
               epochs=4):
    """Prints the train step's milliseconds bare and inside `Run.fit`, without and with
    XLA, the `fit` overhead, examples per second in `fit`, and which of the two the
    profile uses; returns `{jit_compile: in-fit seconds per step}`.

    Args:
        make_model: `jit_compile -> ` a new compiled `TrainableModel`.
        examples: unbatched training examples, as the experiment passes them to `Run.fit`;
            `steps` batches of them make one epoch.
        augment: the experiment's `augment` for `Run.fit`.
        profile_jit_compile: the profile's `jit_compile`, marked in the table.
    """
    examples = examples.take(steps * batch_size)
    in_fit = {}
    print(f"\n{'train step':<14} {'bare ms':>9} {'in fit ms':>10} {'overhead':>9} "
          f"{'examples/s':>11} {'profile':>8}")
    for jit_compile in (False, True):
        bare, in_fit[jit_compile], ratio = bare_and_in_fit(
            make_model(jit_compile), examples, batch_size, jit_compile, augment, epochs)
        print(f"{'XLA' if jit_compile else 'no XLA':<14} {1000 * bare:9.1f} "
              f"{1000 * in_fit[jit_compile]:10.1f} {ratio - 1:+9.1%} "
              f"{batch_size / in_fit[jit_compile]:11.1f} "
              f"{'←' if jit_compile == profile_jit_compile else '':>8}")
    faster = min(in_fit, key=in_fit.get)
    print(f"faster in fit: {'XLA' if faster else 'no XLA'}, "
          f"{max(in_fit.values()) / min(in_fit.values()):.2f}×")
    return in_fit
