"""Multi-Net speed: reading a clip (decoding the MP4 against reading it back from the clip
cache), the train step of each fusion mode of experiments/multi_net.py with and without
XLA, and brute-force retrieval over catalogues of 1k to 1M clips.

    python -m benchmarks.multi_net_speed                    # the smoke profile's sizes
    python -m benchmarks.multi_net_speed --profile paper --batch-size 8 --steps 1

Synthetic MP4 clips (the smoke set's moving shapes, and uniform noise) in a temporary
folder, random weights and embeddings; the first steps (tracing, XLA compilation) and calls
are not timed. The towers are built from config: presets cannot be downloaded offline. The
audio tower is then the paper's ResNet-18, but the frame tower is the small conv net
instead of CLIP's ViT-B/32 and the text tower a 2-layer BERT instead of BERT-base, so the
paper profile's step times are a lower bound of the real cost. Prints tables: milliseconds
per clip, per train step and per batch of 64 retrieval queries.
"""

import argparse
import dataclasses
import glob
import os
import tempfile
import warnings

import keras
import numpy as np
import tensorflow as tf

from benchmarks.timing import seconds_per_call, seconds_per_step
from dlx_tf.data.clip_cache import ClipCache
from dlx_tf.data.synthetic.captioned_clips import write_captioned_clips, write_clip
from dlx_tf.data.video_clips import ClipDecoding, decode_clip
from dlx_tf.projects.multi_net import multi_net_setup as setup
from experiments import multi_net

# Clips timed for reading, per profile: the smoke set's (3 s at the writer's 8 fps), and
# MSR-VTT-like ones (10-30 s at about 30 fps; 224² here instead of 320 × 240).
CLIPS = {"smoke": {"seconds": 3.0, "fps": 8}, "paper": {"seconds": 15.0, "fps": 30}}
CATALOGUES = (1_000, 10_000, 100_000, 1_000_000)
QUERIES, TOP_K = 64, 10  # RETRIEVAL_LIMITS' batch; the R@10 the experiment reports
AUDIO_RATE = 44_100  # the noise clips' soundtrack: a common AAC rate, resampled to 16 kHz


def clip_reading(config, folder, seconds, fps, repeats=3, clips=4):
    """`[(content, what, seconds per clip)]`: PyAV decoding, a cache miss (decode and
    write) and a cache hit, for `clips` clips of `seconds` at `fps`, with audio, of two
    contents: the synthetic set's flat shapes, which H.264 compresses to almost nothing,
    and uniform noise, which it cannot compress; real footage decodes between the two."""
    size = config.frame_size + config.frame_size % 2  # H.264 needs even sides
    write_captioned_clips(os.path.join(folder, "shapes"), clips=clips, seconds=seconds,
                          size=size, fps=fps, silent_every=0)
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(folder, "noise"))
    for index in range(clips):
        frames = rng.integers(0, 256, (round(seconds * fps), size, size, 3), np.uint8)
        audio = rng.uniform(-0.5, 0.5, round(seconds * AUDIO_RATE)).astype(np.float32)
        write_clip(os.path.join(folder, "noise", f"video{index}.mp4"), frames, fps, audio,
                   AUDIO_RATE)
    decoding = ClipDecoding(frames_per_clip=config.frames_per_clip, size=config.frame_size)
    cache = ClipCache(os.path.join(folder, "clips"), decoding)
    rows = []
    for content, pattern in (("shapes", "shapes/videos/*.mp4"), ("noise", "noise/*.mp4")):
        paths = sorted(glob.glob(os.path.join(folder, pattern)))

        def read_all(read, paths=paths):
            return sum(read(path).frames.size for path in paths)

        decode = seconds_per_call(read_all, lambda path: decode_clip(path, decoding), repeats,
                                  warmup=1)
        misses = cache.misses
        miss = seconds_per_call(read_all, cache.load, 1, warmup=0)
        hit = seconds_per_call(read_all, cache.load, repeats, warmup=1)
        assert cache.misses - misses == len(paths), "a clip read twice must hit the cache"
        rows += [(content, "decode (PyAV)", decode / len(paths)),
                 (content, "cache miss: decode + write", miss / len(paths)),
                 (content, "cache hit: read .npz", hit / len(paths))]
    return rows


