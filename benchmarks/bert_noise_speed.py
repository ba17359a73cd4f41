"""BERT under label noise, speed: train-step time of one classifier and of the joint step
of experiments/bert_noise.py (one classifier per loss), with and without XLA, and the
joint step bare and inside the `fit` loop every experiment trains in.

    python -m benchmarks.bert_noise_speed                     # the smoke profile's BERT
    python -m benchmarks.bert_noise_speed --size base --steps 3   # BERT-base shapes

Random token ids and random weights (a BERT-base-sized backbone built from config: the
speed of a pretrained one, offline). The first steps (tracing, XLA compilation) are not
timed, nor is the first epoch in `fit`. Prints tables.
"""

import argparse
import dataclasses
import os

import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step, step_table
from dlx_tf.models.bert.bert_classifier import RESERVED_TOKENS
from dlx_tf.projects.bert_noise.bert_noise_setup import make_trainer
from experiments import bert_noise

# Devlin et al. 2019, §3: BERT-base is L=12, H=768, A=12, with a 30,522-token vocabulary.
# At base size one classifier: three with their Adam states ran out of 23 GB of memory.
SIZES = {
    "smoke": {},
    "base": {"num_layers": 12, "num_heads": 12, "hidden_dim": 768, "intermediate_dim": 3072,
             "sequence_length": 128, "batch_size": 32, "losses": ("ce",)},
}
BASE_VOCABULARY = 30_522


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="smoke", choices=sorted(SIZES))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--skip-fit", action="store_true", help="bare steps only")
    args = parser.parse_args()
    config = dataclasses.replace(bert_noise.PROFILES["smoke"], **SIZES[args.size])
    vocabulary_size = BASE_VOCABULARY if args.size == "base" else config.vocabulary_size
    vocabulary = [*RESERVED_TOKENS,
                  *(f"w{i}" for i in range(vocabulary_size - len(RESERVED_TOKENS)))]
    rng = np.random.default_rng(0)
    shape = (config.batch_size, config.sequence_length)
    tokens = {"token_ids": tf.constant(rng.integers(5, vocabulary_size, shape), tf.int32),
              "segment_ids": tf.zeros(shape, tf.int32),
              "padding_mask": tf.ones(shape, tf.bool)}
    labels = tf.constant(rng.integers(0, 4, config.batch_size))
    batch = (tokens, labels, labels)
    rows = []
    for jit_compile in (False, True):
        for losses in dict.fromkeys([("ce",), config.losses]):
            joint = make_trainer(dataclasses.replace(config, losses=losses), 4,
                                            vocabulary, total_steps=1000)
            rows.append((" + ".join(losses), jit_compile,
                         seconds_per_step(joint, batch, args.steps, jit_compile)))
    print(f"\nsize {args.size}: {config.num_layers} layers, hidden {config.hidden_dim}, "
          f"batch {config.batch_size} × {config.sequence_length} tokens, "
          f"{os.cpu_count()} CPUs, {len(tf.config.list_physical_devices('GPU'))} GPUs")
    print(f"{'losses':<18} {'XLA':>5} {'ms/step':>9} {'examples/s':>11} {'tokens/s':>10}")
    for name, jit_compile, seconds in rows:
        print(f"{name:<18} {'yes' if jit_compile else 'no':>5} {1000 * seconds:9.1f} "
              f"{config.batch_size / seconds:11.1f} "
              f"{config.batch_size * config.sequence_length / seconds:10.0f}")
    if not args.skip_fit:
        count = args.steps * config.batch_size
        ids = rng.integers(5, vocabulary_size, (count, config.sequence_length))
        classes = rng.integers(0, 4, count)
        examples = tf.data.Dataset.from_tensor_slices((
            {"token_ids": ids.astype("int32"), "segment_ids": np.zeros_like(ids, "int32"),
             "padding_mask": np.ones(ids.shape, bool)}, classes, classes))
        step_table(lambda jit_compile: make_trainer(
                       dataclasses.replace(config, jit_compile=jit_compile), 4, vocabulary,
                       total_steps=1000),
                   examples, config.batch_size, steps=args.steps,
                   profile_jit_compile=bert_noise.PROFILES["paper"].jit_compile)


if __name__ == "__main__":
    main()
