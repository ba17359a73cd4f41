"""Audio-Net speed: the log-mel frontend, the training input pipeline, the train step
(bare and inside the `fit` loop every experiment trains in, with its augmentations, with
and without XLA) and whole-clip inference of experiments/audio_net.py at a profile's
sizes.

    python -m benchmarks.audio_net_speed                    # the smoke profile's sizes
    python -m benchmarks.audio_net_speed --profile paper    # ResNet-18, 3 s at 22,050 Hz
    python -m benchmarks.audio_net_speed --profile paper --batch-size 8 --steps 2

Random waveforms and weights; the first steps (tracing, XLA compilation) and the first
epoch in `fit` are not timed. Prints tables: milliseconds per call and segments (or
clips) per second, then the train step with its input pipeline and on inputs made once.
"""

import argparse
import os
import time

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_call, step_table
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.projects.audio_net import AudioNetClassifier, AudioNetTrainer
from dlx_tf.projects.audio_net.audio_net_setup import make_augmentation
from dlx_tf.projects.audio_net.genre_segments import augment_segment
from experiments import audio_net


def _pipeline_seconds_per_batch(config, frontend, waveforms, batches):
    """The training pipeline's per-example map (augmentations, log-mel) over in-memory segments."""
    augmentation = make_augmentation(config)
    labels = tf.zeros([len(waveforms)], tf.int32)
    dataset = tf.data.Dataset.from_tensor_slices((waveforms, labels)).repeat().enumerate().map(
        lambda index, example: augment_segment(example, tf.stack([tf.constant(0, tf.int64),
                                                                  index]),
                                               frontend, augmentation, 0.0),
        num_parallel_calls=tf.data.AUTOTUNE).batch(len(waveforms)).prefetch(tf.data.AUTOTUNE)
    iterator = iter(dataset)
    next(iterator)
    started = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return (time.perf_counter() - started) / batches


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(audio_net.PROFILES))
    parser.add_argument("--batch-size", type=int, default=0, help="default: the profile's")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--clip-seconds", type=float, default=30.0)
    args = parser.parse_args()
    config = audio_net.PROFILES[args.profile]
    batch = args.batch_size or config.batch_size
    segment = round(config.segment_seconds * config.sample_rate)
    rng = np.random.default_rng(0)
    waveforms = tf.constant(rng.uniform(-0.5, 0.5, (batch, segment)).astype("float32"))
    frontend = LogMelSpectrogram(sample_rate=config.sample_rate,
                                 frame_length=config.frame_length,
                                 frame_step=config.frame_step, num_mel_bins=config.mel_bins)
    spectrograms = frontend(waveforms)
    rows = [("log-mel frontend", batch,
             seconds_per_call(tf.function(frontend), waveforms, args.steps)),
            ("training input pipeline", batch,
             _pipeline_seconds_per_batch(config, frontend, waveforms, args.steps))]

    def trainer(jit_compile=False):
        keras.utils.set_random_seed(0)
        classifier = AudioNetClassifier(num_classes=10, width=config.width,
                                        dropout=config.dropout)
        model = AudioNetTrainer(classifier)
        model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-4),
                      mixup_alpha=config.mixup_alpha, jit_compile=jit_compile)
        return model, classifier

    # What the export does with one clip: cut, spectrogram, classify, average.
    _, classifier = trainer()
    clip_segments = int(args.clip_seconds * config.sample_rate) // segment
    clip = tf.constant(rng.uniform(-0.5, 0.5, (clip_segments, segment)).astype("float32"))
    infer = tf.function(lambda x: tf.reduce_mean(
        tf.nn.softmax(classifier(frontend(x), training=False)), axis=0))
    rows.append((f"inference, {args.clip_seconds:g} s clip", clip_segments,
                 seconds_per_call(infer, clip, args.steps)))

    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    print(f"\nprofile {args.profile}: {config.segment_seconds:g} s segments at "
          f"{config.sample_rate} Hz → spectrogram {tuple(spectrograms.shape[1:])}, "
          f"width {config.width}, mixup α {config.mixup_alpha:g}; {threads} threads")
    print(f"{'what':<24} {'segments':>8} {'ms/call':>9} {'segments/s':>11}")
    for name, count, seconds in rows:
        print(f"{name:<24} {count:8d} {1000 * seconds:9.1f} {count / seconds:11.1f}")

    augmentation = make_augmentation(config)
    count = args.steps * batch
    examples = tf.data.Dataset.from_tensor_slices(
        (rng.uniform(-0.5, 0.5, (count, segment)).astype("float32"),
         rng.integers(0, 10, count).astype("int32")))
    def augment(example, seed):
        return augment_segment(example, seed, frontend, augmentation, 0.0)

    step_table(lambda jit_compile: trainer(jit_compile)[0], examples, batch, steps=args.steps,
               profile_jit_compile=config.jit_compile, augment=augment)
    # The same inputs made once: what `fit` costs beyond the step when the input pipeline
    # does not share the CPU cores with it, as it would not beside an accelerator.
    print("\nsame, on spectrograms made once before training (no input work during fit)")
    ready = examples.enumerate().map(
        lambda index, example: augment(example, tf.stack([tf.constant(0, tf.int64), index])))
    step_table(lambda jit_compile: trainer(jit_compile)[0], ready.cache(), batch,
               steps=args.steps, profile_jit_compile=config.jit_compile)

if __name__ == "__main__":
    main()
