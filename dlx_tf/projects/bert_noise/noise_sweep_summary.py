"""The summary of a label-noise sweep: test accuracy per rate and method, final and with
early stopping, and the sweep's two charts."""

from dlx_tf.evaluation.early_stopping import early_stopping_choice
from dlx_tf.projects.bert_noise.noise_sweep_figures import (
    plot_accuracy_vs_noise,
    plot_noise_curves,
)


def summarize_noise_sweep(records):
    """From the point runs' records: `(metrics, {name: figure})`. Early stopping picks the
    epoch of best validation accuracy and reports that epoch's test accuracy."""
    config = records[0]["config"]
    rates = [record["config"]["noise_rate"] for record in records]
    histories = [record["history"] for record in records]
    suffix = " (synthetic data)" if records[0]["data"]["synthetic"] else ""
    table = {}
    for name in config["losses"]:
        table[name] = [record["metrics"][f"test_{name}_accuracy"] for record in records]
        table[f"{name}_early_stopping"] = [
            early_stopping_choice(history, f"val_{name}_accuracy", f"test_{name}_accuracy")
            for history in histories]
    validation = "noisy" if config["noisy_validation"] else "clean"
    finals = {name: values for name, values in table.items() if "early" not in name}
    finals["ce + early stopping"] = [choice["value"]
                                     for choice in table.get("ce_early_stopping", [])]
    figures = {
        "noise_curves": plot_noise_curves(
            histories, rates, config["losses"],
            f"{config['noise_kind']} label noise: accuracy per epoch{suffix}", validation),
        "test_accuracy_vs_noise": plot_accuracy_vs_noise(
            rates, {k: v for k, v in finals.items() if v},
            f"Clean test accuracy vs {config['noise_kind']} noise{suffix}"),
    }
    return {"noise_rates": rates, "test_accuracy": table}, figures
