"""The segment pipelines of a genre classifier: waveform segments of the songs of a
`GenreClips` split, their log-mel spectrograms, augmentation and batched prediction.

Training examples stay waveforms until `augment` (gain and time shift act on the waveform,
SpecAugment on the spectrogram), so the spectrogram is computed by the same `frontend`
layer in training, evaluation and the exported SavedModel.
"""

import numpy as np
import tensorflow as tf

from dlx_tf.projects.audio_net.audio_augment import augment_spectrogram, augment_waveform

PCM_SCALE = 32768.0  # int16 PCM → [-1, 1)


class GenreSegments:
    """Datasets and arrays of fixed-length segments of `clips`' songs.

    Args:
        clips: a `GenreClips`.
        segment_samples: the segment length in samples.
        frontend: waveforms `[batch, samples]` (or one `[samples]`) → spectrograms
            `[batch, frames, bins]`, e.g. `LogMelSpectrogram`.
    """

    def __init__(self, clips, segment_samples, frontend):
        self.clips = clips
        self.segment_samples = segment_samples
        self.frontend = frontend
        self._arrays = {}
        self.spectrogram_shape = tuple(frontend(tf.zeros([1, segment_samples])).shape[1:])

    def arrays(self, split):
        """`(segments int16 [n, samples], labels int32 [n], song_index int32 [n])`, cached."""
        if id(split) not in self._arrays:
            self._arrays[id(split)] = split.segments(self.segment_samples)
        return self._arrays[id(split)]

    def waveform_dataset(self, split):
        """Unbatched `(waveform float32 [samples], label)`; None for an empty split."""
        segments, labels, _ = self.arrays(split)
        if not len(labels):
            return None
        dataset = tf.data.Dataset.from_tensor_slices((segments, labels))
        return dataset.map(lambda pcm, label: (tf.cast(pcm, tf.float32) / PCM_SCALE, label),
                           num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    def spectrogram_dataset(self, split):
        """Unbatched `(spectrogram [frames, bins], label)`, computed once and cached."""
        waveforms = self.waveform_dataset(split)
        if waveforms is None:
            return None
        spectrograms = waveforms.batch(64).map(
            lambda waveform, label: (self.frontend(waveform), label),
            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).unbatch().cache()
        # `unbatch` loses the length; without it Keras warns that validation "ran out of data".
        count = len(self.arrays(split)[1])
        return spectrograms.apply(tf.data.experimental.assert_cardinality(count))

    def augment(self, example, seed, augmentation, mask_value):
        """One training example `(waveform, label)` → `(augmented spectrogram, label)`."""
        return augment_segment(example, seed, self.frontend, augmentation, mask_value)

    def training_statistics(self, max_segments=2048):
        """Mean and standard deviation (floats) of the un-augmented training spectrograms,
        from an evenly spaced sample of at most `max_segments` segments."""
        segments, _, _ = self.arrays(self.clips.train)
        chosen = np.linspace(0, len(segments) - 1, min(len(segments), max_segments)).astype(int)
        spectrograms = np.concatenate([
            self.frontend(segments[chosen[start:start + 256]].astype(np.float32) / PCM_SCALE)
            for start in range(0, len(chosen), 256)])
        return float(spectrograms.mean()), float(spectrograms.std())

    def example_spectrograms(self, count):
        segments, _, _ = self.arrays(self.clips.train)
        return self.frontend(segments[:count].astype(np.float32) / PCM_SCALE)

    def augmented_examples(self, count, augmentation, mask_value, seed):
        """The middle segments of `count` training songs, genres in turn, as `augment` gives
        them (seeded by `seed` and their position): `(spectrograms, labels)` arrays."""
        segments, labels, _ = self.arrays(self.clips.train)
        chosen, _ = self._spread(self.clips.train, count)
        waveforms = segments[chosen].astype(np.float32) / PCM_SCALE
        examples = [self.augment((waveforms[i], labels[index]), tf.constant([seed, i], tf.int64),
                                 augmentation, mask_value)
                    for i, index in enumerate(chosen)]
        return np.stack([spectrogram for spectrogram, _ in examples]), labels[chosen]

    def one_segment_per_song(self, split, count):
        """The middle segment of up to `count` songs, genres in turn:
        `(spectrograms, labels, song_ids)`."""
        waveforms, labels, song_ids = self.one_waveform_per_song(split, count)
        return np.asarray(self.frontend(waveforms)), labels, song_ids

    def one_waveform_per_song(self, split, count):
        """The middle segment of up to `count` songs, genres in turn, as float32 waveforms
        in [-1, 1]: `(waveforms [n, samples], labels, song_ids)`."""
        segments, labels, _ = self.arrays(split)
        chosen, songs = self._spread(split, count)
        return (segments[chosen].astype(np.float32) / PCM_SCALE, labels[chosen],
                [split.song_ids[s] for s in songs])

    def _spread(self, split, count):
        """Segment indices (each song's middle segment) and song indices of up to `count`
        songs of `split`, taking genres in turn."""
        _, _, song_index = self.arrays(split)
        by_genre = [np.flatnonzero(split.labels == genre) for genre in np.unique(split.labels)]
        songs = [songs[turn] for turn in range(max(map(len, by_genre)))
                 for songs in by_genre if turn < len(songs)][:count]
        middles = []
        for song in songs:
            own = np.flatnonzero(song_index == song)
            middles.append(own[len(own) // 2])
        return np.array(middles), songs

    def predict(self, classifier, split, batch_size=64):
        """Softmax probabilities of every segment of `split` and each segment's song index;
        `classifier` is called directly: a multi-worker `predict` would split the songs
        between the workers."""
        segments, _, song_index = self.arrays(split)
        batches = [
            tf.nn.softmax(tf.cast(classifier(
                self.frontend(segments[start:start + batch_size].astype(np.float32) / PCM_SCALE),
                training=False), tf.float32)).numpy()
            for start in range(0, len(segments), batch_size)]
        return np.concatenate(batches), song_index

    def warmup_waveforms(self, split, count, segments_per_clip):
        """float32 `[≤ count, segments_per_clip * segment_samples]`: the start of each of the
        first `count` songs of `split` that are long enough, an input for the exported model."""
        length = segments_per_clip * self.segment_samples
        clips = [waveform[:length] for waveform in split.waveforms[:count]
                 if len(waveform) >= length]
        return np.stack(clips).astype(np.float32) / PCM_SCALE


def augment_segment(example, seed, frontend, augmentation, mask_value):
    """`(waveform, label)` → `(spectrogram, label)`: waveform augmentations, `frontend`, then
    SpecAugment, from one `[2]` seed."""
    waveform, label = example
    waveform_seed, spectrogram_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    waveform = augment_waveform(waveform, waveform_seed, augmentation)
    spectrogram = augment_spectrogram(frontend(waveform), spectrogram_seed, augmentation,
                                      mask_value)
    return spectrogram, label
