"""Grids of images with captions."""

import math

import numpy as np

from dlx_tf.viz.curves import plt


def plot_image_grid(images, captions, title, columns=8):
    """Draws `images` (`[n, h, w]` or `[n, h, w, c]`, uint8 or floats in [0, 1]) in a grid."""
    images = np.asarray(images)
    rows = math.ceil(len(images) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.6 * rows + 0.4),
                                squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, image, caption in zip(axes.ravel(), images, captions):
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        axis.imshow(image, cmap="gray" if image.ndim == 2 else None)
        axis.set_title(str(caption), fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


TRANSLATION_COLUMNS = ("real A", "A → B", "A → B → A", "real B", "B → A", "B → A → B")


def plot_translation_grid(panels, title):
    """Six columns (real, translated, reconstructed for each direction), one row per example.

    `panels` holds six `(rows, h, w, c)` arrays in [-1, 1], in `TRANSLATION_COLUMNS` order.
    """
    rows = len(panels[0])
    images = [np.clip((panels[c][r] + 1) / 2, 0, 1) for r in range(rows) for c in range(6)]
    captions = [TRANSLATION_COLUMNS[c] if r == 0 else "" for r in range(rows) for c in range(6)]
    return plot_image_grid(images, captions, title, columns=6)
