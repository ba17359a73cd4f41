"""CycleGAN speed: train-step images/s with and without XLA, and tf.data jitter images/s.

    python -m benchmarks.cyclegan_speed                       # 128² and 256², batch 1
    python -m benchmarks.cyclegan_speed --sizes 64 --steps 3  # a quick look on a laptop

Full-size networks (ngf = ndf = 64; 6 residual blocks at 128², 9 at 256²) on random
images; the first steps (tracing, XLA compilation) are not timed. Prints a table.
"""

import argparse
import time

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step
from dlx_tf.data.unpaired_images import random_jitter, to_unit_range
from dlx_tf.models.cyclegan import CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.models.cyclegan.cyclegan import CycleGAN


def train_step_rate(size, jit_compile, steps, warmup=2):
    blocks = 9 if size >= 256 else 6
    gan = CycleGAN(CycleGANGenerator(num_residual_blocks=blocks),
                   CycleGANGenerator(num_residual_blocks=blocks),
                   PatchGANDiscriminator(), PatchGANDiscriminator())
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5),
                jit_compile=jit_compile)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 1, size, size, 3)).astype("float32")
    batch = (tf.constant(images[0]), tf.constant(images[1]))
    return 1.0 / seconds_per_step(gan, batch, steps, jit_compile, warmup)


def jitter_rate(load_size, crop_size, count):
    images = tf.data.Dataset.from_tensor_slices(
        np.random.default_rng(0).integers(0, 256, (64, load_size, load_size, 3), np.uint8))
    pipeline = (images.repeat().take(count).enumerate()
                .map(lambda i, image: to_unit_range(random_jitter(
                    image, crop_size, tf.stack([tf.constant(0, tf.int64), i]))),
                     num_parallel_calls=tf.data.AUTOTUNE)
                .batch(1).prefetch(tf.data.AUTOTUNE))
    for _ in pipeline.take(8):
        pass
    started = time.perf_counter()
    for _ in pipeline:
        pass
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--jitter-images", type=int, default=500)
    args = parser.parse_args()
    device = "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
    print(f"device: {device}; TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"{'what':<34} {'size':>6} {'images/s':>10}")
    for size in args.sizes:
        for jit in (False, True):
            rate = train_step_rate(size, jit, args.steps)
            label = "train step, batch 1" + (", XLA" if jit else "")
            print(f"{label:<34} {size:>6} {rate:>10.2f}")
    for size in args.sizes:
        load = round(size * 286 / 256)
        rate = jitter_rate(load, size, args.jitter_images)
        print(f"{f'tf.data jitter ({load}→{size})':<34} {size:>6} {rate:>10.1f}")


if __name__ == "__main__":
    main()
