import json
import os
import sys
import types

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from dlx_tf.data.genre_clips import (
    GTZAN_GENRES,
    SYNTHETIC_SOURCE,
    SongSplit,
    load_genre_clips,
    split_songs,
)
from dlx_tf.errors import DataError, UsageError

RATE = 8000
SEGMENT = 200
GENRES = ("blues", "classical", "jazz")


def write_wav(path, samples, rate=RATE):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wav = tf.audio.encode_wav(tf.constant(samples[:, None] / 32768, tf.float32), rate)
    with open(path, "wb") as file:
        file.write(wav.numpy())


@pytest.fixture(scope="module")
def gtzan_folder(tmp_path_factory):
    """`root/<genre>/<genre>.0000i.wav`, 5 songs per genre of 3 genres and a corrupt
    jazz.00054.wav; returns the root and {song id: int16 samples}."""
    root = tmp_path_factory.mktemp("gtzan")
    rng = np.random.default_rng(0)
    songs = {}
    for genre in GENRES:
        for i in range(5):
            # Lengths 650-1010: 3 to 5 segments with a remainder to drop.
            samples = rng.integers(-32768, 32768, 650 + 90 * i).astype(np.int16)
            songs[f"{genre}.{i:05d}"] = samples
            write_wav(str(root / genre / f"{genre}.{i:05d}.wav"), samples)
    (root / "jazz" / "jazz.00054.wav").write_bytes(rng.bytes(400))
    return str(root), songs


def load(root, **kwargs):
    return load_genre_clips(root, **{"seed": 3, "sample_rate": RATE,
                                     "segment_samples": SEGMENT, **kwargs})


def all_splits(clips):
    return [clips.train, clips.validation, clips.test]


