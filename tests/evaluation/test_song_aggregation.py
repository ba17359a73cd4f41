import numpy as np
import pytest

from dlx_tf.evaluation.song_aggregation import song_accuracy, song_probabilities

# Three songs: song 0 has segments 0 and 2, song 1 segment 3, song 2 segments 1 and 4.
SEGMENT_PROBABILITIES = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4], [0.7, 0.3]])
SONG_INDEX = np.array([0, 2, 0, 1, 2])


def test_a_songs_probabilities_are_the_mean_of_its_segments():
    songs = song_probabilities(SEGMENT_PROBABILITIES, SONG_INDEX, 3)
    np.testing.assert_allclose(songs, [[0.6, 0.4], [0.6, 0.4], [0.45, 0.55]])


def test_song_accuracy_can_differ_from_the_segment_majority():
    # Song 2's segments disagree; the mean decides for class 1 although one segment says 0.
    assert song_accuracy(SEGMENT_PROBABILITIES, SONG_INDEX, [0, 0, 1]) == 1.0
    assert song_accuracy(SEGMENT_PROBABILITIES, SONG_INDEX, [0, 1, 0]) == pytest.approx(1 / 3)


def test_a_song_without_segments_is_an_error():
    with pytest.raises(ValueError, match="needs segments"):
        song_probabilities(SEGMENT_PROBABILITIES, SONG_INDEX, 4)
