"""Grids of images with captions."""

import math
import textwrap

import numpy as np

from dlx_tf.viz.curves import plt

_PANEL_INCHES = 1.4
_MIN_WIDTH_INCHES = 4.0
_CAPTION_POINTS = 8
_TITLE_POINTS = 12


def plot_image_grid(images, captions, title, columns=8):
    """Draws `images` (`[n, h, w]` or `[n, h, w, c]`, uint8 or floats in [0, 1]) in a grid.

    Panels widen to their longest caption and the title wraps to the figure, so no text
    is cut off or runs into its neighbours."""
    images = np.asarray(images)
    rows = math.ceil(len(images) / columns)
    captions = [str(caption) for caption in captions]
    panel = max(_PANEL_INCHES, max(map(_text_inches, captions), default=0) + 0.1)
    caption_lines = max((caption.count("\n") + 1 for caption in captions if caption), default=0)
    width = max(panel * columns, _MIN_WIDTH_INCHES)
    title = _wrap(title, width)
    figure = plt.figure(figsize=(width, rows * (panel + 0.15 * caption_lines)
                                 + _title_inches(title)), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for axis in axes:
        axis.axis("off")
    for axis, image, caption in zip(axes, images, captions):
        _show(axis, image)
        axis.set_title(caption, fontsize=_CAPTION_POINTS)
    figure.suptitle(title, fontsize=_TITLE_POINTS)
    return figure


def plot_image_rows(rows, title):
    """One titled row of images per entry of `rows` (`{row title: images}`, images as
    `plot_image_grid` takes them), such as one interpolation strip per method."""
    columns = max(len(images) for images in rows.values())
    width = max(_PANEL_INCHES * columns, _MIN_WIDTH_INCHES)
    title = _wrap(title, width)
    figure = plt.figure(figsize=(width, len(rows) * (_PANEL_INCHES + 0.3)
                                 + _title_inches(title)), layout="constrained")
    figure.suptitle(title, fontsize=_TITLE_POINTS)
    parts = figure.subfigures(len(rows), 1, squeeze=False).ravel()
    for part, (name, images) in zip(parts, rows.items()):
        part.suptitle(name, fontsize=10, x=0.01, ha="left")
        axes = part.subplots(1, columns, squeeze=False).ravel()
        for axis in axes:
            axis.axis("off")
        for axis, image in zip(axes, np.asarray(images)):
            _show(axis, image)
    return figure


def tile_images(images, columns):
    """`[n, h, w, c]` images as one `[rows·h, columns·w, c]` image, row by row (a short
    last row is padded with black), for a TensorBoard image that shows a whole grid."""
    images = np.asarray(images)
    rows = math.ceil(len(images) / columns)
    padded = np.zeros((rows * columns, *images.shape[1:]), images.dtype)
    padded[:len(images)] = images
    height, width, channels = images.shape[1:]
    grid = padded.reshape(rows, columns, height, width, channels).transpose(0, 2, 1, 3, 4)
    return grid.reshape(rows * height, columns * width, channels)


def _show(axis, image):
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    axis.imshow(image, cmap="gray" if image.ndim == 2 else None)


def _text_inches(text, points=_CAPTION_POINTS):
    """About how wide `text` is drawn (0.6 em a character errs on the wide side)."""
    return max(map(len, text.split("\n"))) * points * 0.6 / 72


def _wrap(title, width_inches):
    chars = int(width_inches * 72 / (_TITLE_POINTS * 0.6))
    return "\n".join(textwrap.fill(line, chars) for line in title.split("\n"))


def _title_inches(title):
    return 0.25 * (title.count("\n") + 1) + 0.2


TRANSLATION_COLUMNS = ("real A", "A → B", "A → B → A", "real B", "B → A", "B → A → B")


def plot_translation_grid(panels, title):
    """Six columns (real, translated, reconstructed for each direction), one row per example.

    `panels` holds six `(rows, h, w, c)` arrays in [-1, 1], in `TRANSLATION_COLUMNS` order.
    """
    rows = len(panels[0])
    images = [np.clip((panels[c][r] + 1) / 2, 0, 1) for r in range(rows) for c in range(6)]
    captions = [TRANSLATION_COLUMNS[c] if r == 0 else "" for r in range(rows) for c in range(6)]
    return plot_image_grid(images, captions, title, columns=6)
