"""The Audio-Net figures: augmented inputs, test predictions in green and red, and the
songs' confusion matrix, saved through the run."""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlx_tf.projects.audio_net import audio_net_setup
from dlx_tf.projects.audio_net.audio_net_figures import save_audio_net_figures
from experiments.audio_net import PROFILES


class _RecordingRun:
    def __init__(self, metrics):
        self.metrics = metrics
        self.figures = {}

    def label(self, text):
        return f"{text} (synthetic data)"

    def save_figure(self, name, figure, artifact=True):
        self.figures[name] = figure


@pytest.fixture(scope="module")
def small():
    config = dataclasses.replace(PROFILES["smoke"], sample_rate=4000, segment_seconds=0.25,
                                 frame_length=64, frame_step=50, mel_bins=6,
                                 synthetic_songs_per_genre=3, synthetic_seconds=0.65,
                                 validation_fraction=0.0, test_fraction=0.34)
    clips, segments = audio_net_setup.load_segments(config)
    yield config, clips, segments
    plt.close("all")


def _first_genre(spectrograms, training):
    """A stand-in classifier that always answers the first genre."""
    logits = np.zeros((len(spectrograms), 10), "float32")
    logits[:, 0] = 1.0
    return logits


def test_the_three_figures_are_saved_with_their_captions(small):
    config, clips, segments = small
    matrix = np.zeros((10, 10), int)
    matrix[:, 0] = 1
    run = _RecordingRun({"test_song_confusion_matrix": matrix.tolist()})
    save_audio_net_figures(run, _first_genre, segments, clips,
                           audio_net_setup.make_augmentation(config), 0.0, 0, 0.25)
    assert sorted(run.figures) == ["augmented_inputs", "confusion_matrix", "test_predictions"]
    predictions = run.figures["test_predictions"]
    assert predictions.get_suptitle() == "Test segments: predicted (true) (synthetic data)"
    titles = [axis.title for axis in predictions.axes if axis.get_title()]
    # Only the first genre's test song is predicted right: one green caption, the rest red.
    assert [title.get_color() for title in titles].count("tab:green") == 1
    assert all(title.get_text().split("\n")[1].startswith(f"pred {clips.genres[0]}")
               for title in titles)
    confusion = run.figures["confusion_matrix"].axes[0]
    assert sorted(text.get_text() for text in confusion.texts) == ["1"] * 10


def test_without_test_songs_only_the_inputs_are_drawn(small):
    config, clips, segments = small
    empty = dataclasses.replace(clips, test=clips.validation)
    run = _RecordingRun({})
    save_audio_net_figures(run, _first_genre, segments, empty,
                           audio_net_setup.make_augmentation(config), 0.0, 0, 0.25)
    assert list(run.figures) == ["augmented_inputs"]
