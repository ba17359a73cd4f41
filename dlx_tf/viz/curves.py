"""Training curves: one panel per metric (its validation and test twins beside it), or
panels grouped in titled sections."""

import dataclasses
import math
import os
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

_NOT_METRICS = {"epoch", "epoch_seconds", "train_seconds", "learning_rate"}
_SPLITS = (("", "train"), ("val_", "validation"), ("test_", "test"))
_ACRONYMS = {"acai", "ce", "dcgan", "fcn", "gce", "iou", "kid", "l1", "mfu", "mse", "psnr", "sce",
             "ssim"}
_COLUMNS = 4
_PANEL_INCHES = (4.0, 3.0)
_TITLE_CHARS = 40  # a 10-point panel title wraps before it outgrows its 4-inch panel


@dataclasses.dataclass(frozen=True)
class Panel:
    """One panel of curves: `series` maps history keys to legend labels (keys the
    history lacks are left out); `reference` is a horizontal `(value, label)` line."""

    title: str
    series: dict
    reference: tuple | None = None


def plot_history(history, title, metrics=None, references=None, sections=None):
    """Draws the metrics of `history` (a list of per-epoch dicts) against the epoch.

    By default every metric gets a panel titled in words (`val_loss` → "Loss"), with
    `<name>` labelled train, `val_<name>` validation and `test_<name>` test. Returns the
    figure.

    Args:
        metrics: the default panels to draw, by name (default: every metric).
        references: `{name: (value, label)}` horizontal lines on the default panels, such
            as a loss floor.
        sections: `[(section title, [Panel, ...]), ...]` in place of the default panels;
            metrics no panel shows follow under "Other metrics", so none goes missing.
    """
    keys = list(dict.fromkeys(key for entry in history for key in entry))
    if sections is None:
        sections = [("", default_panels(keys, metrics, references))]
    else:
        shown = {key for _, panels in sections for panel in panels for key in panel.series}
        other = default_panels([key for key in keys if key not in shown])
        sections = [*sections, *([("Other metrics", other)] if other else [])]
    sections = [(name, [panel for panel in panels if set(panel.series) & set(keys)])
                for name, panels in sections]
    sections = [(name, panels) for name, panels in sections if panels]
    return _draw_sections(history, title, sections)


def default_panels(keys, metrics=None, references=None):
    """A panel per metric among history `keys`, with its validation and test twins."""
    names = [_base_name(key) for key in keys if key not in _NOT_METRICS]
    references = references or {}
    return [Panel(metric_title(name), {f"{prefix}{name}": label for prefix, label in _SPLITS
                                       if f"{prefix}{name}" in keys}, references.get(name))
            for name in dict.fromkeys(names) if metrics is None or name in metrics]


def metric_title(name):
    """A metric's key in words: `acai_reconstruction_loss` → "ACAI reconstruction loss"."""
    words = [word.upper() if word in _ACRONYMS else word for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _base_name(key):
    for prefix, _ in _SPLITS[1:]:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def _draw_sections(history, title, sections):
    columns = max(1, min(_COLUMNS, max((len(panels) for _, panels in sections), default=1)))
    rows = [math.ceil(len(panels) / columns) for _, panels in sections]
    headings = sum(1 for name, _ in sections if name)
    width, height = _PANEL_INCHES
    figure = plt.figure(figsize=(max(width * columns, 6), height * sum(rows or [1])
                                 + 0.4 * headings + 0.6), layout="constrained")
    figure.suptitle(title, fontsize=14)
    if not sections:
        return figure
    parts = figure.subfigures(len(sections), 1, height_ratios=rows, squeeze=False).ravel()
    for part, (name, panels), count in zip(parts, sections, rows):
        if name:
            part.suptitle(name, fontsize=12, fontweight="bold")
        axes = part.subplots(count, columns, squeeze=False).ravel()
        for axis in axes[len(panels):]:
            axis.axis("off")
        for axis, panel in zip(axes, panels):
            _draw_panel(axis, history, panel)
    return figure


def _draw_panel(axis, history, panel):
    for key, label in panel.series.items():
        points = [(entry["epoch"], entry[key]) for entry in history if key in entry]
        if points:
            axis.plot(*zip(*points), marker="o", markersize=4, label=label)
    if panel.reference is not None:
        value, label = panel.reference
        axis.axhline(value, color="black", linestyle="--", label=label)
    axis.set_title(textwrap.fill(panel.title, _TITLE_CHARS), fontsize=10)
    axis.set_xlabel("epoch")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)


def save_figure(figure, path):
    """Writes `figure` as a PNG atomically, so a viewer refreshing the file never reads
    half of one, and closes it; with `path` None it only closes it."""
    if path is None:
        plt.close(figure)
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temporary = f"{path}.tmp.png"
    figure.savefig(temporary, dpi=100)
    plt.close(figure)
    os.replace(temporary, path)
