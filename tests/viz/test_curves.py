from dlx_tf.viz import curves

HISTORY = [{"epoch": 1, "loss": 1.4, "val_loss": 0.7, "gradient_norm": 1.0},
           {"epoch": 2, "loss": 0.6, "val_loss": 0.5, "gradient_norm": 0.9}]


def _drawn(**options):
    figure = curves.plot_history(HISTORY, "title", **options)
    return [axis for axis in figure.axes if axis.axison]


def test_every_metric_gets_a_panel_with_its_validation_twin():
    panels = _drawn()
    assert sorted(axis.get_title() for axis in panels) == ["gradient_norm", "loss"]
    loss = next(axis for axis in panels if axis.get_title() == "loss")
    assert [line.get_label() for line in loss.lines] == ["train", "validation"]


def test_chosen_metrics_and_a_reference_line():
    (panel,) = _drawn(metrics=["loss"],
                      references={"loss": (0.435, "entropy rate")})
    reference = panel.lines[-1]
    assert reference.get_label() == "entropy rate"
    assert list(reference.get_ydata()) == [0.435, 0.435]


def test_save_figure_writes_a_png_atomically_or_only_closes(tmp_path):
    path = tmp_path / "plots" / "h.png"
    curves.save_figure(curves.plot_history(HISTORY, "title"), str(path))
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in path.parent.iterdir()) == ["h.png"]
    figure = curves.plot_history(HISTORY, "title")
    curves.save_figure(figure, None)
    assert not curves.plt.fignum_exists(figure.number)
