"""The figures of an Audio-Net run: augmented training inputs and test predictions."""

import numpy as np

from dlx_tf.viz.classification import plot_spectrogram_grid


def augmented_inputs_figure(segments, augmentation, mask_value, seed, genres, title,
                            seconds):
    spectrograms, labels = segments.augmented_examples(8, augmentation, mask_value, seed)
    return plot_spectrogram_grid(spectrograms, [genres[y] for y in labels], title,
                                 seconds=seconds)


def test_predictions_figure(classifier, segments, split, genres, title, seconds, count=12):
    """One segment of each of `count` test songs, captioned predicted (true), in green
    where right and red where wrong."""
    spectrograms, labels, song_ids = segments.one_segment_per_song(split, count)
    predicted = np.argmax(classifier(spectrograms, training=False), axis=-1)
    captions = [f"{song}\npred {genres[p]} (true {genres[t]})"
                for song, p, t in zip(song_ids, predicted, labels)]
    return plot_spectrogram_grid(spectrograms, captions, title, correct=predicted == labels,
                                 seconds=seconds)
