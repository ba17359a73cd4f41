"""GTZAN music-genre songs for Audio-Net: tfds `gtzan`, a folder of WAV files per genre
(Kaggle's `genres_original` copy included) or the offline synthetic songs, split by song
and cut into fixed-length segments.

Songs stay whole, as int16 PCM, until `SongSplit.segments` cuts them: GTZAN is
1000 x 30 s x 22050 Hz, 1.3 GB as int16 and 2.6 GB more as float32. The split is by song,
never by segment, so no song is heard in two splits. `split_file` replaces the random split
with a fixed one, such as the fault-filtered split of Kereliuk, Sturm & Larsen 2015,
"Deep learning and music adversaries" (`train_filtered.txt`, `valid_filtered.txt`,
`test_filtered.txt`).
"""

import dataclasses
import json
import os
import sys

import numpy as np

from dlx_tf.data.tfds_source import prepared, tfds_builder
from dlx_tf.data.wav_folder import LAYOUT, read_wav_folder, skip_song
from dlx_tf.errors import DataError, UsageError

GTZAN_GENRES = ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop",
                "reggae", "rock")  # tfds label order
GTZAN_SAMPLE_RATE = 22050
SPLITS = ("train", "validation", "test")
SPLIT_FILE_PREFIXES = ("train", "valid", "test")
SYNTHETIC_SOURCE = "synthetic genres (generated songs, dlx_tf.data.synthetic.genres)"
_AUDIO_EXTENSIONS = (".wav", ".au")


