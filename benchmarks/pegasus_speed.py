"""Pegasus speed: train-step time of every player of experiments/pegasus.py, alone.

    python -m benchmarks.pegasus_speed                    # the smoke profile's sizes
    python -m benchmarks.pegasus_speed --profile paper    # full-size networks
    python -m benchmarks.pegasus_speed --profile paper_wgan_gp --steps 3

Random 32×32 images; the first steps (tracing) are not timed. Prints a table of
milliseconds per step and images per second for each member and for the joint step.
"""

import argparse
import os

import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from dlx_tf.training.joint import JointTrainer
from experiments import pegasus


def members(config):
    return PegasusPlayers(config, num_classes=10).trainers


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(pegasus.PROFILES))
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    config = pegasus.PROFILES[args.profile]
    rng = np.random.default_rng(0)
    batch = (tf.constant(rng.uniform(-1, 1, (config.batch_size, 32, 32, 3)).astype("float32")),
             tf.constant(rng.integers(0, 10, config.batch_size).astype("int32")))
    rows = [(name, seconds_per_step(model, batch, args.steps))
            for name, model in members(config).items()]
    joint = JointTrainer(members(config))
    joint.compile()
    rows.append(("joint step", seconds_per_step(joint, batch, args.steps)))
    print(f"\nprofile {args.profile}, batch {config.batch_size}, "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()} threads")
    print(f"{'member':<12} {'ms/step':>9} {'images/s':>9}")
    for name, seconds in rows:
        print(f"{name:<12} {1000 * seconds:9.1f} {config.batch_size / seconds:9.1f}")


if __name__ == "__main__":
    main()
