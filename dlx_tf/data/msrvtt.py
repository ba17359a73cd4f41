"""MSR-VTT captioned clips for Multi-Net: the official download, any folder of clips with a
captions file in the same shape, or the offline synthetic set, read through one path.

A source folder holds `video<N>.mp4` files anywhere under it (`videos/all/`, `TrainValVideo/`,
`TestVideo/`, ...) and one or more annotation JSON files (`annotations.json`, the official
`train_val_videodatainfo.json` and `test_videodatainfo.json`, or CLIP4Clip's `MSRVTT_data.json`)
with a `videos` list (`video_id`, `split`) and a `sentences` list (`video_id`, `caption`).

Splits: `"official"` takes train/validate/test from the JSON `split` field (6513/497/2990
clips); `"1k-A"` is the literature's split (Yu et al. 2018, used by CLIP4Clip): train is the
clips of `MSRVTT_train.9k.csv` with all their JSON captions, test is `MSRVTT_JSFUSION_test.csv`
(1000 clips, one caption each), and validate is empty.

Every clip of a split is decoded once here, through `ClipCache`, so a clip that cannot be
decoded is skipped (and its captions dropped) before training starts, and epoch 1 already
reads the cache.
"""

import csv
import dataclasses
import json
import os
import re
import sys

import numpy as np
import tensorflow as tf

from dlx_tf.data.clip_cache import ClipCache
from dlx_tf.errors import DataError, UsageError

SPLITS = ("train", "validate", "test")
SPLIT_MODES = ("official", "1k-A")
ANNOTATION_FILES = ("annotations.json", "train_val_videodatainfo.json",
                    "test_videodatainfo.json", "MSRVTT_data.json")
