"""The comparison of unpaired generators: one table row per generator from its sweep
point's record, and one bar panel per headline metric."""

import matplotlib.pyplot as plt
from figure_layout import layout_problems

from dlx_tf.projects.cyclegan.generator_comparison import comparison_figure, comparison_table


def _point(kid, recall, params, rate, with_recall_at_init=True):
    """A sweep point's record: its metrics, its models and its throughput."""
    metrics = {"test_kid": kid, "test_kid_at_init": 2 * kid, "baseline_identity_kid": 1.2,
               "test_recall": recall, "baseline_identity_recall": 0.0,
               "test_kid_a2b": kid / 2, "generator_loss": 3.0}
    if with_recall_at_init:
        metrics["test_recall_at_init"] = recall / 4
    return {"metrics": metrics, "throughput": {"examples_per_sec": rate},
            "models": {"generator_a2b": {"params": params}, "generator_b2a": {"params": params},
                       "discriminator_a": {"params": 7}}}


def test_the_table_has_a_row_of_headline_metrics_per_generator():
    table = comparison_table([_point(0.04, 0.4, 69_443, 54.8), _point(0.08, 0.25, 115_075, 42.9)],
                             ["resnet", "ganilla"])
    assert table == {
        "resnet": {"kid": 0.04, "kid_at_init": 0.08, "kid_input_copied": 1.2,
                   "recall": 0.4, "recall_at_init": 0.1, "recall_input_copied": 0.0,
                   "generator_params": 69_443, "examples_per_sec": 54.8},
        "ganilla": {"kid": 0.08, "kid_at_init": 0.16, "kid_input_copied": 1.2,
                    "recall": 0.25, "recall_at_init": 0.0625, "recall_input_copied": 0.0,
                    "generator_params": 115_075, "examples_per_sec": 42.9},
    }


def test_the_figure_has_a_panel_per_headline_metric_every_generator_has():
    table = comparison_table([_point(0.04, 0.4, 1, 1.0), _point(0.08, 0.25, 2, 1.0),
                              _point(0.1, 0.5, 3, 1.0)], ["resnet", "ganilla", "unet"])
    figure = comparison_figure(table, "Unpaired translation: 3 generators")
    assert [axis.get_title() for axis in figure.axes] == ["KID\n(lower is better)",
                                                          "recall\n(higher is better)"]
    for axis in figure.axes:
        assert [label.get_text() for label in axis.get_xticklabels()] == ["resnet", "ganilla",
                                                                          "unet"]
        assert len(axis.patches) == 3  # a bar per generator
    assert [line.get_ydata()[0] for line in figure.axes[0].lines] == [1.2]  # input copied
    # The bars' value labels sit inside their panels by design; nothing else may overlap.
    values = {repr(text.get_text()) for axis in figure.axes for text in axis.texts}
    assert [problem for problem in layout_problems(figure)
            if problem.removesuffix(" overlaps a panel") not in values] == []
    plt.close(figure)
