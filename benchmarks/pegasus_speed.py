"""Pegasus speed: train-step time of every player of experiments/pegasus.py, alone.

    python benchmarks/pegasus_speed.py                    # the smoke profile's sizes
    python benchmarks/pegasus_speed.py --profile paper    # full-size networks
    python benchmarks/pegasus_speed.py --profile paper_wgan_gp --steps 3

Random 32×32 images; the first steps (tracing) are not timed. Prints a table of
milliseconds per step and images per second for each member and for the joint step.
"""

import argparse
import os
import sys

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments"))
import pegasus  # noqa: E402
from timing import seconds_per_step  # noqa: E402

from dlx_tf.models.dcgan.judge_classifier import JudgeClassifier  # noqa: E402
from dlx_tf.training.classifier_trainer import ClassifierTrainer  # noqa: E402
from dlx_tf.training.joint import JointTrainer  # noqa: E402


def members(config):
    build = pegasus.players(config, num_classes=10)
    judge = ClassifierTrainer(JudgeClassifier(filters=config.judge_filters))
    judge.compile(keras.optimizers.Adam(config.judge_learning_rate))
    return dict(build, judge=judge)


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
