"""The summary of a label-noise sweep from its points' records: final and early-stopped
test accuracies per rate and loss, and the sweep's two charts."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlx_tf.projects.bert_noise.noise_sweep_summary import summarize_noise_sweep


def _record(rate, tests, validations, losses=("ce", "gce"), synthetic=True,
            noisy_validation=True):
    """A point's record: per loss, test and validation accuracy per epoch (the loss's
    index shifts them, so losses differ); the final metrics are the last epoch's."""
    history = []
    for epoch, (test, validation) in enumerate(zip(tests, validations), start=1):
        entry = {"epoch": epoch}
        for offset, name in enumerate(losses):
            shift = offset / 100
            entry.update({f"{name}_accuracy": 0.9 + shift, f"{name}_clean_accuracy": 0.8 + shift,
                          f"val_{name}_accuracy": validation + shift,
                          f"val_{name}_clean_accuracy": validation + shift,
                          f"test_{name}_accuracy": test + shift,
                          f"test_{name}_clean_accuracy": test + shift})
        history.append(entry)
    return {"config": {"noise_rate": rate, "losses": list(losses), "noise_kind": "symmetric",
                       "noisy_validation": noisy_validation},
            "data": {"synthetic": synthetic},
            "metrics": {f"test_{name}_accuracy": history[-1][f"test_{name}_accuracy"]
                        for name in losses},
            "history": history}


@pytest.fixture
def summary():
    records = [_record(0.0, tests=[0.6, 0.8, 0.9], validations=[0.5, 0.7, 0.8]),
               _record(0.4, tests=[0.6, 0.75, 0.5], validations=[0.4, 0.6, 0.6])]
    yield summarize_noise_sweep(records)
    plt.close("all")


def test_the_table_has_final_and_early_stopped_test_accuracy_per_rate(summary):
    metrics, _ = summary
    assert metrics["noise_rates"] == [0.0, 0.4]
    table = metrics["test_accuracy"]
    assert list(table) == ["ce", "ce_early_stopping", "gce", "gce_early_stopping"]
    assert table["ce"] == pytest.approx([0.9, 0.5])
    assert table["gce"] == pytest.approx([0.91, 0.51])
    # Rate 0.4: validation ties at epochs 2 and 3; early stopping keeps the earlier one.
    assert [choice["epoch"] for choice in table["ce_early_stopping"]] == [3, 2]
    assert [choice["value"] for choice in table["ce_early_stopping"]] == pytest.approx(
        [0.9, 0.75])
    assert [choice["value"] for choice in table["gce_early_stopping"]] == pytest.approx(
        [0.91, 0.76])


def test_the_charts_show_every_loss_and_ce_with_early_stopping(summary):
    _, figures = summary
    assert list(figures) == ["noise_curves", "test_accuracy_vs_noise"]
    curves = figures["noise_curves"]
    assert curves.get_suptitle() == ("symmetric label noise: accuracy per epoch "
                                     "(synthetic data)")
    assert len(curves.axes) == 2 * 3  # losses × (train, validation, test)
    assert curves.axes[1].get_title() == "ce: validation (noisy labels)"
    (axis,) = figures["test_accuracy_vs_noise"].axes
    assert axis.get_title() == "Clean test accuracy vs symmetric noise (synthetic data)"
    lines = {line.get_label(): line for line in axis.lines}
    assert list(lines) == ["ce", "gce", "ce + early stopping"]
    np.testing.assert_allclose(lines["ce + early stopping"].get_ydata(), [0.9, 0.75])
    np.testing.assert_allclose(lines["gce"].get_xdata(), [0, 40])


def test_a_sweep_without_ce_draws_no_early_stopping_line():
    records = [_record(rate, [0.7, 0.6], [0.6, 0.5], losses=("sce",), synthetic=False,
                       noisy_validation=False) for rate in (0.2, 0.5)]
    metrics, figures = summarize_noise_sweep(records)
    assert list(metrics["test_accuracy"]) == ["sce", "sce_early_stopping"]
    assert [choice["value"] for choice in metrics["test_accuracy"]["sce_early_stopping"]] == \
        pytest.approx([0.7, 0.7])
    (axis,) = figures["test_accuracy_vs_noise"].axes
    assert [line.get_label() for line in axis.lines] == ["sce"]
    assert axis.get_title() == "Clean test accuracy vs symmetric noise"
    assert figures["noise_curves"].axes[1].get_title() == "sce: validation (clean labels)"
    plt.close("all")
