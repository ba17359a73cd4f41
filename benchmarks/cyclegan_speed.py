"""CycleGAN speed: the train step of experiments/cyclegan.py, bare and inside the `fit`
loop every experiment trains in (with its random pairing and jitter), with and without
XLA; and the tf.data jitter alone.

    python -m benchmarks.cyclegan_speed                        # paper networks at 128²
    python -m benchmarks.cyclegan_speed --crop-size 256        # the paper's 256², 9 blocks
    python -m benchmarks.cyclegan_speed --profile smoke

Random images; the first steps (tracing, XLA compilation) and the first epoch in `fit`
are not timed. Prints tables.
"""

import argparse
import dataclasses
import os
import time

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import step_table
from dlx_tf.data.unpaired_images import random_jitter, to_unit_range
from dlx_tf.projects.cyclegan import cyclegan_setup as setup
from experiments import cyclegan


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
    parser.add_argument("--profile", default="paper", choices=sorted(cyclegan.PROFILES))
    parser.add_argument("--crop-size", type=int, default=128,
                        help="paper profile only: 128 (6 residual blocks) or 256 (9)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--jitter-images", type=int, default=500)
    args = parser.parse_args()
    config = cyclegan.PROFILES[args.profile]
    if args.profile == "paper":  # appendix 7.2: 6 blocks at 128², 9 at 256²
        config = dataclasses.replace(
            config, crop_size=args.crop_size, load_size=round(args.crop_size * 286 / 256),
            residual_blocks=9 if args.crop_size >= 256 else 6)
    rng = np.random.default_rng(0)
    count = args.steps * config.batch_size
    images_a, images_b = rng.integers(
        0, 256, (2, count, config.load_size, config.load_size, 3), np.uint8)

    def make_model(jit_compile):
        keras.utils.set_random_seed(0)
        return setup.build_cyclegan(dataclasses.replace(config, jit_compile=jit_compile),
                                    steps_per_epoch=args.steps)

    print(f"profile {args.profile}: {config.crop_size}² crops of {config.load_size}², "
          f"{config.residual_blocks} residual blocks, filters {config.filters}, batch "
          f"{config.batch_size}; {os.cpu_count()} CPUs, TensorFlow {tf.__version__}, "
          f"Keras {keras.__version__}")
    step_table(make_model, tf.data.Dataset.from_tensor_slices(images_a), config.batch_size,
               steps=args.steps, profile_jit_compile=config.jit_compile,
               augment=setup.PairJitter(config.crop_size, images_b))
    rate = jitter_rate(config.load_size, config.crop_size, args.jitter_images)
    print(f"\ntf.data jitter {config.load_size}²→{config.crop_size}²: {rate:.1f} images/s")


if __name__ == "__main__":
    main()
