import pytest
from figure_layout import layout_problems

from dlx_tf.viz import curves
from dlx_tf.viz.curves import Panel

HISTORY = [{"epoch": 1, "loss": 1.4, "val_loss": 0.7, "test_loss": 0.8, "gradient_norm": 1.0},
           {"epoch": 2, "loss": 0.6, "val_loss": 0.5, "test_loss": 0.55, "gradient_norm": 0.9}]


def _drawn(figure):
    return {axis.get_title(): axis for axis in figure.axes if axis.axison}


def _labels(axis):
    return [line.get_label() for line in axis.lines]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    curves.plt.close("all")


def test_every_metric_gets_a_panel_titled_in_words_with_its_twins():
    panels = _drawn(curves.plot_history(HISTORY, "title"))
    assert sorted(panels) == ["Gradient norm", "Loss"]
    assert _labels(panels["Loss"]) == ["train", "validation", "test"]


def test_chosen_metrics_and_a_reference_line():
    (panel,) = _drawn(curves.plot_history(HISTORY, "title", metrics=["loss"],
                                          references={"loss": (0.435, "entropy rate")})).values()
    reference = panel.lines[-1]
    assert reference.get_label() == "entropy rate"
    assert list(reference.get_ydata()) == [0.435, 0.435]


def test_metric_titles_name_acronyms_in_capitals():
    assert curves.metric_title("acai_reconstruction_loss") == "ACAI reconstruction loss"
    assert curves.metric_title("test_cycle_l1") == "Test cycle L1"


def test_sections_name_their_panels_and_series_and_nothing_goes_missing():
    history = [dict(entry, generated_kid=0.3 / entry["epoch"]) for entry in HISTORY]
    sections = [("While training", [Panel("Loss", {"loss": "train"}),
                                     Panel("Absent", {"never_logged": "train"})]),
                ("Evaluated after every epoch", [Panel("KID", {"generated_kid": "samples"})])]
    figure = curves.plot_history(history, "title", sections=sections)
    assert [part.get_suptitle() for part in figure.subfigs] == [
        "While training", "Evaluated after every epoch", "Other metrics"]
    assert _labels(_drawn(figure.subfigs[1])["KID"]) == ["samples"]
    # No panel showed val_loss, test_loss or gradient_norm: "Other metrics" does.
    other = _drawn(figure.subfigs[2])
    assert sorted(other) == ["Gradient norm", "Loss"]
    assert _labels(other["Loss"]) == ["validation", "test"]


def test_long_titles_wrap_and_no_text_overlaps_a_panel_or_leaves_the_figure():
    # The 31 metrics of a Pegasus run, whose figure once had its title over the first row
    # and "acai_interpolation_alpha_by_baseline_critic" cut off at the right edge.
    keys = [f"{player}_{name}" for player in ("acai", "baseline") for name in (
        "autoencoder_adversarial_loss", "critic_loss", "critic_real_loss", "probe_accuracy",
        "probe_loss", "reconstruction_loss")]
    keys += [f"dcgan_{name}" for name in ("discriminator_loss", "fake_score", "generator_loss",
                                          "real_score")]
    keys += ["judge_accuracy", "judge_loss", "interpolation_true_alpha_mean"]
    keys += [f"generated_{name}" for name in ("judge_accuracy", "kid", "kid_std", "precision",
                                              "recall", "diversity")]
    keys += [f"test_{name}_reconstruction_mse" for name in ("acai", "baseline")]
    keys += [f"{name}_interpolation_alpha_by_{critic}_critic" for name in ("acai", "baseline")
             for critic in ("acai", "baseline")]
    history = [{"epoch": epoch, **{key: 1.0 / epoch for key in keys}} for epoch in (1, 2, 3)]
    figure = curves.plot_history(history, "pegasus training curves (synthetic data)")
    assert len(_drawn(figure)) == 31
    assert layout_problems(figure) == []
    sections = [("A section", [Panel(curves.metric_title(key), {key: "train"})
                               for key in keys[:5]]),
                ("Another", [Panel("KID", {"generated_kid": "samples"})])]
    assert layout_problems(curves.plot_history(history, "title", sections=sections)) == []


def test_save_figure_writes_a_png_atomically_or_only_closes(tmp_path):
    path = tmp_path / "plots" / "h.png"
    curves.save_figure(curves.plot_history(HISTORY, "title"), str(path))
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in path.parent.iterdir()) == ["h.png"]
    figure = curves.plot_history(HISTORY, "title")
    curves.save_figure(figure, None)
    assert not curves.plt.fignum_exists(figure.number)
