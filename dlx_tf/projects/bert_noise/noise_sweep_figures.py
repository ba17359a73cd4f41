"""Charts of a label-noise sweep: accuracy per epoch per noise rate, and test accuracy
against the noise rate per method."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def plot_noise_curves(histories, rates, methods, title, validation_labels="noisy"):
    """One row per method, columns train / validation / test accuracy against the epoch,
    one colour per noise rate. Train and (noisy) validation draw accuracy against the
    labels the model saw (solid) and against the clean labels (dashed): a solid line
    climbing away from its dashed twin is memorisation of wrong labels.

    Args:
        histories: per rate, a run history (list of per-epoch dicts) with
            `<method>_accuracy`, `<method>_clean_accuracy`, their `val_` and `test_` twins.
        rates: the noise rate of each history.
        methods: the method prefixes (`ce`, `gce`, ...), one row each.
        validation_labels: "noisy" or "clean", for the validation panel's title.
    """
    columns = (("train", "", True), (f"validation ({validation_labels} labels)", "val_",
                                     validation_labels == "noisy"), ("test (clean labels)",
                                                                     "test_", False))
    figure, axes = plt.subplots(len(methods), 3, figsize=(13, 3.3 * len(methods)),
                                squeeze=False, sharey=True)
    colours = plt.get_cmap("viridis")([i / max(1, len(rates) - 1) * 0.85
                                       for i in range(len(rates))])
    for row, method in zip(axes, methods):
        for axis, (name, prefix, with_clean) in zip(row, columns):
            for history, rate, colour in zip(histories, rates, colours):
                epochs = [entry["epoch"] for entry in history]
                seen = [entry[f"{prefix}{method}_accuracy"] for entry in history]
                axis.plot(epochs, seen, color=colour, marker="o", markersize=3,
                          label=f"noise {rate:.0%}")
                if with_clean and rate > 0:
                    clean = [entry[f"{prefix}{method}_clean_accuracy"] for entry in history]
                    axis.plot(epochs, clean, color=colour, linestyle="--")
            axis.set_title(f"{method}: {name}")
            axis.set_xlabel("epoch")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.grid(alpha=0.3)
        row[0].set_ylabel("accuracy (solid: labels seen,\ndashed: clean labels)")
        row[-1].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_accuracy_vs_noise(rates, accuracies, title):
    """Test accuracy against the noise rate, one line per method (`{method: [acc per rate]}`)."""
    figure, axis = plt.subplots(figsize=(6, 4))
    for method, values in accuracies.items():
        axis.plot([100 * rate for rate in rates], values, marker="o", label=method)
    axis.set_xlabel("noise rate (% of training labels flipped)")
    axis.set_ylabel("clean test accuracy")
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure
