import matplotlib.image
import pytest

from dlx_tf.viz.noise_sweep import plot_accuracy_vs_noise, plot_noise_curves

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


def _check_png(path):
    assert path.stat().st_size > 1000
    height, width, channels = matplotlib.image.imread(str(path)).shape
    assert height > 100 and width > 100 and channels in (3, 4)
    return height, width


@pytest.mark.parametrize("validation_labels", ["noisy", "clean"])
def test_noise_curves_are_written_one_row_per_method(tmp_path, validation_labels):
    histories = [_history({"ce": 0.0, "gce": 0.05}, rate) for rate in RATES]
    path = tmp_path / "plots" / "noise_curves.png"  # the folder does not exist yet
    plot_noise_curves(histories, RATES, METHODS, str(path), "two methods, three rates",
                      validation_labels=validation_labels)
    height, width = _check_png(path)
    assert width > height  # 3 columns, 2 rows


def test_accuracy_vs_noise_is_written(tmp_path):
    path = tmp_path / "test_accuracy_vs_noise.png"
    plot_accuracy_vs_noise(RATES, {"ce": [0.9, 0.7, 0.5], "gce": [0.9, 0.85, 0.8]}, str(path),
                           "clean test accuracy")
    _check_png(path)
