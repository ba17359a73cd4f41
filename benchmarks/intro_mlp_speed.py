"""Intro MLP speed: the train step of experiments/intro_mlp.py, bare and inside the
`fit` loop every experiment trains in, with and without XLA.

    python -m benchmarks.intro_mlp_speed                    # the smoke profile's MLP
    python -m benchmarks.intro_mlp_speed --profile paper    # 256-128 hidden units

Random uint8 28×28 digits; the first steps (tracing, XLA compilation) and the first
epoch in `fit` are not timed. Prints a table.
"""

import argparse
import os

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import step_table
from dlx_tf.models.mlp import MLPClassifier
from experiments import intro_mlp


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(intro_mlp.PROFILES))
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    config = intro_mlp.PROFILES[args.profile]
    rng = np.random.default_rng(0)
    count = args.steps * config.batch_size
    examples = tf.data.Dataset.from_tensor_slices(
        (rng.integers(0, 256, (count, 28, 28, 1), np.uint8), rng.integers(0, 10, count)))

    def make_model(jit_compile):
        model = MLPClassifier(10, config.hidden_units, config.dropout)
        model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
                      jit_compile=jit_compile)
        return model

    print(f"profile {args.profile}: hidden {config.hidden_units}, batch {config.batch_size}, "
          f"{os.cpu_count()} CPUs")
    step_table(make_model, examples, config.batch_size, steps=args.steps,
               profile_jit_compile=config.jit_compile)


if __name__ == "__main__":
    main()
