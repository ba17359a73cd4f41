"""Austen-Net speed: train-step time and model FLOPs utilisation of the character-level
decoder of experiments/austen_net.py, with and without XLA, and generation speed with
and without the key/value cache.

    python -m benchmarks.austen_net_speed                    # the smoke profile's model
    python -m benchmarks.austen_net_speed --size paper --batch-size 8 --steps 3
    python -m benchmarks.austen_net_speed --size paper --skip-training

Random token ids (a vocabulary of 80, about Austen's character set) and random weights.
The first steps and calls (tracing, XLA compilation) are not timed.

Training tables: the step bare and inside the `fit` loop every experiment trains in, on
training windows of a random token stream (the first epoch in `fit` is not timed); then
milliseconds per step, tokens per second, model FLOPs per token
(6N + 12·L·H·Q·T, PaLM App. B), the model FLOP/s achieved, the peak FLOP/s and MFU =
tokens/s × FLOPs per token / peak. The peak is a float32 2048 × 2048 matmul measured on
this machine (`measure_matmul_flops`), not a datasheet number, so MFU says how close the
step comes to what this machine's matmuls actually do.

Generation table: greedy (temperature 0) after a short prompt, one `generate` call (a
`tf.while_loop` in a `tf.function`, prompt included) per row, for each batch size of
`--generation-batches`: new tokens per second with the cache, with the cache and the
whole loop compiled by XLA, and without the cache (recomputing the window for every
token); the speedups over uncached; and whether all three gave the same tokens (they
must: the script exits non-zero if not). When the context fills, the window slides;
512 new tokens go past the paper model's 256-token context. Random weights are spread
(stddev 0.5) so that greedy streams vary and the comparison means something.
"""

import argparse
import dataclasses
import os
import sys
import time

import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_step, step_table
from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator
from dlx_tf.models.decoder_lm.language_model_trainer import LanguageModelTrainer
from dlx_tf.models.decoder_lm.language_model_windows import training_windows
from dlx_tf.projects.austen_net.austen_net_setup import (
    flops_per_token,
    make_model,
    make_optimizer,
)
from dlx_tf.training.flops import measure_matmul_flops
from experiments import austen_net

SIZES = {"smoke": austen_net.PROFILES["smoke"], "paper": austen_net.PROFILES["paper"]}
VOCABULARY_SIZE = 80
PROMPT_TOKENS = 16
GENERATED_TOKENS = (128, 512)


def training_table(config, steps, rng):
    length = config.sequence_length
    shape = (config.batch_size, length)
    batch = (tf.constant(rng.integers(0, VOCABULARY_SIZE, shape), tf.int32),
             tf.constant(rng.integers(0, VOCABULARY_SIZE, shape), tf.int32))
    per_token = flops_per_token(config, VOCABULARY_SIZE)

    def make_trainer(jit_compile):
        trainer = LanguageModelTrainer(make_model(config, VOCABULARY_SIZE),
                                       clip_norm=config.clip_norm)
        trainer.compile(make_optimizer(config, total_steps=1000), jit_compile=jit_compile)
        return trainer

    stream = rng.integers(0, VOCABULARY_SIZE, steps * config.batch_size * length + 1)
    step_table(make_trainer, training_windows(stream, length), config.batch_size,
               steps=steps, profile_jit_compile=config.jit_compile)
    rows = [(jit_compile, seconds_per_step(make_trainer(jit_compile), batch, steps,
                                           jit_compile))
            for jit_compile in (False, True)]
    peak = measure_matmul_flops()
    print(f"\nTraining: batch {config.batch_size} × {length} tokens, {steps} steps timed; "
          f"MFU peak = measured float32 matmul")
    print(f"{'XLA':>4} {'ms/step':>9} {'tokens/s':>10} {'FLOPs/token':>12} "
          f"{'model FLOP/s':>13} {'peak FLOP/s':>12} {'MFU':>7}")
    for jit_compile, seconds in rows:
        tokens_per_second = config.batch_size * length / seconds
        achieved = tokens_per_second * per_token
        print(f"{'yes' if jit_compile else 'no':>4} {1000 * seconds:9.1f} "
              f"{tokens_per_second:10.0f} {per_token:12.3g} {achieved:13.3g} "
              f"{peak:12.3g} {achieved / peak:7.2%}")


