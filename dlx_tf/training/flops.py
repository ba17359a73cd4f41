"""Model FLOPs utilisation: the FLOPs a transformer needs per token and a measured peak."""

import time

import tensorflow as tf


def transformer_training_flops_per_token(parameters, num_layers, num_heads, head_dim,
                                         sequence_length):
    """Training FLOPs per token, `6N + 12·L·H·Q·T` (Chowdhery et al. 2022, PaLM, App. B):
    forward and backward matmuls over N parameters, plus attention over T positions."""
    return 6 * parameters + 12 * num_layers * num_heads * head_dim * sequence_length


def measure_matmul_flops(size=2048, dtype="float32", seconds=1.0):
    """FLOP/s of repeated `size × size` matmuls on the default device: the machine's
    practical peak, the denominator of model FLOPs utilisation."""
    a = tf.random.stateless_normal([size, size], seed=[0, 1], dtype=dtype)
    b = tf.random.stateless_normal([size, size], seed=[0, 2], dtype=dtype)
    matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    float(matmul(a, b))  # trace and warm up
    repeats, started = 0, time.perf_counter()
    while repeats < 3 or time.perf_counter() - started < seconds:
        float(matmul(a, b))
        repeats += 1
    return 2 * size**3 * repeats / (time.perf_counter() - started)
