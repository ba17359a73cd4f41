import dataclasses
import json

import pytest
from two_player import CrashBeforeEpoch, TwoPlayer, regression_data

from dlx_tf.errors import UsageError
from dlx_tf.training.cli import parse_args
from dlx_tf.training.job import ExperimentConfig, Job
from dlx_tf.training.sweep import sweep


@dataclasses.dataclass(frozen=True)
class ScaleConfig(ExperimentConfig):
    epochs: int = 1
    batch_size: int = 16
    values: tuple[float, ...] = (0.5, 2.0)
    value: float = 0.0  # set by the sweep for each of its runs


PROFILES = {"smoke": ScaleConfig()}


class Calls:
    """Counts `build` calls and keeps what `summarize` receives."""

    def __init__(self, crash_at=None):
        self.built = []
        self.summarized = []
        self.crash_at = crash_at  # (value, epoch): that point's first run crashes there

    def build(self, config, env):
        self.built.append(config.value)
        model = TwoPlayer(name="two_player")
        data = regression_data(count=32, seed=config.seed).map(
            lambda x, y: (x, config.value * y))  # the point's own target scale
        callbacks = []
        if self.crash_at and self.crash_at[0] == config.value:
            callbacks.append(CrashBeforeEpoch(self.crash_at[1]))
            self.crash_at = None
        return Job(model=model, train_data=data,
                   data_info={"source": "synthetic regression", "synthetic": True,
                              "train_examples": 32},
                   submodels={"first": model.first, "second": model.second},
                   callbacks=callbacks)

    def summarize(self, records, output_dir):
        self.summarized.append(records)
        return {"metrics": {"first_loss": [r["metrics"]["first_loss"] for r in records]},
                "artifacts": {"folder": str(output_dir)}}


def _sweep(calls, output_dir, *extra):
    options = parse_args(["--strategy", "cpu", "--output-dir", str(output_dir), "--no-export",
                          *extra], "scale", PROFILES)
    return sweep("scale", PROFILES, calls.build, options, "values", "value", calls.summarize)


def _load(folder):
    return json.loads((folder / "run.json").read_text())


def test_each_value_gets_its_own_run_and_the_sweep_a_summary(tmp_path):
    calls = Calls()
    summary = _sweep(calls, tmp_path / "sweep")

    assert calls.built == [0.5, 2.0]
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
    assert summary["artifacts"] == {"folder": str(tmp_path / "sweep")}
    assert summary["data"]["synthetic"] is True

    (records,) = calls.summarized
    assert [r["config"]["value"] for r in records] == [0.5, 2.0]


def test_a_rerun_reuses_completed_points_and_fresh_reruns_them(tmp_path):
    calls = Calls()
    first = _sweep(calls, tmp_path / "sweep")

    again = _sweep(calls, tmp_path / "sweep")
    assert calls.built == [0.5, 2.0]  # nothing trained again
    assert len(calls.summarized) == 2
    assert calls.summarized[1] == calls.summarized[0]
    assert again["runs"] == first["runs"] and again["metrics"] == first["metrics"]

    _sweep(calls, tmp_path / "sweep", "--fresh")
    assert calls.built == [0.5, 2.0, 0.5, 2.0]
    assert len(calls.summarized) == 3
    moved_aside = [p.name for p in (tmp_path / "sweep").iterdir() if p.name.startswith("value_")]
    assert len(moved_aside) == 4  # each earlier point kept beside its rerun


def test_an_interrupted_sweep_continues_where_it_stopped(tmp_path):
    calls = Calls(crash_at=(2.0, 1))
    with pytest.raises(RuntimeError, match="simulated crash"):
        _sweep(calls, tmp_path / "sweep", "--set", "epochs=2")
    assert calls.summarized == [] and not (tmp_path / "sweep" / "run.json").exists()

    summary = _sweep(calls, tmp_path / "sweep", "--set", "epochs=2")
    assert calls.built == [0.5, 2.0, 2.0]  # the completed point is reused
    resumed = _load(tmp_path / "sweep" / "value_2.0")
    assert resumed["resumed_after_epoch"] == 1
    assert [e["epoch"] for e in resumed["history"]] == [1, 2]
    assert [r["status"] for r in summary["runs"]] == ["completed", "completed"]


def test_a_point_with_another_config_is_not_reused(tmp_path):
    calls = Calls()
    _sweep(calls, tmp_path / "sweep", "--set", "values=0.5")
    _sweep(calls, tmp_path / "sweep", "--set", "values=0.5", "--set", "seed=1")
    assert calls.built == [0.5, 0.5]


def test_an_empty_sweep_is_a_usage_error(tmp_path):
    calls = Calls()
    with pytest.raises(UsageError, match="values: expected at least one value"):
        _sweep(calls, tmp_path / "sweep", "--set", "values=")
    assert calls.built == [] and calls.summarized == []
