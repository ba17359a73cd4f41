import re

import numpy as np
import pytest

from dlx_tf.data.synthetic import genres as synthetic_genres
from dlx_tf.data.synthetic.genres import SYNTHETIC_GENRES, synthetic_genre_songs
from dlx_tf.errors import UsageError

RATE = 8000
SEGMENT = 12000  # 1.5 s, the smoke run's segment length
TRAIN_SONGS = 8  # of each genre; the rest are held out


@pytest.fixture(scope="module")
def songs():
    return synthetic_genre_songs(12, seconds=6.0, sample_rate=RATE, seed=0)


def _segments(songs):
    """Non-overlapping 1.5 s segments `[songs, 4, 12000]` and each song's index in its genre."""
    count, samples = songs.waveforms.shape
    segments = songs.waveforms[:, : samples // SEGMENT * SEGMENT].reshape(count, -1, SEGMENT)
    return segments, np.array([int(song_id.split(".")[1]) for song_id in songs.song_ids])


def _features(segments):
    """Per segment: (mean and std over time of 21 log band energies, onset periodicity)."""
    frames = np.lib.stride_tricks.sliding_window_view(segments, 256, axis=-1)[..., ::128, :]
    power = np.abs(np.fft.rfft(frames * np.hanning(256), axis=-1)) ** 2  # (..., 92, 129)
    edges = np.unique(np.geomspace(2, 129, 25).astype(int))
    bands = np.log(np.add.reduceat(power, edges[:-1], axis=-1) + 1e-9)
    bands -= bands.mean((-2, -1), keepdims=True)  # relative to the segment's level: gain drops out
    # Onset strength: summed rises of band energy; its autocorrelation shows the beat period.
    onsets = np.maximum(np.diff(bands, axis=-2), 0).sum(-1)
    onsets -= onsets.mean(-1, keepdims=True)
    lags = np.arange(1, 48)  # up to 0.75 s at a 16 ms hop
    autocorrelation = np.stack([(onsets[..., lag:] * onsets[..., :-lag]).mean(-1)
                                for lag in lags], -1)
    autocorrelation /= (onsets**2).mean(-1, keepdims=True) + 1e-9
    return np.concatenate([bands.mean(-2), bands.std(-2)], -1), autocorrelation


def _nearest_centroid_accuracy(features, labels, train):
    """Fits class centroids on the `train` songs' segments, scores the other songs' segments.

    `features` is `[songs, segments, dims]`; `labels` `[songs]` are fitted on the `train`
    songs and are the truth the others are scored against.
    """
    classes = len(SYNTHETIC_GENRES)
    x = features.reshape(-1, features.shape[-1])
    y = np.repeat(labels, features.shape[1])
    fit = np.repeat(train, features.shape[1])
    mean, std = x[fit].mean(0), x[fit].std(0) + 1e-6
    x = (x - mean) / std
    centroids = np.stack([x[fit & (y == c)].mean(0) for c in range(classes)])
    distance = ((x[~fit, None] - centroids) ** 2).sum(-1)
    return np.mean(distance.argmin(1) == y[~fit])


def test_shapes_dtypes_peaks_and_ids(songs):
    assert songs.waveforms.shape == (120, 48000) and songs.waveforms.dtype == np.float32
    assert songs.labels.shape == (120,) and songs.labels.dtype == np.int32
    assert songs.genres == SYNTHETIC_GENRES and len(set(SYNTHETIC_GENRES)) == 10
    np.testing.assert_array_equal(np.bincount(songs.labels), [12] * 10)
    peaks = np.abs(songs.waveforms).max(1)
    assert peaks.max() <= 0.99 and peaks.min() > 0.02 and np.isfinite(songs.waveforms).all()
    assert len(set(songs.song_ids)) == 120
    for song_id, label in zip(songs.song_ids, songs.labels):
        genre, index = song_id.split(".")
        assert genre == SYNTHETIC_GENRES[label] and re.fullmatch(r"\d{5}", index)
    assert songs.song_ids[:2] == ("pulse.00000", "pulse.00001")
    assert songs.song_ids[-1] == "flutter.00011"


def test_the_same_seed_gives_the_same_songs_and_another_seed_others():
    first = synthetic_genre_songs(2, seconds=0.5, sample_rate=RATE, seed=5)
    again = synthetic_genre_songs(2, seconds=0.5, sample_rate=RATE, seed=5)
    other = synthetic_genre_songs(2, seconds=0.5, sample_rate=RATE, seed=6)
    np.testing.assert_array_equal(first.waveforms, again.waveforms)
    assert first.song_ids == other.song_ids
    difference = np.abs(first.waveforms - other.waveforms).mean(1)
    assert difference.min() > 0.2 * np.abs(first.waveforms).mean(1).max()


def test_songs_of_one_genre_are_not_copies_of_each_other(songs):
    for genre in range(10):
        waves = songs.waveforms[songs.labels == genre]
        correlation = np.corrcoef(waves)[~np.eye(len(waves), dtype=bool)]
        assert np.abs(correlation).max() < 0.5, SYNTHETIC_GENRES[genre]


def test_loudness_alone_does_not_separate_the_genres(songs):
    rms = np.sqrt(np.mean(songs.waveforms.astype(np.float64) ** 2, 1))
    low = [rms[songs.labels == c].min() for c in range(10)]
    high = [rms[songs.labels == c].max() for c in range(10)]
    assert max(low) < min(high)  # one loudness is inside every genre's range
    assert min(h / lo for lo, h in zip(low, high)) > 2  # each genre spans > 6 dB
    segments, index = _segments(songs)
    log_rms = np.log(np.sqrt((segments**2).mean(-1)))[..., None]
    accuracy = _nearest_centroid_accuracy(log_rms, songs.labels, index < TRAIN_SONGS)
    assert accuracy < 0.3  # chance is 0.1


def test_held_out_songs_are_classified_from_segments_only_with_the_true_labels(songs):
    segments, index = _segments(songs)
    spectrum, rhythm = _features(segments)
    features = np.concatenate([spectrum, rhythm], -1)
    train = index < TRAIN_SONGS
    accuracy = _nearest_centroid_accuracy(features, songs.labels, train)
    assert accuracy > 0.6  # measured 0.99 with seed 0; chance is 0.1
    # The onset periodicity alone, the rhythm cue.
    assert _nearest_centroid_accuracy(rhythm, songs.labels, train) > 0.5  # measured 0.75
    shuffled = songs.labels.copy()
    shuffled[train] = np.random.default_rng(0).permutation(shuffled[train])
    assert _nearest_centroid_accuracy(features, shuffled, train) < 0.25


def test_the_documented_table_is_what_the_code_plays():
    table = [line.split() for line in synthetic_genres.__doc__.splitlines()
             if line.startswith("    ")]
    rows = {row[0]: row for row in table if row[0] in SYNTHETIC_GENRES}
    assert tuple(rows) == SYNTHETIC_GENRES
    for genre, recipe in synthetic_genres._RECIPES.items():
        cycle, _, kick, snare, hat, note = rows[genre][1:7]
        assert (float(cycle), (kick, snare, hat), int(note)) == (
            recipe.cycle, recipe.drums, recipe.note_steps), genre


def test_empty_requests_and_other_rates_work():
    empty = synthetic_genre_songs(0, seconds=1.0, sample_rate=RATE)
    assert empty.waveforms.shape == (0, 8000) and empty.song_ids == ()
    wide = synthetic_genre_songs(1, seconds=0.25, sample_rate=22050, seed=1)
    assert wide.waveforms.shape == (10, 5512) and np.abs(wide.waveforms).max() <= 0.99


@pytest.mark.parametrize("arguments, field", [
    ((-1, 1.0, RATE), "songs_per_genre"), ((1.5, 1.0, RATE), "songs_per_genre"),
    ((1, 0.0, RATE), "seconds"), ((1, float("nan"), RATE), "seconds"),
    ((1, float("inf"), RATE), "seconds"), ((1, "6", RATE), "seconds"),
    ((1, 1.0, 2000), "sample_rate"), ((1, 1.0, 8000.0), "sample_rate"),
])
def test_bad_arguments_are_refused_by_name(arguments, field):
    with pytest.raises(UsageError, match=f"^{field}: expected"):
        synthetic_genre_songs(*arguments)
