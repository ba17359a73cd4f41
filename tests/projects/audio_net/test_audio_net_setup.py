"""What the Audio-Net experiment assembles from its config and measures per song: the
checks, the augmentations, the segments and the song-level results."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.data.genre_clips import GenreClips, SongSplit
from dlx_tf.errors import UsageError
from dlx_tf.projects.audio_net import audio_net_setup
from dlx_tf.projects.audio_net.audio_augment import AudioAugmentation
from dlx_tf.projects.audio_net.genre_segments import PCM_SCALE, GenreSegments
from experiments.audio_net import PROFILES

SMOKE = PROFILES["smoke"]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_profiles_pass_the_checks(profile):
    audio_net_setup.check_config(PROFILES[profile])


@pytest.mark.parametrize("changes, message", [
    ({"preset": "", "freeze_epochs": 2},
     "freeze_epochs: a frozen phase needs pretrained weights; set preset or freeze_epochs=0"),
    ({"preset": "resnet_18_imagenet", "width": 32},
     "width: ImageNet presets have width 64, got 32"),
])
def test_settings_that_cannot_go_together_are_one_line_errors(changes, message):
    with pytest.raises(UsageError) as error:
        audio_net_setup.check_config(dataclasses.replace(SMOKE, **changes))
    assert str(error.value) == message


def test_the_augmentation_carries_the_configs_settings():
    config = dataclasses.replace(SMOKE, gain_db=3.5, shift_fraction=0.25, freq_masks=2,
                                 freq_width=5, time_masks=3, time_width=7)
    assert audio_net_setup.make_augmentation(config) == AudioAugmentation(
        gain_db=3.5, shift_fraction=0.25, freq_masks=2, freq_width=5, time_masks=3,
        time_width=7)


def test_load_segments_cuts_the_songs_with_the_configs_front_end():
    config = dataclasses.replace(SMOKE, sample_rate=4000, segment_seconds=0.25, frame_length=64,
                                 frame_step=50, mel_bins=6, synthetic_songs_per_genre=3,
                                 synthetic_seconds=0.65, validation_fraction=0.0,
                                 test_fraction=0.34)
    clips, segments = audio_net_setup.load_segments(config)
    assert segments.segment_samples == 1000
    assert segments.spectrogram_shape == (1 + (1000 - 64) // 50, 6)
    assert clips.sample_rate == 4000 and clips.info["synthetic"]
    assert len(clips.test) == len(clips.genres) and len(clips.validation) == 0
    _, labels, song_index = segments.arrays(clips.train)
    np.testing.assert_array_equal(np.bincount(song_index), 2)  # 0.65 s: two 0.25 s segments
    np.testing.assert_array_equal(labels, np.repeat(clips.train.labels, 2))


# Hand-made songs: segments of 8 samples whose first sample says which genre a stand-in
# classifier predicts for that segment.
SEGMENT = 8


def _song(predictions):
    pcm = np.zeros((len(predictions), SEGMENT), np.int16)
    pcm[:, 0] = 1000 * np.asarray(predictions)
    return np.concatenate([pcm.ravel(), np.zeros(3, np.int16)])  # and a dropped remainder


def _split(songs):
    """`songs`: `[(label, segment predictions)]`."""
    return SongSplit(tuple(_song(predictions) for _, predictions in songs),
                     np.array([label for label, _ in songs], np.int32),
                     tuple(f"song.{i:05d}" for i in range(len(songs))))


def _classifier(spectrograms, training):
    assert not training
    predicted = np.round(np.asarray(spectrograms)[:, 0, 0] * PCM_SCALE / 1000).astype(int)
    return tf.constant(np.eye(3, dtype="float32")[predicted] * 5)  # logits


def _results(validation, test):
    clips = GenreClips(train=_split([(0, [0])]), validation=_split(validation),
                       test=_split(test), genres=("blues", "jazz", "rock"), sample_rate=100,
                       info={})

    def frontend(waveforms):  # [batch, 8] → [batch, 2, 4] "spectrograms"
        return tf.reshape(tf.convert_to_tensor(waveforms, tf.float32), [-1, 2, 4])

    segments = GenreSegments(clips, SEGMENT, frontend)
    return audio_net_setup.song_results(_classifier, segments, clips)


def test_a_songs_prediction_is_the_peak_of_its_segments_mean_probabilities():
    results = _results(
        validation=[(1, [1]), (0, [2, 0, 0])],
        test=[(0, [0, 0, 1]), (1, [2]), (2, [2, 2, 1]), (0, [1, 1, 0])])
    assert results["val_song_accuracy"] == 1.0
    assert results["test_song_accuracy"] == 0.5
    assert results["test_song_confusion_matrix"] == [[1, 1, 0], [0, 0, 1], [0, 0, 1]]


def test_empty_splits_give_no_results():
    assert _results(validation=[], test=[(2, [2])]) == {
        "test_song_accuracy": 1.0, "test_song_confusion_matrix": [[0, 0, 0], [0, 0, 0],
                                                                  [0, 0, 1]]}
    assert _results(validation=[(1, [0, 0])], test=[]) == {"val_song_accuracy": 0.0}
