"""The unpaired generators side by side: each trained by the same CycleGAN trainer on the
same data, judged by the same domain classifier in the same feature space."""

import matplotlib.pyplot as plt
import numpy as np

# The headline test metrics (averaged over both directions) and which way is better.
COMPARED = {
    "translation_score": ("translation score (judge)", "higher"),
    "kid": ("KID", "lower"),
    "precision": ("precision", "higher"),
    "recall": ("recall", "higher"),
    "diversity": ("diversity", "near 1"),
    "content_ssim": ("content SSIM (known answer)", "higher"),
    "structure_ssim": ("edge SSIM (input)", "higher"),
    "cycle_l1": ("cycle L1", "lower"),
}
_FIGURE_PANELS = ("kid", "recall", "content_ssim", "cycle_l1")


def comparison_table(points, generators):
    """`{generator: {metric: value}}` from the sweep's point records: the `COMPARED` test
    metrics, each beside its value at initialisation (`<metric>_at_init`) and for the
    input copied unchanged (`<metric>_input_copied`, the same for every generator), the
    generator's parameters and the training throughput."""
    table = {}
    for generator, point in zip(generators, points):
        metrics = point["metrics"]
        row = {}
        for name in COMPARED:
            for suffix, key in (("", f"test_{name}"), ("_at_init", f"test_{name}_at_init"),
                                ("_input_copied", f"baseline_identity_{name}")):
                if key in metrics:
                    row[name + suffix] = metrics[key]
        row["generator_params"] = point["models"]["generator_a2b"]["params"]
        row["examples_per_sec"] = point["throughput"]["examples_per_sec"]
        table[generator] = row
    return table


def comparison_figure(table, title):
    """One bar panel per headline metric, a bar per generator, with its value at
    initialisation and, where measured, that of the input copied unchanged."""
    generators = list(table)
    panels = [name for name in _FIGURE_PANELS if all(name in row for row in table.values())]
    figure, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6),
                                layout="constrained", squeeze=False)
    for axis, name in zip(axes[0], panels):
        label, better = COMPARED[name]
        bars = axis.bar(np.arange(len(generators)), [table[g][name] for g in generators],
                        color=[f"C{i}" for i in range(len(generators))])
        axis.bar_label(bars, fmt="%.3g", fontsize=8)
        axis.scatter(np.arange(len(generators)), [table[g][f"{name}_at_init"] for g in generators],
                     marker="_", s=400, color="black", label="at initialisation", zorder=3)
        copied = table[generators[0]].get(f"{name}_input_copied")
        if copied is not None:
            axis.axhline(copied, color="grey", linestyle="--", label="input copied")
        if axis is axes[0, 0]:
            axis.legend(fontsize=7)
        axis.set_xticks(np.arange(len(generators)), generators)
        axis.set_title(f"{label}\n({better} is better)", fontsize=10)
        axis.margins(y=0.15)
    figure.suptitle(title, fontsize=11)
    return figure


def report_comparison(run, generators):
    """Logs `generator_comparison` (the `comparison_table`) and draws
    `plots/generator_comparison.png`."""
    table = comparison_table(run.points, generators)
    run.log({"generator_comparison": table})
    title = f"Unpaired translation: {len(generators)} generators, one trainer, the same data"
    run.save_figure("generator_comparison", comparison_figure(table, run.label(title)))