def test_folder_source_splits_songs_and_records_info(gtzan_folder, capsys):
    root, songs = gtzan_folder
    clips = load(root, validation_fraction=0.2, test_fraction=0.2)
    corrupt = os.path.join(root, "jazz", "jazz.00054.wav")
    assert f"warning: skipped {corrupt}: not a readable" in capsys.readouterr().err
    assert clips.genres == GENRES and clips.sample_rate == RATE
    ids = [set(split.song_ids) for split in all_splits(clips)]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert set.union(*ids) == set(songs)
    segments = {}
    for name, split in zip(("train", "validation", "test"), all_splits(clips)):
        assert split.labels.dtype == np.int32 and len(split.waveforms) == len(split)
        # 5 songs per genre: 1 test, 1 validation, 3 train.
        assert np.bincount(split.labels).tolist() == [1 if name != "train" else 3] * 3
        for song, label, waveform in zip(split.song_ids, split.labels, split.waveforms):
            assert song.split(".")[0] == GENRES[label] and waveform.dtype == np.int16
            np.testing.assert_array_equal(waveform, songs[song])
        segments[name] = sum(len(songs[song]) // SEGMENT for song in split.song_ids)
    assert clips.info == {
        "source": os.path.abspath(root), "synthetic": False, "genres": list(GENRES),
        "sample_rate": RATE, "segment_samples": SEGMENT, "seed": 3,
        "split": "random, stratified by genre, seed 3",
        "songs": {"train": 9, "validation": 3, "test": 3}, "segments": segments,
        "skipped": [{"path": corrupt, "reason": "not a readable 16-bit PCM WAV (garbled header)"}],
        "split_file_missing": [], "songs_not_in_split_file": 0}
    json.dumps(clips.info)
    again, other = (load(root, seed=seed, validation_fraction=0.2, test_fraction=0.2)
                    for seed in (3, 4))
    assert all(a.song_ids == b.song_ids for a, b in zip(all_splits(again), all_splits(clips)))
    assert other.test.song_ids != clips.test.song_ids


def test_zero_validation_fraction_leaves_an_empty_validation_split(gtzan_folder):
    clips = load(gtzan_folder[0], validation_fraction=0.0, test_fraction=0.4)
    assert len(clips.validation) == 0 and clips.validation.song_ids == ()
    segments, labels, song_index = clips.validation.segments(SEGMENT)
    assert segments.shape == (0, SEGMENT) and segments.dtype == np.int16
    assert labels.shape == song_index.shape == (0,)
    assert clips.info["songs"] == {"train": 9, "validation": 0, "test": 6}


def test_split_songs_is_stratified_disjoint_and_seeded():
    counts = {0: 10, 1: 3, 2: 20, 3: 1, 4: 2}
    labels = np.random.default_rng(5).permutation(
        np.concatenate([np.full(n, genre) for genre, n in counts.items()]))
    train, validation, test = split_songs(labels, 0.1, 0.2, seed=7)
    for part in (train, validation, test):
        assert part.dtype == np.int64 and np.all(np.diff(part) > 0)
    assert sorted(np.concatenate([train, validation, test]).tolist()) == list(range(36))
    per_genre = [np.bincount(labels[part], minlength=5).tolist()
                 for part in (train, validation, test)]
    # 10 songs: 2 test (0.2), 1 validation; 3 songs: at least 1 each; 1 or 2 songs: train.
    assert per_genre == [[7, 1, 14, 1, 2], [1, 1, 2, 0, 0], [2, 1, 4, 0, 0]]
    again = split_songs(labels, 0.1, 0.2, seed=7)
    other = split_songs(labels, 0.1, 0.2, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip(again, (train, validation, test)))
    assert not np.array_equal(other[2], test)


def test_split_songs_keeps_a_train_song_and_allows_empty_splits():
    train, validation, test = split_songs([0, 0, 0], 0.4, 0.5, seed=0)
    assert (len(train), len(validation), len(test)) == (1, 1, 1)
    train, validation, test = split_songs([1] * 8, 0.0, 0.25, seed=0)
    assert (len(train), len(validation), len(test)) == (6, 0, 2)
    assert validation.dtype == np.int64
    with pytest.raises(UsageError, match=r"test_fraction: expected a fraction in \[0, 1\), got 1"):
        split_songs([0, 1], 0.1, 1, seed=0)


def test_json_split_file_fixes_the_split_and_reports_missing_songs(gtzan_folder, tmp_path,
                                                                   capsys):
    root, songs = gtzan_folder
    path = tmp_path / "split.json"
    path.write_text(json.dumps({
        "train": ["blues/blues.00001.wav", "jazz.00002.wav", "classical.00000",
                  "blues.00000", "blues.00001"],
        "validation": ["jazz/jazz.00054.wav"],
        "test": ["classical.00004.wav", "rock.00099.wav"]}))
    clips = load(root, split_file=str(path))
    assert clips.train.song_ids == ("blues.00000", "blues.00001", "classical.00000",
                                    "jazz.00002")
    assert clips.validation.song_ids == () and clips.test.song_ids == ("classical.00004",)
    np.testing.assert_array_equal(clips.test.waveforms[0], songs["classical.00004"])
    assert clips.info["split"] == f"file: {path}"
    assert clips.info["split_file_missing"] == ["jazz.00054", "rock.00099"]
    assert clips.info["songs_not_in_split_file"] == 15 - 5
    assert clips.info["songs"] == {"train": 4, "validation": 0, "test": 1}
    assert (f"warning: {path}: 2 listed songs were not loaded (skipped or absent): "
            "jazz.00054, rock.00099") in capsys.readouterr().err


def test_kereliuk_style_list_folder_with_genre_prefixed_lines(gtzan_folder, tmp_path):
    lists = tmp_path / "gtzan_filtered"
    lists.mkdir()
    (lists / "train_filtered.txt").write_text(
        "blues/blues.00000.wav\nblues/blues.00003.wav\r\n\njazz/jazz.00001.wav\n")
    (lists / "valid_filtered.txt").write_text("classical/classical.00002.wav\n")
    (lists / "test_filtered.txt").write_text("jazz/jazz.00004.wav\nblues/blues.00002.wav\n")
    (lists / "README").write_text("not a list")
    clips = load(gtzan_folder[0], split_file=str(lists))
    assert clips.train.song_ids == ("blues.00000", "blues.00003", "jazz.00001")
    assert clips.validation.song_ids == ("classical.00002",)
    assert clips.test.song_ids == ("blues.00002", "jazz.00004")
    assert clips.test.labels.tolist() == [0, 2]
    assert clips.info["songs_not_in_split_file"] == 15 - 6
    assert clips.info["split_file_missing"] == []


def test_bad_split_files_are_data_errors_naming_the_problem(gtzan_folder, tmp_path):
    root = gtzan_folder[0]
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps({"train": ["blues/blues.00001.wav", "jazz.00000"],
                                 "validation": [], "test": ["blues.00001"]}))
    with pytest.raises(DataError, match=r"twice\.json: song blues\.00001 is listed in both "
                                        r"train and test"):
        load(root, split_file=str(twice))
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"train": [], "valid": [], "test": []}))
    with pytest.raises(DataError, match=r"keys\.json: expected a JSON object with keys "
                                        r"\['train', 'validation', 'test'\], got \['test', "
                                        r"'train', 'valid'\]"):
        load(root, split_file=str(keys))
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "train.txt").write_text("blues.00000\n")
    (lists / "test.txt").write_text("blues.00001\n")
    with pytest.raises(DataError, match=r"lists: expected 1 file whose name starts with "
                                        r"'valid', got 0 \(none\)"):
        load(root, split_file=str(lists))
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"train": ["pop.00000"], "validation": [], "test": []}))
    with pytest.raises(DataError, match=r"empty\.json: the train split is empty"):
        load(root, split_file=str(empty))
    with pytest.raises(DataError, match="nothing.json: no such file or folder"):
        load(root, split_file=str(tmp_path / "nothing.json"))