TRAIN_9K_CSV = "MSRVTT_train.9k.csv"
TEST_1K_A_CSV = "MSRVTT_JSFUSION_test.csv"
_CLIP_NAME = re.compile(r"(video\d+)\.mp4", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class CaptionSplit:
    """The clips of one split and their captions.

    Args:
        clip_ids: one `video_id` per clip (`"video7"`).
        clip_paths: the clip files, in the order of `clip_ids`.
        captions: caption texts.
        caption_clips: int32 `[captions]`, the index into `clip_ids` of each caption's clip.
        mentions_sound: bool `[captions]` when every caption says whether it names the
            sound (the synthetic set), else None.
    """

    clip_ids: tuple
    clip_paths: tuple
    captions: tuple
    caption_clips: np.ndarray
    mentions_sound: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class CaptionedClips:
    """Train, validate and test `CaptionSplit`s, the cache clips are read through, the audio
    length every element has, and `info` for run.json."""

    train: CaptionSplit
    validate: CaptionSplit
    test: CaptionSplit
    cache: ClipCache
    audio_samples: int
    info: dict

    def caption_dataset(self, split, shuffle_seed=None):
        """A `tf.data.Dataset` of `(frames uint8 [F, S, S, 3], audio float32 [A], has_audio
        bool, caption string)`, one element per caption of `split` (CLIP4Clip's training
        with `--expand_msrvtt_sentences`: every caption pair once an epoch), reshuffled each
        epoch with `shuffle_seed` when given, else in caption order."""
        part = getattr(self, split)
        pairs = tf.data.Dataset.from_tensor_slices(
            (part.caption_clips, tf.constant(part.captions, tf.string)))
        if shuffle_seed is not None:
            pairs = pairs.shuffle(max(len(part.captions), 1), seed=shuffle_seed,
                                  reshuffle_each_iteration=True)
        return pairs.map(lambda clip, caption: (*self._clip_tensors(part, clip), caption),
                         num_parallel_calls=tf.data.AUTOTUNE)

    def clip_dataset(self, split):
        """`(frames, audio, has_audio)` per clip of `split`, in `clip_ids` order (to embed
        a catalogue)."""
        part = getattr(self, split)
        indices = tf.data.Dataset.range(len(part.clip_ids))
        return indices.map(lambda clip: self._clip_tensors(part, clip),
                           num_parallel_calls=tf.data.AUTOTUNE)

    def _clip_tensors(self, part, clip):
        def load(index):
            return self.clip_arrays(part.clip_paths[int(index)])

        frames, audio, has_audio = tf.numpy_function(load, [clip],
                                                     (tf.uint8, tf.float32, tf.bool))
        decoding = self.cache.decoding
        frames.set_shape((decoding.frames_per_clip, decoding.size, decoding.size, 3))
        audio.set_shape((self.audio_samples,))
        has_audio.set_shape(())
        return frames, audio, has_audio

    def clip_arrays(self, path):
        """`(frames, audio, has_audio)` of one clip, its audio cut or zero-padded at the end
        to `audio_samples` (the start of the clip is kept)."""
        clip = self.cache.load(path)
        audio = np.zeros(self.audio_samples, np.float32)
        kept = clip.audio[:self.audio_samples]
        audio[:len(kept)] = kept
        return clip.frames, audio, np.bool_(clip.has_audio)


def load_captioned_clips(source, decoding, cache_dir, *, seed, split="official",
                         audio_seconds=10.0, synthetic_clips=24, synthetic_seconds=3.0):
    """Reads the captioned clips of `source` and decodes each once through the cache.

    Args:
        source: `"synthetic"` (written once under `cache_dir`, the same bytes for the same
            seed and sizes) or a folder in the MSR-VTT layout (see the module docstring).
        decoding: the `video_clips.ClipDecoding` of every clip.
        cache_dir: holds the decoded-clip cache (`clips/`) and the synthetic set.
        seed: seeds the synthetic set.
        split: `"official"` (the JSON `split` field) or `"1k-A"` (the two CSVs).
        audio_seconds: every element's audio is cut or zero-padded to this length.
        synthetic_clips, synthetic_seconds: size of the synthetic set (an even count).

    Example:
        data = load_captioned_clips("~/data/MSRVTT", ClipDecoding(), "runs/cache", seed=0,
                                    split="1k-A")
        batches = data.caption_dataset("train", shuffle_seed=0).batch(128)
    """
    if split not in SPLIT_MODES:
        raise UsageError(f"split: expected one of {', '.join(SPLIT_MODES)}, got {split!r}")
    if not isinstance(audio_seconds, int | float) or not audio_seconds > 0:
        raise UsageError(f"audio_seconds: expected a number > 0, got {audio_seconds!r}")
    if source == "synthetic":
        folder = _synthetic_folder(cache_dir, seed, synthetic_clips, synthetic_seconds,
                                   decoding.size)
    else:
        folder = os.path.expanduser(source)
        if not os.path.isdir(folder):
            raise DataError(f"{source}: no such folder (expected 'synthetic' or a folder of "
                            f"video<N>.mp4 clips with an annotation JSON)")
    files = _clip_files(folder)
    annotation_paths, videos, sentences = _read_annotations(folder)
    if split == "official":
        parts = _official_splits(folder, files, videos, sentences)
    else:
        parts = _split_1k_a(folder, files, videos, sentences)
    cache = ClipCache(os.path.join(cache_dir, "clips"), decoding)
    skipped, without_audio, splits = [], {}, {}
    for name in SPLITS:
        splits[name], without_audio[name] = _decode_split(cache, parts[name], skipped)
        if not splits[name].clip_ids and name != "validate":  # validate may be empty
            raise DataError(f"{folder}: the {name} split ({split}) is empty (expected at least "
                            f"1 decodable clip, got 0 of {len(parts[name][0])})")
    info = {
        "source": os.path.abspath(folder),
        "synthetic": source == "synthetic",
        "split": split,
        "annotations": annotation_paths,
        "clips": {name: len(part.clip_ids) for name, part in splits.items()},
        "captions": {name: len(part.captions) for name, part in splits.items()},
        "clips_without_audio": without_audio,
        "skipped": skipped,
        "cache": {"folder": cache.folder, "hits": cache.hits, "misses": cache.misses},
        "decoding": dataclasses.asdict(decoding),
        "audio_seconds": audio_seconds,
        "training_pairs": "every caption with its clip once an epoch (CLIP4Clip)",
    }
    return CaptionedClips(**splits, cache=cache, info=info,
                          audio_samples=round(audio_seconds * decoding.sample_rate))


def _synthetic_folder(cache_dir, seed, clips, seconds, size):
    from dlx_tf.data.synthetic.captioned_clips import ANNOTATIONS, write_captioned_clips

    size += size % 2  # H.264 needs even sides; decoding crops to `size` anyway
    folder = os.path.join(cache_dir, f"synthetic_clips-seed{seed}-{clips}x{seconds:g}s-{size}px")
    if not os.path.isfile(os.path.join(folder, ANNOTATIONS)):  # written last
        write_captioned_clips(folder, clips=clips, seconds=seconds, size=size, seed=seed)
    return folder


def _clip_files(folder):
    """`{video_id: path}` of every `video<N>.mp4` under `folder`."""
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(names):
            match = _CLIP_NAME.fullmatch(name)
            if not match:
                continue
            video_id, path = match.group(1).lower(), os.path.join(root, name)
            if video_id in files:
                raise DataError(f"{path}: clip {video_id} also at {files[video_id]} (expected "
                                f"one file per clip)")
            files[video_id] = path
    return files


def _read_annotations(folder):
    """`(paths, {video_id: split}, [(video_id, caption, mentions_sound or None)])` from
    every annotation JSON directly in `folder` or one level below it."""
    paths = sorted(os.path.join(root, name) for root in _folder_and_children(folder)
                   for name in ANNOTATION_FILES if os.path.isfile(os.path.join(root, name)))
    if not paths:
        raise DataError(f"{folder}: no annotation file (expected one of "
                        f"{', '.join(ANNOTATION_FILES)} in it or a folder below it)")
    videos, located = {}, []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise DataError(f"{path}: not JSON ({error})") from error
        for i, video in enumerate(_records(path, data, "videos", ("video_id", "split"))):
            if video["split"] not in SPLITS:
                raise DataError(f"{path} field videos[{i}].split: expected one of "
                                f"{', '.join(SPLITS)}, got {video['split']!r}")
            videos[video["video_id"]] = video["split"]
        located += [(path, i, sentence) for i, sentence in
                    enumerate(_records(path, data, "sentences", ("video_id", "caption")))]
    for path, i, sentence in located:  # after every file: a caption may precede its video
        if sentence["video_id"] not in videos:
            raise DataError(f"{path} field sentences[{i}].video_id: expected a video_id of "
                            f"the videos lists, got {sentence['video_id']!r}")
    return paths, videos, [(s["video_id"], s["caption"], s.get("mentions_sound"))
                           for _, _, s in located]


def _folder_and_children(folder):
    children = [entry.path for entry in os.scandir(folder) if entry.is_dir()]
    return [folder, *sorted(children)]


def _records(path, data, field, keys):
    records = data.get(field) if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise DataError(f"{path} field {field}: expected a list, got "
                        f"{type(records).__name__}")
    for i, record in enumerate(records):
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in keys):
            raise DataError(f"{path} field {field}[{i}]: expected an object with string "
                            f"{' and '.join(keys)}, got {record!r:.80}")
    return records


