import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.data.genre_clips import GenreClips, SongSplit
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.projects.audio_net.audio_augment import AudioAugmentation
from dlx_tf.projects.audio_net.genre_segments import PCM_SCALE, GenreSegments

SEGMENT = 512  # 3 frames of 256 with hop 128


def _split(lengths, labels, seed):
    rng = np.random.default_rng(seed)
    waveforms = tuple(rng.integers(-20000, 20000, n).astype(np.int16) for n in lengths)
    ids = tuple(f"song.{seed}{i:04d}" for i in range(len(lengths)))
    return SongSplit(waveforms, np.array(labels, np.int32), ids)


@pytest.fixture(scope="module")
def segments():
    # Train: genre 0 has songs 0 and 2 (3 and 1 segments), genre 1 song 1 (2 segments).
    clips = GenreClips(train=_split([3 * SEGMENT + 100, 2 * SEGMENT, SEGMENT], [0, 1, 0], 1),
                       validation=_split([SEGMENT], [1], 2), test=_split([], [], 3),
                       genres=("a", "b"), sample_rate=8000, info={})
    frontend = LogMelSpectrogram(sample_rate=8000, frame_length=256, frame_step=128,
                                 num_mel_bins=8)
    return GenreSegments(clips, SEGMENT, frontend)


def test_waveforms_are_pcm_scaled_segments_in_song_order(segments):
    examples = list(segments.waveform_dataset(segments.clips.train).as_numpy_iterator())
    assert [label for _, label in examples] == [0, 0, 0, 1, 1, 0]
    first_song = segments.clips.train.waveforms[0]
    np.testing.assert_array_equal(examples[1][0], first_song[SEGMENT:2 * SEGMENT] / PCM_SCALE)
    assert segments.spectrogram_shape == (3, 8)


def test_spectrograms_are_the_frontend_of_each_segment(segments):
    waveforms = [w for w, _ in segments.waveform_dataset(segments.clips.train)]
    spectrograms = [s for s, _ in segments.spectrogram_dataset(segments.clips.train)]
    np.testing.assert_allclose(spectrograms[4], segments.frontend(waveforms[4]), atol=1e-5)
    assert segments.spectrogram_dataset(segments.clips.train).cardinality() == 6
    assert segments.spectrogram_dataset(segments.clips.test) is None


def test_augment_without_augmentations_is_the_frontend_and_is_seeded(segments):
    waveform, label = next(iter(segments.waveform_dataset(segments.clips.train)))
    seed = tf.constant([3, 4], tf.int64)
    plain, plain_label = segments.augment((waveform, label), seed, AudioAugmentation(), -5.0)
    np.testing.assert_allclose(plain, segments.frontend(waveform), atol=1e-6)
    assert plain_label == label
    masks = AudioAugmentation(gain_db=6.0, freq_masks=2, freq_width=3)
    once, _ = segments.augment((waveform, label), seed, masks, -5.0)
    again, _ = segments.augment((waveform, label), seed, masks, -5.0)
    other, _ = segments.augment((waveform, label), tf.constant([3, 5], tf.int64), masks, -5.0)
    np.testing.assert_array_equal(once, again)
    assert not np.array_equal(once, other)


def test_training_statistics_are_over_the_training_spectrograms(segments):
    spectrograms = np.stack([s for s, _ in segments.spectrogram_dataset(segments.clips.train)])
    mean, std = segments.training_statistics()
    assert mean == pytest.approx(spectrograms.mean(), rel=1e-5)
    assert std == pytest.approx(spectrograms.std(), rel=1e-4)


def test_one_segment_per_song_takes_genres_in_turn_and_the_middle_segment(segments):
    spectrograms, labels, song_ids = segments.one_segment_per_song(segments.clips.train, 3)
    assert song_ids == ["song.10000", "song.10001", "song.10002"]
    np.testing.assert_array_equal(labels, [0, 1, 0])
    all_spectrograms = [s for s, _ in segments.spectrogram_dataset(segments.clips.train)]
    for got, index in zip(spectrograms, [1, 4, 5]):  # middles of 3, 2 and 1 segments
        np.testing.assert_allclose(got, all_spectrograms[index], atol=1e-5)


def test_predict_gives_softmax_per_segment_with_its_song(segments):
    def classifier(spectrograms, training):
        return tf.reduce_mean(spectrograms, axis=1)[:, :2]  # [n, 2] "logits"

    probabilities, song_index = segments.predict(classifier, segments.clips.train, batch_size=4)
    assert probabilities.shape == (6, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(song_index, [0, 0, 0, 1, 1, 2])


def test_warmup_waveforms_start_the_songs_long_enough(segments):
    waveforms = segments.warmup_waveforms(segments.clips.train, 3, segments_per_clip=2)
    assert waveforms.shape == (2, 2 * SEGMENT) and waveforms.dtype == np.float32
    np.testing.assert_array_equal(waveforms[1],
                                  segments.clips.train.waveforms[1][:2 * SEGMENT] / PCM_SCALE)
