"""`Run.sweep`: one child run per value of a config field, a summary record over them,
and resumes that reuse completed points."""

import dataclasses
import json

import pytest
from tensorboard_events import hparams_experiment, hparams_session, scalar, tensorboard_run
from two_player import CrashBeforeEpoch, TwoPlayer, regression_data

from dlx_tf.ranges import Range
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class ScaleConfig(ExperimentConfig):
    epochs: int = 1
    batch_size: int = 16
    values: tuple[float, ...] = (0.5, 2.0)
    value: float = 0.0  # set by the sweep for each of its runs

    RANGES = {**ExperimentConfig.RANGES, "values": Range(), "value": Range()}


PROFILES = {"smoke": ScaleConfig()}


class Experiment:
    """A sweep experiment that counts the points it trains and keeps what it summarises."""

    def __init__(self, crash_at=None):
        self.trained = []
        self.summarized = []
        self.crash_at = crash_at  # (value, epoch): that point's first run crashes there

    def main(self, config, run):
        for point in run.sweep("value", config.values):
            value = point.config.value
            self.trained.append(value)
            point.describe_data({"source": "synthetic regression", "synthetic": True})
            with point.scope():
                model = TwoPlayer(name="two_player")
            callbacks = []
            if self.crash_at and self.crash_at[0] == value:
                callbacks.append(CrashBeforeEpoch(self.crash_at[1]))
                self.crash_at = None
            data = regression_data(count=32, seed=config.seed).map(
                lambda x, y, v=value: (x, v * y))  # the point's own target scale
            point.fit(model, data, callbacks=callbacks)
        self.summarized.append(list(run.points))
        run.log({"first_loss": [record["metrics"]["first_loss"] for record in run.points]})


def _sweep(experiment, output_dir, *extra):
    argv = ["--strategy", "cpu", "--output-dir", str(output_dir), "--no-export", *extra]
    return launch("scale", PROFILES, experiment.main, argv=argv).record


def _load(folder):
    return json.loads((folder / "run.json").read_text())


def test_each_value_gets_its_own_run_and_the_sweep_a_summary(tmp_path):
    experiment = Experiment()
    summary = _sweep(experiment, tmp_path / "sweep")

    assert experiment.trained == [0.5, 2.0]
    points = [_load(tmp_path / "sweep" / f"value_{v}") for v in (0.5, 2.0)]
    assert [p["config"]["value"] for p in points] == [0.5, 2.0]
    assert all(p["status"] == "completed" for p in points)
    # A target 4x larger gives a larger regression loss.
    assert points[1]["metrics"]["first_loss"] > points[0]["metrics"]["first_loss"]

    assert summary == _load(tmp_path / "sweep")
    assert summary["sweep"] == {"field": "value", "values": [0.5, 2.0]}
    assert summary["config"]["values"] == [0.5, 2.0] and summary["status"] == "completed"
    assert [(r["value"], r["status"]) for r in summary["runs"]] == [(0.5, "completed"),
                                                                  (2.0, "completed")]
    assert [r["run_dir"] for r in summary["runs"]] == [
        str(tmp_path / "sweep" / "value_0.5"), str(tmp_path / "sweep" / "value_2.0")]
    assert [r["metrics"] for r in summary["runs"]] == [p["metrics"] for p in points]
    assert summary["metrics"] == {"first_loss": [p["metrics"]["first_loss"] for p in points]}
    assert summary["data"]["synthetic"] is True

    (records,) = experiment.summarized
    assert records == points
    _assert_each_point_is_an_hparams_session(tmp_path / "sweep")


def _assert_each_point_is_an_hparams_session(sweep_dir):
    """TensorBoard's HParams dashboard: the sweep's experiment and a session per point."""
    hparams, metric_tags = hparams_experiment(tensorboard_run(sweep_dir / "tensorboard"))
    assert hparams["value"] == [0.5, 2.0]  # the swept field, over its values
    assert hparams["values"] == ["0.5,2.0"] and hparams["epochs"] == [1]
    assert "first_loss" in metric_tags and "second_loss" in metric_tags
    for value in (0.5, 2.0):
        folder = sweep_dir / f"value_{value}"
        session = tensorboard_run(folder / "tensorboard")
        group, values = hparams_session(session)
        assert group == f"value_{value}"
        assert values["value"] == value and values["batch_size"] == 16
        # The dashboard reads each metric as a scalar in the session's own run.
        for tag in metric_tags:
            assert scalar(session, tag) == pytest.approx(_load(folder)["metrics"][tag]), tag


def test_an_interrupted_sweep_continues_where_it_stopped(tmp_path):
    experiment = Experiment(crash_at=(2.0, 1))
    with pytest.raises(RuntimeError, match="simulated crash"):
        _sweep(experiment, tmp_path / "sweep", "--set", "epochs=2")
    assert experiment.summarized == []
    failed = "failed: RuntimeError: simulated crash"
    assert _load(tmp_path / "sweep")["status"] == failed
    assert _load(tmp_path / "sweep" / "value_2.0")["status"] == failed

    summary = _sweep(experiment, tmp_path / "sweep", "--set", "epochs=2")
    assert experiment.trained == [0.5, 2.0, 2.0]  # the completed point is reused
    resumed = _load(tmp_path / "sweep" / "value_2.0")
    assert resumed["resumed_after_epoch"] == 1
    assert [e["epoch"] for e in resumed["history"]] == [1, 2]
    assert [r["status"] for r in summary["runs"]] == ["completed", "completed"]


def test_a_completed_sweep_run_again_starts_a_new_one(tmp_path):
    experiment = Experiment()
    _sweep(experiment, tmp_path / "sweep")
    _sweep(experiment, tmp_path / "sweep")
    assert experiment.trained == [0.5, 2.0, 0.5, 2.0]
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("sweep-")]
    assert len(aside) == 1 and (aside[0] / "value_0.5" / "run.json").exists()


def test_an_empty_sweep_is_a_one_line_error(tmp_path, capsys):
    experiment = Experiment()
    with pytest.raises(SystemExit):
        _sweep(experiment, tmp_path / "sweep", "--set", "values=")
    assert capsys.readouterr().err == "error: value: expected at least one value, got none\n"
    assert experiment.trained == [] and experiment.summarized == []
