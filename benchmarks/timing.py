"""The one timing loop the benchmarks share."""

import time

import tensorflow as tf


def seconds_per_step(model, batch, steps, jit_compile=False, warmup=2):
    """Builds `model` (a `TrainableModel`) for `batch`, runs `warmup` untimed steps
    (tracing, XLA compilation), then returns the mean wall time of `steps` more."""
    model.build_for_training(batch)
    step = tf.function(model.train_step, jit_compile=jit_compile)
    for _ in range(warmup):
        step(batch)
    started = time.perf_counter()
    for _ in range(steps):
        logs = step(batch)
    [float(v) for v in logs.values()]  # wait for the last step
    return (time.perf_counter() - started) / steps
