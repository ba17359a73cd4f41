import numpy as np
import pytest

from dlx_tf.projects.bert_noise.noise_sweep_figures import plot_accuracy_vs_noise, plot_noise_curves

METHODS = ("ce", "gce")
RATES = (0.0, 0.2, 0.4)


def _history(method_offsets, rate, epochs=3):
    history = []
    for epoch in range(1, epochs + 1):
        entry = {"epoch": epoch, "loss": 1.0 / epoch}
        for method, offset in method_offsets.items():
            seen = 0.3 + 0.1 * epoch + offset - rate / 2
            for prefix in ("", "val_", "test_"):
                entry[f"{prefix}{method}_accuracy"] = seen
                entry[f"{prefix}{method}_clean_accuracy"] = seen + rate / 4
        history.append(entry)
    return history


@pytest.mark.parametrize("validation_labels", ["noisy", "clean"])
def test_noise_curves_draw_one_row_per_method_and_clean_twins_where_labels_are_noisy(
        validation_labels):
    histories = [_history({"ce": 0.0, "gce": 0.05}, rate) for rate in RATES]
    figure = plot_noise_curves(histories, RATES, METHODS, "two methods, three rates",
                               validation_labels=validation_labels)
    axes = figure.axes
    assert len(axes) == 6  # 2 methods × (train, validation, test)
    assert [axis.get_title() for axis in axes[:3]] == [
        "ce: train", f"ce: validation ({validation_labels} labels)", "ce: test (clean labels)"]
    # One solid line per rate; a dashed clean twin for each noisy rate where labels are noisy.
    noisy_rates = sum(rate > 0 for rate in RATES)
    validation_twins = noisy_rates if validation_labels == "noisy" else 0
    assert [len(axis.lines) for axis in axes[:3]] == [3 + noisy_rates, 3 + validation_twins, 3]
    np.testing.assert_allclose(axes[2].lines[0].get_ydata(),
                               [entry["test_ce_accuracy"] for entry in histories[0]])


def test_accuracy_vs_noise_draws_one_line_per_method_in_percent():
    figure = plot_accuracy_vs_noise(RATES, {"ce": [0.9, 0.7, 0.5], "gce": [0.9, 0.85, 0.8]},
                                    "clean test accuracy")
    (axis,) = figure.axes
    assert [line.get_label() for line in axis.lines] == ["ce", "gce"]
    np.testing.assert_allclose(axis.lines[1].get_xdata(), [0, 20, 40])
    np.testing.assert_allclose(axis.lines[1].get_ydata(), [0.9, 0.85, 0.8])
