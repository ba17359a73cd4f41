"""Pegasus speed: the train step of every player of experiments/pegasus.py alone, and
the joint step bare and inside the `fit` loop every experiment trains in, with and
without XLA.

    python -m benchmarks.pegasus_speed                    # the smoke profile's sizes
    python -m benchmarks.pegasus_speed --profile paper    # full-size networks
    python -m benchmarks.pegasus_speed --profile paper_wgan_gp --steps 3

Random 32×32 images; the first steps (tracing, XLA compilation) and the first epoch in
`fit` are not timed. Prints tables.
"""

import argparse
import dataclasses
import os

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step, step_table
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from dlx_tf.training.joint import JointTrainer
from experiments import pegasus


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(pegasus.PROFILES))
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    config = pegasus.PROFILES[args.profile]
    rng = np.random.default_rng(0)
    count = args.steps * config.batch_size
    images = rng.uniform(-1, 1, (count, 32, 32, 3)).astype("float32")
    labels = rng.integers(0, 10, count).astype("int32")
    batch = (tf.constant(images[:config.batch_size]), tf.constant(labels[:config.batch_size]))

    def make_model(jit_compile):
        keras.utils.set_random_seed(0)
        return pegasus_setup_joint(dataclasses.replace(config, jit_compile=jit_compile))

    print(f"profile {args.profile}, batch {config.batch_size}, {os.cpu_count()} CPUs")
    print(f"\n{'player alone':<14} {'ms/step':>9} {'images/s':>9}")
    for name, player in PegasusPlayers(config, num_classes=10).trainers.items():
        seconds = seconds_per_step(player, batch, args.steps, config.jit_compile)
        print(f"{name:<14} {1000 * seconds:9.1f} {config.batch_size / seconds:9.1f}")
    step_table(make_model, tf.data.Dataset.from_tensor_slices((images, labels)),
               config.batch_size, steps=args.steps, profile_jit_compile=config.jit_compile)


def pegasus_setup_joint(config):
    joint = JointTrainer(PegasusPlayers(config, num_classes=10).trainers)
    joint.compile(jit_compile=config.jit_compile)
    return joint


if __name__ == "__main__":
    main()