def test_segments_are_consecutive_cuts_in_song_order_with_song_index():
    waveforms = tuple(np.arange(start, start + n, dtype=np.int16)
                      for start, n in ((0, 5), (100, 7), (200, 2), (300, 6)))
    split = SongSplit(waveforms, np.array([4, 1, 2, 0], np.int32), ("a", "b", "c", "d"))
    segments, labels, song_index = split.segments(3)
    assert segments.dtype == np.int16 and labels.dtype == song_index.dtype == np.int32
    np.testing.assert_array_equal(segments, [[0, 1, 2], [100, 101, 102], [103, 104, 105],
                                             [300, 301, 302], [303, 304, 305]])
    assert song_index.tolist() == [0, 1, 1, 3, 3] and labels.tolist() == [4, 1, 1, 0, 0]
    assert len(split) == 4
    with pytest.raises(UsageError, match="segment_samples: expected a positive integer, got 0"):
        split.segments(0)


def gtzan_examples(audio_for=None):
    """Two songs per GTZAN genre as tfds serves them: int64 samples, label, file name."""
    rng = np.random.default_rng(1)
    examples = []
    for label, genre in enumerate(GTZAN_GENRES):
        for i in range(2):
            name = f"{genre}.{i:05d}.wav"
            audio = rng.integers(-32768, 32768, 300 + 50 * i + label).astype(np.int64)
            examples.append({"audio": (audio_for or {}).get(name, audio), "label": label,
                             "audio/filename": name.encode()})
    return examples


def mock_gtzan(examples):
    def as_dataset(self, split, **kwargs):
        return tf.data.Dataset.from_generator(lambda: iter(examples), output_signature={
            "audio": tf.TensorSpec([None], tf.int64), "label": tf.TensorSpec([], tf.int64),
            "audio/filename": tf.TensorSpec([], tf.string)})
    return tfds.testing.mock_data(as_dataset_fn=as_dataset)


def test_tfds_gtzan_keeps_int16_samples_and_file_stems(capsys):
    examples = gtzan_examples({"pop.00001.wav": np.arange(250, dtype=np.int64),
                               "rock.00000.wav": np.array([-32768, 32767] * 200, np.int64)})
    with mock_gtzan(examples):
        clips = load_genre_clips("gtzan", seed=0, sample_rate=22050, segment_samples=260)
        same = load_genre_clips("tfds:gtzan", seed=0, sample_rate=22050, segment_samples=260)
    assert clips.genres == GTZAN_GENRES and clips.info["source"] == "tfds:gtzan"
    assert same.train.song_ids == clips.train.song_ids
    assert clips.info["skipped"] == [{"path": "tfds:gtzan pop.00001.wav",
                                      "reason": "250 samples, shorter than one segment of 260"}]
    assert "warning: skipped tfds:gtzan pop.00001.wav" in capsys.readouterr().err
    by_id = {song: (label, waveform) for split in all_splits(clips)
             for song, label, waveform in zip(split.song_ids, split.labels, split.waveforms)}
    assert len(by_id) == 19 and "pop.00001" not in by_id
    for example in examples:
        song = example["audio/filename"].decode()[:-len(".wav")]
        if song in by_id:
            label, waveform = by_id[song]
            assert label == example["label"] and waveform.dtype == np.int16
            np.testing.assert_array_equal(waveform, example["audio"])
    assert clips.info["segments"]["train"] == len(clips.train.segments(260)[0])


