import os

import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.data.wav_folder import find_genre_root, read_wav_folder
from dlx_tf.errors import DataError

RATE = 8000


def pcm(seed, samples=900):
    return np.random.default_rng(seed).integers(-32768, 32768, samples).astype(np.int16)


def write_wav(path, samples, rate=RATE):
    """Writes int16 `samples` `[n]` (mono) or `[n, channels]` as a 16-bit WAV."""
    samples = np.asarray(samples, np.int16)
    samples = samples[:, None] if samples.ndim == 1 else samples
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wav = tf.audio.encode_wav(tf.constant(samples / 32768, tf.float32), rate)
    with open(path, "wb") as file:
        file.write(wav.numpy())
    return samples


def test_genres_are_sorted_wav_bearing_folders_read_as_exact_int16(tmp_path):
    written = {}
    for seed, name in enumerate(["rock/rock.00001.wav", "blues/blues.00002.wav",
                                 "blues/blues.00000.wav", "jazz/jazz.00007.wav"]):
        written[name] = write_wav(str(tmp_path / name), pcm(seed, 700 + seed))[:, 0]
    (tmp_path / "blues" / "notes.txt").write_text("not audio")
    (tmp_path / "blues" / ".blues.00009.wav").write_bytes(b"hidden")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.md").write_text("no wav here")
    skipped = []
    root, genres, songs = read_wav_folder(str(tmp_path), RATE, 100, skipped)
    assert root == str(tmp_path) and skipped == []
    assert genres == ("blues", "jazz", "rock")
    assert [(song, label) for song, label, _ in songs] == [
        ("blues.00000", 0), ("blues.00002", 0), ("jazz.00007", 1), ("rock.00001", 2)]
    for song, label, waveform in songs:
        assert waveform.dtype == np.int16
        np.testing.assert_array_equal(waveform, written[f"{genres[label]}/{song}.wav"])


def test_corrupt_wavs_are_skipped_with_a_warning_and_the_rest_loaded(tmp_path, capsys):
    for i in range(3):
        write_wav(str(tmp_path / f"jazz/jazz.0005{i}.wav"), pcm(i))
    write_wav(str(tmp_path / "pop/pop.00000.wav"), pcm(9))
    (tmp_path / "jazz" / "jazz.00054.wav").write_bytes(np.random.default_rng(0).bytes(600))
    header = (tmp_path / "jazz" / "jazz.00050.wav").read_bytes()[:30]
    (tmp_path / "jazz" / "jazz.00055.wav").write_bytes(header)
    skipped = []
    _, genres, songs = read_wav_folder(str(tmp_path), RATE, 100, skipped)
    assert [song for song, _, _ in songs] == [
        "jazz.00050", "jazz.00051", "jazz.00052", "pop.00000"]
    assert [entry["path"] for entry in skipped] == [
        str(tmp_path / "jazz" / "jazz.00054.wav"), str(tmp_path / "jazz" / "jazz.00055.wav")]
    # Random bytes make TensorFlow's own error message undecodable; a cut header does not.
    assert [entry["reason"] for entry in skipped] == [
        "not a readable 16-bit PCM WAV (garbled header)",
        "not a readable 16-bit PCM WAV (Data too short when trying to read string)"]
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("warning: skipped")] == [
        f"warning: skipped {entry['path']}: {entry['reason']}" for entry in skipped]


def test_other_sample_rates_and_songs_shorter_than_a_segment_are_skipped(tmp_path, capsys):
    write_wav(str(tmp_path / "a/a.0.wav"), pcm(0))
    write_wav(str(tmp_path / "a/a.1.wav"), pcm(1), rate=16000)
    write_wav(str(tmp_path / "a/a.2.wav"), pcm(2, samples=299))
    write_wav(str(tmp_path / "b/b.0.wav"), pcm(3, samples=300))
    skipped = []
    _, _, songs = read_wav_folder(str(tmp_path), RATE, 300, skipped)
    assert [song for song, _, _ in songs] == ["a.0", "b.0"]
    assert skipped == [
        {"path": str(tmp_path / "a/a.1.wav"),
         "reason": "sample rate 16000 Hz, expected 8000 Hz (songs are not resampled)"},
        {"path": str(tmp_path / "a/a.2.wav"),
         "reason": "299 samples, shorter than one segment of 300"}]
    assert capsys.readouterr().err.count("warning: skipped") == 2


def test_stereo_is_averaged_to_mono(tmp_path):
    left = np.array([100, -200, 32767, -32768, 7, 0], np.int16)
    right = np.array([300, 200, 32765, -32768, 8, -1], np.int16)
    write_wav(str(tmp_path / "g/g.0.wav"), np.stack([left, right], axis=1))
    _, _, [(_, _, waveform)] = read_wav_folder(str(tmp_path), RATE, 1, [])
    # Halves round to even, as np.round does.
    np.testing.assert_array_equal(waveform, [200, 0, 32766, -32768, 8, 0])


def test_kaggle_genres_original_nesting_is_descended_into(tmp_path):
    data = tmp_path / "Data"
    for genre in ("disco", "blues"):
        write_wav(str(data / "genres_original" / genre / f"{genre}.00000.wav"), pcm(1))
    (data / "images_original" / "blues").mkdir(parents=True)
    (data / "images_original" / "blues" / "blues00000.png").write_bytes(b"png")
    (data / "features_30_sec.csv").write_text("filename,label\n")
    # The resource forks macOS leaves in zip files are neither genres nor songs.
    (data / "__MACOSX" / "genres_original" / "blues").mkdir(parents=True)
    (data / "__MACOSX" / "genres_original" / "blues" / "._blues.00000.wav").write_bytes(b"x")
    root, genres, songs = read_wav_folder(str(data), RATE, 10, [])
    assert root == str(data / "genres_original")
    assert genres == ("blues", "disco") and len(songs) == 2
    # Only one level down, and only when exactly one sub-folder holds genres.
    write_wav(str(data / "copy" / "rock" / "rock.00000.wav"), pcm(2))
    with pytest.raises(DataError, match=r"Data: no genre folders holding \.wav files \(expected "
                                        r"root/<genre>/\*\.wav.*; sub-folders holding genre "
                                        r"folders: copy, genres_original\)"):
        find_genre_root(str(data))


def test_missing_empty_and_all_skipped_inputs_are_data_errors(tmp_path):
    with pytest.raises(DataError, match=r"nowhere: no such file or folder \(expected a folder"):
        find_genre_root(str(tmp_path / "nowhere"))
    (tmp_path / "file.wav").write_bytes(b"x")
    with pytest.raises(DataError, match=r"file\.wav: not a folder"):
        find_genre_root(str(tmp_path / "file.wav"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no genre folders holding .wav files"):
        find_genre_root(str(tmp_path / "empty"))
    write_wav(str(tmp_path / "songs/blues/blues.0.wav"), pcm(0))
    (tmp_path / "songs" / "jazz").mkdir()
    (tmp_path / "songs" / "jazz" / "jazz.00054.wav").write_bytes(b"RIFF garbage")
    with pytest.raises(DataError, match=r"songs/jazz: no usable song \(expected at least 1, got "
                                        r"0: all 1 \.wav files skipped; first: .*jazz\.00054\."
                                        r"wav: not a readable 16-bit PCM WAV \(Header mismatch: "
                                        r"Expected WAVE but found bage\)\)"):
        read_wav_folder(str(tmp_path / "songs"), RATE, 10, [])
