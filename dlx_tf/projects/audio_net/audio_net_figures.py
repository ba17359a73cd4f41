"""The figures of an Audio-Net run: augmented training inputs, test predictions and the
songs' confusion matrix."""

import numpy as np

from dlx_tf.viz.classification import (
    plot_confusion_matrix,
    plot_spectrogram_grid,
    spectrogram_images,
)


def save_audio_net_figures(run, classifier, segments, clips, augmentation, mask_value, seed,
                           seconds):
    """Saves augmented training inputs and, given test songs, test predictions and the
    songs' confusion matrix from `run.metrics` through `run`."""
    genres = clips.genres
    run.save_figure("augmented_inputs", augmented_inputs_figure(
        segments, augmentation, mask_value, seed, genres,
        run.label("Training inputs after augmentation"), seconds))
    if len(clips.test):
        run.save_figure("test_predictions", test_predictions_figure(
            classifier, segments, clips.test, genres,
            run.label("Test segments: predicted (true)"), seconds))
        run.save_figure("confusion_matrix", plot_confusion_matrix(
            run.metrics["test_song_confusion_matrix"], genres,
            run.label("Test songs: confusion matrix")))


def input_clips(segments, clips, count=4):
    """The middle segment of `count` training songs, genres in turn, for TensorBoard:
    `(waveforms [n, samples] in [-1, 1], their log-mel spectrograms as images, a Markdown
    list naming each clip's genre and song)`."""
    waveforms, labels, song_ids = segments.one_waveform_per_song(clips.train, count)
    description = "\n".join(f"{index}. {clips.genres[label]} ({song})"
                            for index, (label, song) in enumerate(zip(labels, song_ids), 1))
    return waveforms, spectrogram_images(segments.frontend(waveforms)), description


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
