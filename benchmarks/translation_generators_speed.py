"""Image translation speed: the bare train step of the three unpaired generators, each
inside the CycleGAN trainer of experiments/cyclegan.py (resnet, ganilla, unet with
instance norm and no dropout), and of the pix2pix trainer of experiments/pix2pix.py (U-Net
with batch norm and a conditional PatchGAN), with each generator's parameters.

    python -m benchmarks.translation_generators_speed                 # the smoke profiles
    python -m benchmarks.translation_generators_speed --size paper    # 256², filters 64, batch 1

The profiles' sizes and `jit_compile` (no XLA; `benchmarks.cyclegan_speed` compares XLA
and the `fit` loop); random images in [-1, 1]; the first steps (tracing) are not timed.
Prints a table.
"""

import argparse
import dataclasses
import os

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step
from dlx_tf.projects.cyclegan.cyclegan_setup import build_cyclegan
from dlx_tf.projects.pix2pix.pix2pix_setup import build_pix2pix
from experiments import cyclegan, pix2pix

UNPAIRED_GENERATORS = ("resnet", "ganilla", "unet")


def trainers(size):
    """`(trainer, generator, config, shapes, build)` of each row: the profile's config,
    what it makes the generator, and `build(steps_per_epoch)`, the compiled model."""
    unpaired, paired = cyclegan.PROFILES[size], pix2pix.PROFILES[size]
    shapes = {"resnet": f"{unpaired.residual_blocks} blocks", "ganilla": "ResNet-18 + FPN",
              "unet": f"{unpaired.unet_downsamplings} downsamplings, instance norm"}
    for generator in UNPAIRED_GENERATORS:
        config = dataclasses.replace(unpaired, generator=generator)
        yield ("CycleGAN", generator, config, shapes[generator],
               lambda steps, config=config: build_cyclegan(config, steps))
    yield ("pix2pix", "unet", paired, f"{paired.downsamplings} downsamplings, batch norm",
           lambda steps: build_pix2pix(paired, steps))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="smoke", choices=("smoke", "paper"))
    parser.add_argument("--steps", type=int, default=4, help="timed steps per block")
    parser.add_argument("--blocks", type=int, default=3,
                        help="timed blocks; the median block's mean is reported")
    args = parser.parse_args()
    print(f"--size {args.size}; {os.cpu_count()} CPUs, TensorFlow {tf.__version__}, "
          f"Keras {keras.__version__}")
    print(f"\n{'trainer':<9} {'generator':<10} {'shapes':<45} {'batch':>5} "
          f"{'generator params':>16} {'bare ms':>9} {'images/s':>9}")
    for trainer, generator, config, shapes, build in trainers(args.size):
        keras.utils.set_random_seed(0)
        model = build(args.steps)
        images = np.random.default_rng(0).uniform(
            -1, 1, (2, config.batch_size, config.crop_size, config.crop_size, 3))
        batch = tuple(tf.constant(half, tf.float32) for half in images)
        seconds = seconds_per_step(model, batch, args.steps, jit_compile=config.jit_compile,
                                   blocks=args.blocks)
        params = (model.generator if trainer == "pix2pix" else model.generator_a2b).count_params()
        shapes = f"{config.crop_size}², f {config.filters}, {shapes}"
        print(f"{trainer:<9} {generator:<10} {shapes:<45} {config.batch_size:>5} "
              f"{params:>16,} {1000 * seconds:>9.1f} {config.batch_size / seconds:>9.3g}")


if __name__ == "__main__":
    main()