def generation_table(config, rng, batch_sizes):
    """Prints the table; returns whether every way of generating gave the same tokens."""
    model = make_model(config, VOCABULARY_SIZE)
    model(tf.zeros([1, config.sequence_length], tf.int32))  # build
    spread_weights(model)
    cached = DecoderLMGenerator(model).generate
    ways = {"cached": tf.function(cached), "cached XLA": tf.function(cached, jit_compile=True),
            "uncached": tf.function(DecoderLMGenerator(model, use_cache=False).generate)}
    rows = []
    for batch in batch_sizes:
        prompt = tf.constant(rng.integers(0, VOCABULARY_SIZE, (batch, PROMPT_TOKENS)), tf.int32)
        for num_tokens in GENERATED_TOKENS:
            speeds, outputs = {}, {}
            for name, generate in ways.items():
                # XLA needs the token count at compile time; the graph paths take a tensor
                # and so trace once for every length.
                count = num_tokens if name.endswith("XLA") else tf.constant(num_tokens)
                generate(prompt, count if name.endswith("XLA") else tf.constant(2),
                         temperature=0.0)
                started = time.perf_counter()
                outputs[name] = generate(prompt, count, temperature=0.0).numpy()
                speeds[name] = batch * num_tokens / (time.perf_counter() - started)
            identical = all(np.array_equal(o, outputs["uncached"]) for o in outputs.values())
            rows.append((batch, num_tokens, speeds, identical))
    print(f"\nGeneration: greedy, {PROMPT_TOKENS}-token prompts, context "
          f"{config.sequence_length} (the window slides when full), tokens/s over the batch")
    print(f"{'batch':>5} {'new tokens':>10} " + " ".join(f"{name:>11}" for name in ways)
          + f" {'speedup':>8} {'XLA speedup':>12} {'identical':>10}")
    for batch, num_tokens, speeds, identical in rows:
        print(f"{batch:5d} {num_tokens:10d} " + " ".join(f"{v:11.1f}" for v in speeds.values())
              + f" {speeds['cached'] / speeds['uncached']:7.1f}×"
              f" {speeds['cached XLA'] / speeds['uncached']:11.1f}×"
              f" {'yes' if identical else 'NO':>10}")
    return all(identical for *_, identical in rows)


def spread_weights(model, stddev=0.5):
    """Random weights whose greedy choices vary, so "identical" compares real streams (at
    the GPT-2 init every step picks the same token)."""
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, stddev, w.shape).astype("float32")
                       for w in model.get_weights()])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="smoke", choices=sorted(SIZES))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, help="training batch (default: the profile's)")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--skip-generation", action="store_true")
    parser.add_argument("--generation-batches", default="1",
                        help="comma-separated generation batch sizes (default 1)")
    args = parser.parse_args()
    config = SIZES[args.size]
    if args.batch_size:
        config = dataclasses.replace(config, batch_size=args.batch_size)
    rng = np.random.default_rng(0)
    print(f"size {args.size}: {config.num_layers} layers, {config.num_heads} heads, width "
          f"{config.hidden_dim}, context {config.sequence_length}, vocabulary "
          f"{VOCABULARY_SIZE}, {os.cpu_count()} CPUs, "
          f"{len(tf.config.list_physical_devices('GPU'))} GPUs")
    if not args.skip_training:
        training_table(config, args.steps, rng)
    batches = [int(b) for b in args.generation_batches.split(",")]
    if not args.skip_generation and not generation_table(config, rng, batches):
        sys.exit("cached and uncached greedy generation gave different tokens")


if __name__ == "__main__":
    main()
