import matplotlib
import numpy as np

from dlx_tf.viz import classification
from dlx_tf.viz.curves import save_figure


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = classification.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_confusion_matrix_plot_writes_every_nonzero_count():
    figure = classification.plot_confusion_matrix([[3, 0], [1, 2]], ["pulse", "drone"], "t")
    texts = sorted(text.get_text() for text in figure.axes[0].texts)
    assert texts == ["1", "2", "3"]
    assert [label.get_text() for label in figure.axes[0].get_yticklabels()] == [
        "pulse", "drone"]


def test_spectrogram_grid_colours_captions_by_correctness():
    spectrograms = np.random.default_rng(0).normal(size=(3, 20, 8))
    figure = classification.plot_spectrogram_grid(spectrograms, ["a", "b", "c"], "t",
                                                  correct=[True, False, True], columns=2,
                                                  seconds=1.5)
    axes = figure.axes
    assert [axis.get_title() for axis in axes[:3]] == ["a", "b", "c"]
    assert [axis.title.get_color() for axis in axes[:3]] == ["tab:green", "tab:red",
                                                             "tab:green"]
    # Time runs across: the image is drawn transposed, mel bins up.
    assert axes[0].images[0].get_array().shape == (8, 20)
    assert not axes[3].axison


def test_spectrogram_grid_writes_a_png(tmp_path):
    path = tmp_path / "grid.png"
    save_figure(classification.plot_spectrogram_grid(np.zeros((2, 10, 4)), ["x", "y"], "t"),
                str(path))
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_spectrogram_images_stand_upright_in_the_magma_colours():
    frames, bins = 5, 3
    loud_low_bin = np.zeros((1, frames, bins), "float32")
    loud_low_bin[0, :, 0] = 40.0  # (batch, frames, mel bins), in dB
    (image,) = classification.spectrogram_images(loud_low_bin)
    assert image.shape == (bins, frames, 3) and image.dtype == np.float32
    magma = matplotlib.colormaps["magma"]
    np.testing.assert_allclose(image[-1], np.tile(magma(1.0)[:3], (frames, 1)), atol=1e-6)
    np.testing.assert_allclose(image[0], np.tile(magma(0.0)[:3], (frames, 1)), atol=1e-6)