def train_steps(config, folder, steps):
    """`[(fusion_mode, jit_compile, seconds per step)]` on one batch of synthetic pairs."""
    data = setup.load_data(config, folder)
    preprocessor = setup.make_preprocessor(config, data)
    pairs = setup.caption_pairs(data, "train", preprocessor)
    batch = next(iter(pairs.repeat().batch(config.batch_size)))
    # video_only and audio_only leave the other tower without gradients, as intended.
    warnings.filterwarnings("ignore", message="Gradients do not exist")
    rows = []
    for jit_compile in (False, True):
        for mode in config.fusion_modes:
            keras.utils.set_random_seed(config.seed)
            model, _ = setup.build_model(
                dataclasses.replace(config, fusion_mode=mode, jit_compile=jit_compile), data,
                preprocessor, steps=1000)
            rows.append((mode, jit_compile, seconds_per_step(model, batch, steps, jit_compile)))
    return rows


def available_bytes():
    """MemAvailable of /proc/meminfo: free memory and the page cache the kernel can drop."""
    with open("/proc/meminfo") as meminfo:
        fields = dict(line.split(":", 1) for line in meminfo)
    return int(fields["MemAvailable"].split()[0]) * 1024


def retrieval(dim, sizes):
    """`[(clips, seconds per batch of QUERIES)]`: the export's brute-force search (one
    matrix product against the catalogue, then `top_k`) for each catalogue size that fits
    in a quarter of the available memory."""
    queries = tf.math.l2_normalize(tf.random.normal((QUERIES, dim), seed=0), axis=1)
    rows = []
    for clips in sizes:
        if 4 * clips * dim > available_bytes() / 4:
            rows.append((clips, None))
            continue
        # A variable, as in the export: a graph constant is capped at 2 GB.
        catalogue = tf.Variable(tf.math.l2_normalize(tf.random.normal((clips, dim), seed=1),
                                                     axis=1), trainable=False)
        search = tf.function(lambda q, catalogue=catalogue: tf.math.top_k(
            tf.matmul(q, catalogue, transpose_b=True), TOP_K).indices)  # (QUERIES, TOP_K)
        rows.append((clips, seconds_per_call(search, queries,
                                             calls=min(100, max(3, 10**7 // clips)))))
        del catalogue, search
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(multi_net.PROFILES))
    parser.add_argument("--batch-size", type=int, default=0, help="default: the profile's")
    parser.add_argument("--steps", type=int, default=0,
                        help="steps per timed block; default: 10 (smoke), 1 (paper)")
    args = parser.parse_args()
    steps = args.steps or (10 if args.profile == "smoke" else 1)
    profile = multi_net.PROFILES[args.profile]
    clip = CLIPS[args.profile]
    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    with tempfile.TemporaryDirectory() as folder:
        config = dataclasses.replace(
            profile, data="synthetic", split="official", synthetic_clips=8,
            cache_dir=os.path.join(folder, "pairs"),
            batch_size=args.batch_size or profile.batch_size,
            text_preset="", video_preset="", audio_preset="", freeze_epochs=0)
        reading = clip_reading(config, os.path.join(folder, "reading"), **clip)
        steps_rows = train_steps(config, folder, steps)
    dim = multi_net.PROFILES["paper"].embedding_dim  # catalogues are real-world sized
    searches = retrieval(dim, CATALOGUES)

    print(f"\nprofile {args.profile}: {config.frames_per_clip} frames of "
          f"{config.frame_size}² from {clip['seconds']:g} s clips at {clip['fps']} fps, "
          f"{config.audio_seconds:g} s of audio, hidden {config.hidden_dim}, batch "
          f"{config.batch_size}; {threads} threads")
    print(f"{'clip reading':<28} {'content':>8} {'ms/clip':>9} {'clips/s':>9} {'× hit':>7}")
    hits = {content: seconds for content, what, seconds in reading if "hit" in what}
    for content, what, seconds in reading:
        print(f"{what:<28} {content:>8} {1000 * seconds:9.2f} {1 / seconds:9.1f} "
              f"{seconds / hits[content]:7.1f}")

    print(f"\n{'train step':<12} {'XLA':>5} {'ms/step':>9} {'captions/s':>11}")
    for mode, jit_compile, seconds in steps_rows:
        print(f"{mode:<12} {'yes' if jit_compile else 'no':>5} {1000 * seconds:9.1f} "
              f"{config.batch_size / seconds:11.1f}")

    print(f"\nretrieval: {QUERIES} queries, top {TOP_K}, embedding {dim}")
    print(f"{'clips':>10} {'MB':>7} {'ms/batch':>9} {'ms/query':>9} {'queries/s':>10}")
    for clips, seconds in searches:
        size = f"{clips:10,d} {4 * clips * dim / 2**20:7.0f}"
        if seconds is None:
            print(f"{size}   skipped: more than a quarter of the available memory")
        else:
            print(f"{size} {1000 * seconds:9.2f} {1000 * seconds / QUERIES:9.3f} "
                  f"{QUERIES / seconds:10.0f}")


if __name__ == "__main__":
    main()