def test_tfds_gtzan_rejects_samples_outside_int16_and_other_sample_rates():
    loud = gtzan_examples({"rock.00001.wav": np.array([-3, 40000, 5] * 100, np.int64)})
    with mock_gtzan(loud):
        with pytest.raises(DataError, match=r"tfds:gtzan rock\.00001\.wav: samples outside the "
                                            r"int16 range \(expected -32768 to 32767, got -3 to "
                                            r"40000\)"):
            load_genre_clips("gtzan", seed=0, sample_rate=22050, segment_samples=100)
    with pytest.raises(UsageError, match=r"sample_rate: tfds gtzan is 22050 Hz, got 16000 \(songs "
                                         r"are not resampled; pass sample_rate=22050\)"):
        load_genre_clips("tfds:gtzan", seed=0, sample_rate=16000, segment_samples=100)
    without_metal = [e for e in gtzan_examples() if not e["audio/filename"].startswith(b"metal")]
    with mock_gtzan(without_metal):
        with pytest.raises(DataError, match=r"tfds:gtzan: no usable song for genre\(s\) metal"):
            load_genre_clips("gtzan", seed=0, sample_rate=22050, segment_samples=100)


def test_synthetic_source_is_converted_to_int16_and_marked(monkeypatch):
    def synthetic_genre_songs(songs_per_genre, seconds, sample_rate, seed=0):
        assert (songs_per_genre, seconds, sample_rate, seed) == (3, 0.01, 400, 9)
        waveforms = np.tile(np.array([1.0, -1.0, 0.5, 1e-5], np.float32), (6, 1))
        return types.SimpleNamespace(waveforms=waveforms, labels=np.repeat([0, 1], 3),
                                     song_ids=tuple(f"g.{i}" for i in range(6)),
                                     genres=("hum", "pulse"))

    fake = types.SimpleNamespace(synthetic_genre_songs=synthetic_genre_songs)
    monkeypatch.setitem(sys.modules, "dlx_tf.data.synthetic.genres", fake)
    clips = load_genre_clips("synthetic", seed=9, sample_rate=400, segment_samples=2,
                             synthetic_songs_per_genre=3, synthetic_seconds=0.01)
    assert clips.info["synthetic"] is True and clips.info["source"] == SYNTHETIC_SOURCE
    assert clips.genres == ("hum", "pulse") and clips.info["songs"] == {
        "train": 2, "validation": 2, "test": 2}
    # round(x * 32767): halves to even.
    assert clips.train.waveforms[0].tolist() == [32767, -32767, 16384, 0]
    assert clips.info["segments"] == {"train": 4, "validation": 4, "test": 4}
    with pytest.raises(UsageError, match=r"synthetic_seconds: songs of 4 samples are shorter "
                                         r"than one segment \(segment_samples=5\)"):
        load_genre_clips("synthetic", seed=9, sample_rate=400, segment_samples=5,
                         synthetic_songs_per_genre=3, synthetic_seconds=0.01)


def test_real_synthetic_genres_split_by_song():
    kwargs = dict(seed=1, sample_rate=4000, segment_samples=1000, synthetic_songs_per_genre=3,
                  synthetic_seconds=0.5)
    clips, again = load_genre_clips("synthetic", **kwargs), load_genre_clips("synthetic", **kwargs)
    genres = len(clips.genres)
    assert genres >= 2 and clips.info["songs"] == {"train": genres, "validation": genres,
                                                   "test": genres}
    assert clips.info["segments"]["test"] == 2 * genres
    ids = [set(split.song_ids) for split in all_splits(clips)]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    for split, same in zip(all_splits(clips), all_splits(again)):
        assert split.song_ids == same.song_ids and split.waveforms[0].dtype == np.int16
        np.testing.assert_array_equal(split.waveforms[0], same.waveforms[0])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"segment_samples": 0}, UsageError, "segment_samples: expected a positive integer, got 0"),
    ({"sample_rate": 22050.0}, UsageError, "sample_rate: expected a positive integer, got 22050.0"),
    ({"validation_fraction": -0.1}, UsageError, r"validation_fraction: expected a fraction in "
                                                r"\[0, 1\), got -0.1"),
    ({"validation_fraction": 0.5, "test_fraction": 0.5}, UsageError,
     r"expected less than 1, got 0.5 \+ 0.5"),
    ({"source": "no/such/folder"}, DataError, r"no/such/folder: no such file or folder"),
])
def test_bad_arguments_fail_before_any_loading(kwargs, error, message):
    kwargs = {"source": "synthetic", "seed": 0, "sample_rate": 8000, "segment_samples": 100,
              **kwargs}
    with pytest.raises(error, match=message):
        load_genre_clips(kwargs.pop("source"), **kwargs)
