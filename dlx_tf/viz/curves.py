"""Training curves, one panel per metric with its validation twin."""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

_NOT_METRICS = {"epoch", "epoch_seconds", "train_seconds", "learning_rate"}


def plot_history(history, title, metrics=None, references=None):
    """Draws every metric in `history` (a list of per-epoch dicts) against the epoch.

    `val_<name>` is drawn in the same panel as `<name>`. Returns the figure.

    Args:
        metrics: the panels to draw (default: every metric).
        references: `{metric: (value, label)}` horizontal lines, such as a loss floor.
    """
    names = [k for k in history[0] if k not in _NOT_METRICS and not k.startswith("val_")]
    names += [k[4:] for k in history[0] if k.startswith("val_") and k[4:] not in names]
    names = [name for name in names if metrics is None or name in metrics]
    references = references or {}
    epochs = [entry["epoch"] for entry in history]
    columns = min(4, len(names))
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(max(4 * columns, 6), 3.2 * rows),
                                squeeze=False)
    for axis in axes.ravel()[len(names):]:
        axis.axis("off")
    for axis, name in zip(axes.ravel(), names):
        own = "test" if name.startswith("test_") else "train"
        for key, label in ((name, own), (f"val_{name}", "validation")):
            if key in history[0]:
                axis.plot(epochs, [entry[key] for entry in history], marker="o", label=label)
        if name in references:
            value, label = references[name]
            axis.axhline(value, color="black", linestyle="--", label=label)
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure


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
