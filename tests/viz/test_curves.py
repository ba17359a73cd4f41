from dlx_tf.viz import curves

HISTORY = [{"epoch": 1, "loss": 1.4, "val_loss": 0.7, "gradient_norm": 1.0},
           {"epoch": 2, "loss": 0.6, "val_loss": 0.5, "gradient_norm": 0.9}]


def _drawn(monkeypatch, tmp_path, **options):
    figures = []
    monkeypatch.setattr(curves, "save_figure", lambda figure, path: figures.append(figure))
    curves.plot_history(HISTORY, str(tmp_path / "h.png"), "title", **options)
    return [axis for axis in figures[0].axes if axis.axison]


def test_every_metric_gets_a_panel_with_its_validation_twin(monkeypatch, tmp_path):
    panels = _drawn(monkeypatch, tmp_path)
    assert sorted(axis.get_title() for axis in panels) == ["gradient_norm", "loss"]
    loss = next(axis for axis in panels if axis.get_title() == "loss")
    assert [line.get_label() for line in loss.lines] == ["train", "validation"]


def test_chosen_metrics_and_a_reference_line(monkeypatch, tmp_path):
    (panel,) = _drawn(monkeypatch, tmp_path, metrics=["loss"],
                      references={"loss": (0.435, "entropy rate")})
    reference = panel.lines[-1]
    assert reference.get_label() == "entropy rate"
    assert list(reference.get_ydata()) == [0.435, 0.435]
