"""Figures of a classifier's results: a confusion matrix and spectrograms with their labels."""

import math

import matplotlib
import numpy as np

from dlx_tf.viz.curves import plt


def confusion_matrix(true_labels, predicted_labels, num_classes):
    """`[true, predicted]` counts, int64 `[num_classes, num_classes]`."""
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (np.asarray(true_labels), np.asarray(predicted_labels)), 1)
    return matrix


def plot_confusion_matrix(matrix, class_names, title):
    """Rows are true classes, columns predictions; each cell shows its count, coloured by
    the fraction of its row so that classes of different sizes compare."""
    matrix = np.asarray(matrix)
    fractions = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = 1.2 + 0.55 * len(class_names)
    figure, axis = plt.subplots(figsize=(size + 1.5, size))
    image = axis.imshow(fractions, cmap="Blues", vmin=0, vmax=1)
    for (row, column), count in np.ndenumerate(matrix):
        if count:
            color = "white" if fractions[row, column] > 0.6 else "black"
            axis.text(column, row, str(count), ha="center", va="center", color=color,
                      fontsize=8)
    ticks = range(len(class_names))
    axis.set_xticks(ticks, class_names, rotation=45, ha="right", fontsize=8)
    axis.set_yticks(ticks, class_names, fontsize=8)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    figure.colorbar(image, ax=axis, fraction=0.046, label="fraction of the true class")
    axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def plot_spectrogram_grid(spectrograms, captions, title, correct=None, columns=4,
                          seconds=None):
    """Log-mel spectrograms `[n, frames, mel_bins]` drawn with time across and mel bins up.

    Args:
        captions: one line or two per panel.
        correct: optional booleans; captions turn green (True) or red (False).
        seconds: the duration of one spectrogram, to label the time axis in seconds.
    """
    spectrograms = np.asarray(spectrograms)
    rows = math.ceil(len(spectrograms) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows + 0.5),
                                squeeze=False)
    extent = None if seconds is None else (0, seconds, 0, spectrograms.shape[2])
    for axis in axes.ravel()[len(spectrograms):]:
        axis.axis("off")
    for index, (axis, spectrogram, caption) in enumerate(zip(axes.ravel(), spectrograms,
                                                             captions)):
        axis.imshow(spectrogram.T, origin="lower", aspect="auto", cmap="magma", extent=extent)
        color = "black" if correct is None else ("tab:green" if correct[index] else "tab:red")
        axis.set_title(caption, fontsize=8, color=color)
        axis.tick_params(labelsize=7)
        axis.set_xlabel("seconds" if seconds is not None else "frame", fontsize=7)
        axis.set_ylabel("mel bin", fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def spectrogram_images(spectrograms):
    """Log-mel spectrograms `[n, frames, mel_bins]` as `[n, mel_bins, frames, 3]` images in
    [0, 1] for TensorBoard: low bins at the bottom, each scaled to its own range and
    coloured as `plot_spectrogram_grid` colours them."""
    spectrograms = np.asarray(spectrograms, np.float32)
    low = spectrograms.min(axis=(1, 2), keepdims=True)
    high = spectrograms.max(axis=(1, 2), keepdims=True)
    scaled = (spectrograms - low) / np.maximum(high - low, 1e-6)
    upright = scaled.transpose(0, 2, 1)[:, ::-1]  # (n, mel_bins, frames), high bins first
    return matplotlib.colormaps["magma"](upright)[..., :3].astype(np.float32)