@dataclasses.dataclass(frozen=True)
class SongSplit:
    """The songs of one split.

    Args:
        waveforms: one int16 PCM array `[samples]` per song; lengths may differ.
        labels: int32 `[songs]`, indices into `GenreClips.genres`.
        song_ids: one `str` per song, the file name without `.wav` (`"jazz.00054"`).
    """

    waveforms: tuple
    labels: np.ndarray
    song_ids: tuple

    def __len__(self):
        return len(self.labels)

    def segments(self, segment_samples):
        """`(segments int16 [n, segment_samples], labels int32 [n], song_index int32 [n])`:
        each song cut into consecutive non-overlapping segments, the remainder dropped, in
        song order; `song_index` indexes this split's songs."""
        _check_positive_int("segment_samples", segment_samples)
        counts = [len(waveform) // segment_samples for waveform in self.waveforms]
        segments = np.empty((sum(counts), segment_samples), np.int16)
        start = 0
        for waveform, count in zip(self.waveforms, counts):
            segments[start:start + count] = np.reshape(
                waveform[:count * segment_samples], (count, segment_samples))
            start += count
        song_index = np.repeat(np.arange(len(self), dtype=np.int32), counts)
        return segments, self.labels[song_index].astype(np.int32), song_index


@dataclasses.dataclass(frozen=True)
class GenreClips:
    """Train, validation and test `SongSplit`s, the genre names (index = label), the
    sample rate and `info` for run.json (source, counts, split, skipped songs)."""

    train: SongSplit
    validation: SongSplit
    test: SongSplit
    genres: tuple
    sample_rate: int
    info: dict


def load_genre_clips(source, *, seed, sample_rate, segment_samples, validation_fraction=0.1,
                     test_fraction=0.1, split_file="", synthetic_songs_per_genre=12,
                     synthetic_seconds=6.0):
    """Loads genre-labelled songs from `source` and splits them by song.

    Args:
        source: `"synthetic"`, `"gtzan"` or `"tfds:gtzan"` (tfds, 22050 Hz), or a folder
            laid out as `root/<genre>/*.wav` (or one level deeper, as Kaggle's
            `genres_original`); genres are the sorted folder names. A folder named
            `gtzan` or `synthetic` must be given as a path (`./gtzan`).
        seed: seeds the random split and the synthetic songs.
        sample_rate: every song must have this rate; nothing is resampled.
        segment_samples: segment length; songs shorter than one segment are skipped, and
            `info["segments"]` counts segments of this length.
        validation_fraction, test_fraction: of each genre's songs, for the random split;
            0 leaves that split empty.
        split_file: a JSON file `{"train": [...], "validation": [...], "test": [...]}` or a
            folder of three lists whose names start with `train`, `valid` and `test`,
            entries such as `blues/blues.00029.wav`; replaces the random split, and songs
            it does not list are left out.
        synthetic_songs_per_genre, synthetic_seconds: size of the `"synthetic"` source.

    Example:
        clips = load_genre_clips("~/data/gtzan", seed=0, sample_rate=22050,
                                 segment_samples=66150, split_file="~/data/gtzan_filtered")
        segments, labels, song_index = clips.train.segments(66150)
    """
    _check_arguments(sample_rate, segment_samples, validation_fraction, test_fraction)
    skipped = []
    if source == "synthetic":
        where, genres, songs = _synthetic(synthetic_songs_per_genre, synthetic_seconds,
                                          sample_rate, seed, segment_samples)
    elif source in ("gtzan", "tfds:gtzan"):
        where, genres, songs = _from_tfds(source, sample_rate, segment_samples, skipped)
    else:
        genre_root, genres, songs = read_wav_folder(os.path.expanduser(source), sample_rate,
                                                    segment_samples, skipped)
        where = os.path.abspath(genre_root)
    song_ids, labels, waveforms = _check_songs(where, genres, songs)
    missing, unlisted = [], 0
    if split_file:
        lists = read_split_file(split_file)
        indices, missing = _split_by_lists(split_file, lists, song_ids)
        unlisted = len(song_ids) - sum(len(index) for index in indices)
        split = f"file: {split_file}"
    else:
        indices = split_songs(labels, validation_fraction, test_fraction, seed)
        split = f"random, stratified by genre, seed {seed}"
    splits = [SongSplit(tuple(waveforms[i] for i in index), labels[index],
                        tuple(song_ids[i] for i in index)) for index in indices]
    if not len(splits[0]):
        raise DataError(f"{split_file}: the train split is empty (expected at least 1 song, "
                        f"got 0 of the {len(song_ids)} songs in {where})")
    info = {
        "source": where,
        "synthetic": source == "synthetic",
        "genres": list(genres),
        "sample_rate": sample_rate,
        "segment_samples": segment_samples,
        "seed": seed,
        "split": split,
        "songs": {name: len(part) for name, part in zip(SPLITS, splits)},
        "segments": {name: sum(len(w) // segment_samples for w in part.waveforms)
                     for name, part in zip(SPLITS, splits)},
        "skipped": skipped,
        "split_file_missing": missing,
        "songs_not_in_split_file": unlisted,
    }
    return GenreClips(*splits, genres=tuple(genres), sample_rate=sample_rate, info=info)


def split_songs(labels, validation_fraction, test_fraction, seed):
    """`(train_idx, val_idx, test_idx)`, sorted int64 song indices, stratified by genre:
    each genre's songs are shuffled with `seed`, the first `round(n * test_fraction)` go to
    test, the next `round(n * validation_fraction)` to validation and the rest to train.
    A genre of 3 or more songs puts at least 1 in every split whose fraction is above 0."""
    _check_fractions(validation_fraction, test_fraction)
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for label in np.unique(labels):
        songs = rng.permutation(np.flatnonzero(labels == label))
        n = len(songs)
        test, validation = (_share(n, fraction) for fraction in (test_fraction,
                                                                 validation_fraction))
        # Train keeps at least one song; the larger held-out share gives way first.
        while test + validation > max(n - 1, 0):
            if test > validation:
                test -= 1
            else:
                validation -= 1
        parts[2].append(songs[:test])
        parts[1].append(songs[test:test + validation])
        parts[0].append(songs[test + validation:])
    return tuple(np.sort(np.concatenate(part)).astype(np.int64) if part
                 else np.zeros(0, np.int64) for part in parts)


def read_split_file(split_file):
    """`{split: [song id, ...]}` in file order from a JSON file or a folder of three lists."""
    path = os.path.expanduser(split_file)
    if os.path.isdir(path):
        lists = {split: _read_list(path, prefix)
                 for split, prefix in zip(SPLITS, SPLIT_FILE_PREFIXES)}
    elif os.path.isfile(path):
        lists = _read_json_lists(path)
    else:
        names = ", ".join(prefix + "*" for prefix in SPLIT_FILE_PREFIXES)
        raise DataError(f"{split_file}: no such file or folder (expected a JSON split file or "
                        f"a folder of lists named {names})")
    return {split: [song_id(entry) for entry in entries] for split, entries in lists.items()}


def song_id(entry):
    """`blues/blues.00029.wav`, `blues.00029.wav` and `blues.00029` all give `blues.00029`."""
    name = os.path.basename(entry.strip().replace("\\", "/"))
    return name[:name.rindex(".")] if name.lower().endswith(_AUDIO_EXTENSIONS) else name


def _read_list(folder, prefix):
    names = [name for name in sorted(os.listdir(folder)) if name.lower().startswith(prefix)
             and os.path.isfile(os.path.join(folder, name))]
    if len(names) != 1:
        raise DataError(f"{folder}: expected 1 file whose name starts with '{prefix}', got "
                        f"{len(names)} ({', '.join(names) or 'none'})")
    path = os.path.join(folder, names[0])
    try:
        with open(path, encoding="utf-8") as file:
            return [line.strip() for line in file if line.strip()]
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error


def _read_json_lists(path):
    try:
        with open(path, encoding="utf-8") as file:
            lists = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not a JSON split file ({error})") from error
    if not isinstance(lists, dict) or sorted(lists) != sorted(SPLITS):
        got = sorted(lists) if isinstance(lists, dict) else type(lists).__name__
        raise DataError(f"{path}: expected a JSON object with keys {list(SPLITS)}, got {got}")
    for split, entries in lists.items():
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise DataError(f"{path} field '{split}': expected a list of song names, got "
                            f"{entries!r:.80}")
    return lists


def _split_by_lists(split_file, lists, song_ids):
    """Song indices per split from the lists, and the listed songs that are not loaded."""
    position = {song: i for i, song in enumerate(song_ids)}
    owner, missing, indices = {}, [], []
    for split in SPLITS:
        index = []
        for song in lists[split]:
            if owner.get(song, split) != split:
                raise DataError(f"{split_file}: song {song} is listed in both {owner[song]} "
                                f"and {split} (expected each song in one split)")
            if song in owner:  # listed twice in the same split
                continue
            owner[song] = split
            if song in position:
                index.append(position[song])
            else:
                missing.append(song)
        indices.append(np.array(sorted(index), np.int64))
    if missing:
        print(f"warning: {split_file}: {len(missing)} listed songs were not loaded (skipped or "
              f"absent): {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}",
              file=sys.stderr)
    return indices, missing


def _check_songs(where, genres, songs):
    """`(song_ids, labels int32, waveforms)` once ids are unique and every genre has a song."""
    song_ids = tuple(song for song, _, _ in songs)
    labels = np.array([label for _, label, _ in songs], np.int32)
    seen = set()
    for song in song_ids:
        if song in seen:
            raise DataError(f"{where}: song id {song} appears twice (expected unique file names)")
        seen.add(song)
    counts = np.bincount(labels, minlength=len(genres))
    empty = [genre for genre, count in zip(genres, counts) if not count]
    if empty:
        raise DataError(f"{where}: no usable song for genre(s) {', '.join(empty)} (expected at "
                        f"least 1 per genre)")
    return song_ids, labels, tuple(waveform for _, _, waveform in songs)


def _synthetic(songs_per_genre, seconds, sample_rate, seed, segment_samples):
    from dlx_tf.data.synthetic.genres import synthetic_genre_songs

    data = synthetic_genre_songs(songs_per_genre, seconds, sample_rate, seed=seed)
    if data.waveforms.shape[1] < segment_samples:
        raise UsageError(f"synthetic_seconds: songs of {data.waveforms.shape[1]} samples are "
                         f"shorter than one segment (segment_samples={segment_samples})")
    pcm = np.clip(np.round(data.waveforms * 32767.0), -32768, 32767).astype(np.int16)
    songs = [(song, int(label), waveform)
             for song, label, waveform in zip(data.song_ids, data.labels, pcm)]
    return SYNTHETIC_SOURCE, tuple(data.genres), songs


def _from_tfds(source, sample_rate, min_samples, skipped):
    if sample_rate != GTZAN_SAMPLE_RATE:
        raise UsageError(f"sample_rate: tfds gtzan is {GTZAN_SAMPLE_RATE} Hz, got {sample_rate} "
                         f"(songs are not resampled; pass sample_rate={GTZAN_SAMPLE_RATE})")
    import tensorflow_datasets as tfds

    also = f"synthetic or a folder laid out as {LAYOUT}"
    dataset = prepared(tfds_builder("gtzan", also), source, also).as_dataset(split="train")
    songs = []
    for example in tfds.as_numpy(dataset):
        filename = example["audio/filename"].decode("utf-8")
        where = f"tfds:gtzan {filename}"
        audio, label = example["audio"], int(example["label"])
        if audio.ndim != 1:
            raise DataError(f"{where}: expected mono samples [samples], got shape {audio.shape}")
        if audio.size and (audio.min() < -32768 or audio.max() > 32767):
            raise DataError(f"{where}: samples outside the int16 range (expected -32768 to "
                            f"32767, got {audio.min()} to {audio.max()})")
        if not 0 <= label < len(GTZAN_GENRES):
            raise DataError(f"{where}: label {label} is not a genre (allowed: 0-"
                            f"{len(GTZAN_GENRES) - 1})")
        if len(audio) < min_samples:
            skip_song(skipped, where, f"{len(audio)} samples, shorter than one segment of "
                                      f"{min_samples}")
            continue
        songs.append((song_id(filename), label, audio.astype(np.int16)))
    return "tfds:gtzan", GTZAN_GENRES, songs


def _share(n, fraction):
    # Halves round up (as in text_classification); at least 1 from a genre of 3 or more.
    count = int(n * fraction + 0.5)
    return max(count, 1) if fraction > 0 and n >= 3 else count


def _check_arguments(sample_rate, segment_samples, validation_fraction, test_fraction):
    _check_positive_int("sample_rate", sample_rate)
    _check_positive_int("segment_samples", segment_samples)
    _check_fractions(validation_fraction, test_fraction)


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UsageError(f"{name}: expected a positive integer, got {value!r}")


def _check_fractions(validation_fraction, test_fraction):
    for name, fraction in (("validation_fraction", validation_fraction),
                           ("test_fraction", test_fraction)):
        if not 0 <= fraction < 1:
            raise UsageError(f"{name}: expected a fraction in [0, 1), got {fraction}")
    if validation_fraction + test_fraction >= 1:
        raise UsageError(f"validation_fraction + test_fraction: expected less than 1, got "
                         f"{validation_fraction} + {test_fraction}")