def _official_splits(folder, files, videos, sentences):
    """`{split: (clip_ids, paths, captions)}` by the JSON `split` field; a clip without a
    file is left out with a warning."""
    missing = sorted(video_id for video_id in videos if video_id not in files)
    if missing:
        print(f"warning: {folder}: {len(missing)} annotated clips have no file, left out: "
              f"{', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}", file=sys.stderr)
    parts = {}
    for name in SPLITS:
        clip_ids = [v for v, split in videos.items() if split == name and v in files]
        chosen = set(clip_ids)
        parts[name] = (clip_ids, [files[v] for v in clip_ids],
                       [sentence for sentence in sentences if sentence[0] in chosen])
    return parts


def _split_1k_a(folder, files, videos, sentences):
    """Train: the 9k CSV's clips with their JSON captions; test: the 1k-A CSV's pairs."""
    train_path, test_path = (_find_csv(folder, name) for name in (TRAIN_9K_CSV, TEST_1K_A_CSV))
    train_ids = list(dict.fromkeys(row["video_id"] for row in _csv_rows(train_path, files,
                                                                       ("video_id",))))
    chosen = set(train_ids)
    test_rows = _csv_rows(test_path, files, ("video_id", "sentence"))
    test_ids = list(dict.fromkeys(row["video_id"] for row in test_rows))
    return {"train": (train_ids, [files[v] for v in train_ids],
                      [sentence for sentence in sentences if sentence[0] in chosen]),
            "validate": ([], [], []),
            "test": (test_ids, [files[v] for v in test_ids],
                     [(row["video_id"], row["sentence"], None) for row in test_rows])}


def _find_csv(folder, name):
    for root in _folder_and_children(folder):
        if os.path.isfile(os.path.join(root, name)):
            return os.path.join(root, name)
    raise DataError(f"{folder}: no {name} (expected it in the folder or one below it for "
                    f"split 1k-A)")


def _csv_rows(path, files, columns):
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    if not rows or any(column not in rows[0] for column in columns):
        got = sorted(rows[0]) if rows else "no rows"
        raise DataError(f"{path}: expected a header with columns {', '.join(columns)} and at "
                        f"least one row, got {got}")
    for line, row in enumerate(rows, start=2):
        if row["video_id"] not in files:
            raise DataError(f"{path} line {line} field video_id: expected a clip with a file "
                            f"(video<N>.mp4), got {row['video_id']!r} with none")
    return rows


def _decode_split(cache, part, skipped):
    """The `CaptionSplit` of the clips that decode, and how many of them have no audio."""
    clip_ids, paths, sentences = part
    kept, without_audio = [], 0
    for video_id, path in zip(clip_ids, paths):
        try:
            clip = cache.load(path)
        except DataError as error:
            skipped.append({"path": path, "reason": str(error)})
            print(f"warning: skipped {error}", file=sys.stderr)
            continue
        kept.append((video_id, path))
        without_audio += not clip.has_audio
    index = {video_id: i for i, (video_id, _) in enumerate(kept)}
    sentences = [sentence for sentence in sentences if sentence[0] in index]
    mentions = [sentence[2] for sentence in sentences]
    return CaptionSplit(
        clip_ids=tuple(v for v, _ in kept), clip_paths=tuple(p for _, p in kept),
        captions=tuple(sentence[1] for sentence in sentences),
        caption_clips=np.array([index[sentence[0]] for sentence in sentences], np.int32),
        mentions_sound=(np.array(mentions, bool) if all(isinstance(m, bool) for m in mentions)
                        else None)), without_audio
