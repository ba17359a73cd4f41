"""Song-level predictions from segment-level ones: a song's probabilities are the mean of its
segments' (the rule the audio classifier's SavedModel applies to a long waveform)."""

import numpy as np


def song_probabilities(segment_probabilities, song_index, num_songs):
    """Mean segment probabilities per song, float `[num_songs, classes]`.

    Args:
        segment_probabilities: `[segments, classes]`.
        song_index: int `[segments]`, the song of each segment, in `[0, num_songs)`.
    """
    segment_probabilities = np.asarray(segment_probabilities, np.float64)
    song_index = np.asarray(song_index)
    counts = np.bincount(song_index, minlength=num_songs)
    if len(counts) > num_songs or np.any(counts == 0):
        raise ValueError(f"every song in [0, {num_songs}) needs segments; counts {counts}")
    sums = np.zeros((num_songs, segment_probabilities.shape[1]))
    np.add.at(sums, song_index, segment_probabilities)
    return sums / counts[:, None]


def song_accuracy(segment_probabilities, song_index, song_labels):
    """The fraction of songs whose mean segment probabilities peak at their label."""
    song_labels = np.asarray(song_labels)
    probabilities = song_probabilities(segment_probabilities, song_index, len(song_labels))
    return float(np.mean(np.argmax(probabilities, axis=-1) == song_labels))
