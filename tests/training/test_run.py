"""The Run through `launch`, as an experiment script uses it: resume, records, folders,
one-line user errors, and what workers other than the chief skip."""

import json
import os
import time

import keras
import numpy as np
import pytest
from two_player import CrashBeforeEpoch, TwoPlayerConfig, train_two_player

from dlx_tf.training import run as run_module
from dlx_tf.training.callbacks import RunCallback
from dlx_tf.training.launch import launch
from dlx_tf.training.run import Run
from dlx_tf.viz.grids import plot_image_grid

PROFILES = {"smoke": TwoPlayerConfig()}


def _run(output_dir, *extra, callbacks=()):
    trained = {}

    def main(config, run):
        trained["model"] = train_two_player(config, run, callbacks)

    argv = ["--strategy", "cpu", "--output-dir", str(output_dir), "--no-export", *extra]
    run = launch("two_player", PROFILES, main, argv=argv)
    return run, trained["model"]


def test_a_crashed_run_resumes_to_the_same_weights(tmp_path):
    straight, straight_model = _run(tmp_path / "straight")

    with pytest.raises(RuntimeError, match="simulated crash"):
        _run(tmp_path / "crashed", callbacks=[CrashBeforeEpoch(2)])
    crashed = json.loads((tmp_path / "crashed" / "run.json").read_text())
    assert crashed["status"] == "failed: RuntimeError: simulated crash"
    assert [e["epoch"] for e in crashed["history"]] == [1, 2]

    resumed, resumed_model = _run(tmp_path / "crashed")
    assert resumed.record["status"] == "completed"
    assert resumed.record["resumed_after_epoch"] == 2
    assert [e["epoch"] for e in resumed.record["history"]] == [1, 2, 3, 4]
    for a, b in zip(straight_model.get_weights(), resumed_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for key in ("first_loss", "second_loss"):
        assert [e[key] for e in resumed.record["history"]] == pytest.approx(
            [e[key] for e in straight.record["history"]], rel=1e-5)


def test_run_record_has_the_contract_keys(tmp_path):
    record = _run(tmp_path / "run")[0].record
    for key in ("experiment", "profile", "config", "data", "strategy", "models", "history",
                "metrics", "throughput", "artifacts", "exports", "versions", "status"):
        assert key in record, key
    assert record == json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["models"]["first"]["params"] == 3 * 8 + 8 + 8 + 1
    assert record["data"]["synthetic"] is True
    assert record["strategy"] == {"name": "OneDeviceStrategy", "replicas": 1}
    assert record["throughput"]["examples_per_sec"] > 0
    assert record["throughput"]["epoch_end_seconds"] >= 0
    assert all(0 < e["train_seconds"] <= e["epoch_seconds"] for e in record["history"])
    assert record["artifacts"] == {"history": str(tmp_path / "run" / "plots" / "history.png")}
    assert (tmp_path / "run" / "plots" / "history.png").exists()
    assert list((tmp_path / "run" / "tensorboard").rglob("events.out.tfevents*"))
    assert record["history"][-1]["first_loss"] < record["history"][0]["first_loss"]
    assert record["metrics"]["first_loss"] == record["history"][-1]["first_loss"]


def test_several_steps_per_call_train_exactly_as_one_step_per_call(tmp_path):
    one, one_model = _run(tmp_path / "one", "--set", "steps_per_execution=1")
    # 256 examples in batches of 32: 8 steps an epoch, so asking for 3 runs 4 per call.
    several, several_model = _run(tmp_path / "several", "--set", "steps_per_execution=3")
    assert one.throughput["steps_per_execution"] == 1
    assert several.throughput["steps_per_execution"] == several_model.steps_per_execution == 4
    assert several_model.first_optimizer.iterations.numpy() == 4 * 8
    for a, b in zip(one_model.get_weights(), several_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("option", ["--output-dir", "--export-dir"])
def test_a_file_where_a_folder_should_be_is_refused_before_anything_runs(
        tmp_path, capsys, option):
    (tmp_path / "taken").write_text("not a folder")
    trained = {}
    argv = ["--strategy", "cpu", "--output-dir", str(tmp_path / "run"),
            "--export-dir", str(tmp_path / "saved_models"), option, str(tmp_path / "taken")]
    with pytest.raises(SystemExit) as exit_info:
        launch("two_player", PROFILES, lambda config, run: trained.update(ran=True), argv=argv)
    assert exit_info.value.code == 2 and not trained
    assert capsys.readouterr().err == (f"error: {option} {tmp_path / 'taken'}: is a file, "
                                       "expected a folder\n")


def test_a_run_releases_its_folder_lock_however_it_ends(tmp_path):
    _run(tmp_path / "run", "--set", "epochs=1")
    assert not (tmp_path / "run.lock").exists()
    with pytest.raises(RuntimeError, match="simulated crash"):
        _run(tmp_path / "crashed", callbacks=[CrashBeforeEpoch(1)])
    assert not (tmp_path / "crashed.lock").exists()


class PoisonBeforeEpoch(keras.callbacks.Callback):
    """Sets a weight to NaN at the start of epoch `epoch` (0-based)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            kernel = self.model.first.layers[0].kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))


def test_a_non_finite_loss_stops_the_run_keeping_the_last_good_checkpoint(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path / "run", callbacks=[PoisonBeforeEpoch(2)])
    assert exit_info.value.code == 1
    message = ("non-finite loss at epoch 3 step 8 (first_loss = nan, second_loss = nan); "
               "the last checkpoint is the last good state")
    assert capsys.readouterr().err.splitlines()[-1] == f"error: {message}"

    def refuse(constant):
        raise ValueError(f"bare {constant} in run.json")

    record = json.loads((tmp_path / "run" / "run.json").read_text(), parse_constant=refuse)
    assert record["status"] == f"failed: NonFiniteLoss: {message}"
    assert [entry["epoch"] for entry in record["history"]] == [1, 2]
    pointer = json.loads((tmp_path / "run" / "checkpoints" / "latest.json").read_text())
    assert pointer["epoch"] == 2


def test_mirrored_replicas_take_one_step_per_call(tmp_path, two_replicas):
    run, model = _run(tmp_path / "run", "--strategy", "mirrored", "--set", "epochs=1")
    assert run.record["strategy"]["replicas"] == 2
    assert run.throughput["steps_per_execution"] == 1
    assert model.first_optimizer.iterations.numpy() == 8


def test_a_completed_run_is_moved_aside_not_overwritten(tmp_path):
    _run(tmp_path / "run", "--set", "epochs=1")
    _run(tmp_path / "run", "--set", "epochs=1")
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("run-")]
    assert len(aside) == 1 and (aside[0] / "run.json").exists()


def test_resuming_with_another_config_is_refused(tmp_path, capsys):
    with pytest.raises(RuntimeError):
        _run(tmp_path / "run", callbacks=[CrashBeforeEpoch(1)])
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path / "run", "--set", "epochs=6")
    assert exit_info.value.code == 2
    assert "unfinished run with another config (epochs: 4 -> 6)" in capsys.readouterr().err


@pytest.mark.parametrize("flag, message", [
    (["--set", "epochz=3"], "error: --set epochz: unknown key; allowed keys: batch_size, data, "
                            "epochs, seed, steps_per_execution\n"),
    (["--set", "steps_per_execution=0"], "error: steps_per_execution: expected a value ≥ 1, "
                                         "got 0\n"),
    (["--set", "epochs=0"], "error: epochs: expected a value ≥ 1, got 0\n"),
    (["--set", "batch_size=-1"], "error: batch_size: expected a value ≥ 1, got -1\n"),
    (["--seed", "-3"], "error: seed: expected a value ≥ 0, got -3\n"),
    (["--set", "epochs=many"], "error: --set epochs=many: expected int, got 'many'\n"),
    (["--set", "batch_size=1000"], "error: batch_size 1000 exceeds the 256 training examples\n"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, capsys, flag, message):
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path / "run", *flag)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == message


class DrawsEachEpoch(RunCallback):
    def on_epoch_end(self, epoch, logs=None):
        figure = plot_image_grid(np.zeros((1, 4, 4)), ["blank"], "t")
        self.run.save_figure(f"drawing_epoch_{epoch + 1}", figure, artifact=False)
        self.run.log_images("drawings", np.zeros((1, 4, 4, 1), "float32"), step=epoch + 1)


class Sleeps(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.3)


def test_end_of_epoch_work_is_timed_apart_from_the_steps(tmp_path):
    record = _run(tmp_path / "run", "--set", "epochs=3", callbacks=[Sleeps()])[0].record
    assert all(e["epoch_seconds"] - e["train_seconds"] >= 0.3 for e in record["history"])
    assert record["throughput"]["epoch_end_seconds"] >= 0.3


def test_the_curves_are_redrawn_within_their_time_share(tmp_path, monkeypatch):
    drawn = []
    plot = run_module.plot_history
    monkeypatch.setattr(run_module, "plot_history",
                        lambda history, title, **options: (
                            drawn.append(len(history)), time.sleep(0.5),
                            plot(history, title, **options))[-1])
    _run(tmp_path / "run", "--set", "epochs=4")
    assert drawn[0] == 1 and drawn[-1] == 4  # the first and the last epoch always draw
    assert len(drawn) < 4  # 0.5 s a drawing is far more than 5 % of these short epochs


def test_run_callbacks_draw_through_their_run(tmp_path):
    run, _ = _run(tmp_path / "run", "--set", "epochs=2", callbacks=[DrawsEachEpoch()])
    plots = sorted(p.name for p in (tmp_path / "run" / "plots").iterdir())
    assert plots == ["drawing_epoch_1.png", "drawing_epoch_2.png", "history.png"]
    assert list(run.record["artifacts"]) == ["history"]
    assert list((tmp_path / "run" / "tensorboard" / "samples").glob("events.out.tfevents*"))


def test_a_second_fit_in_one_run_is_refused(tmp_path):
    def main(config, run):
        train_two_player(config, run)
        train_two_player(config, run)

    with pytest.raises(RuntimeError, match="Run.fit trains once per run"):
        launch("two_player", PROFILES, main,
               argv=["--strategy", "cpu", "--output-dir", str(tmp_path / "run"), "--no-export"])


def test_workers_other_than_the_chief_write_no_figures_models_or_exports(
        one_device, tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "is_chief", lambda strategy: False)
    monkeypatch.setattr(run_module, "worker_dir",
                        lambda output_dir, strategy: f"{output_dir}/workers/worker-1")
    run = Run("two_player", TwoPlayerConfig(), one_device, tmp_path / "run",
              export_dir=str(tmp_path / "saved_models"))
    figure = plot_image_grid(np.zeros((1, 4, 4)), ["blank"], "t")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], name="tiny")
    assert run.save_figure("blank", figure) is None
    assert run.save_models({"tiny": model}) is None
    assert run.save_presets({"tiny": _FolderTask("weights")}) is None
    assert run.export("tiny", resources=[model], endpoints={}, warmup_inputs={}) is None
    assert run.artifact("notes", "notes.txt") == str(tmp_path / "run/workers/worker-1/notes.txt")
    run.complete()
    assert not (tmp_path / "saved_models").exists()
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["workers"]
    worker = json.loads((tmp_path / "run/workers/worker-1/run.json").read_text())
    assert worker["status"] == "completed" and worker["exports"] == []


def test_the_chief_saves_figures_models_and_files_into_the_run_folder(one_device, tmp_path):
    run = Run("two_player", TwoPlayerConfig(data="mnist"), one_device, tmp_path / "run")
    run.describe_data({"synthetic": True})
    figure = plot_image_grid(np.zeros((1, 4, 4)), ["blank"], run.label("Inputs"))
    assert figure.get_suptitle() == "Inputs (synthetic data)"
    path = run.save_figure("blank", figure)
    models = {"first": keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]),
              "second": keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])}
    saved = run.save_models(models)
    notes = run.artifact("notes", "notes/notes.txt")
    assert path == str(tmp_path / "run" / "plots" / "blank.png")
    assert saved == {name: str(tmp_path / "run" / "model" / f"{name}.keras") for name in models}
    assert notes == str(tmp_path / "run" / "notes" / "notes.txt")
    for name, model in models.items():
        assert keras.saving.load_model(saved[name]).count_params() == model.count_params()
    assert run.record["artifacts"] == {"blank": path, "model/first": saved["first"],
                                       "model/second": saved["second"], "notes": notes}
    assert sorted(p.name for p in (tmp_path / "run" / "model").iterdir()) == [
        "first.keras", "second.keras"]  # no temporary files left


class _FolderTask:
    """Stands in for a KerasHub task: `save_to_preset` writes a folder of files."""

    def __init__(self, weights):
        self.weights = weights

    def save_to_preset(self, folder):
        os.makedirs(folder)
        for name in ("config.json", "model.weights.h5"):
            with open(os.path.join(folder, name), "w") as file:
                file.write(f"{name}: {self.weights}")


def test_presets_are_folders_renamed_into_place_and_replaced_on_a_rerun(one_device, tmp_path):
    run = Run("two_player", TwoPlayerConfig(), one_device, tmp_path / "run")
    folder = tmp_path / "run" / "model" / "classifier_preset"
    assert run.save_presets({"classifier": _FolderTask("first")}) == {"classifier": str(folder)}
    assert run.save_presets({"classifier": _FolderTask("second")}) == {"classifier": str(folder)}
    assert (folder / "model.weights.h5").read_text() == "model.weights.h5: second"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["classifier_preset"]
    assert run.record["artifacts"] == {"preset/classifier": str(folder)}


def test_a_generative_run_records_its_feature_space_with_its_data(one_device, tmp_path):
    run = Run("two_player", TwoPlayerConfig(), one_device, tmp_path / "run")
    space = type("Space", (), {"name": "pixels", "description": "raw pixels"})()
    run.describe_data({"source": "synthetic", "synthetic": True}, quality_features=space)
    assert run.record["data"] == {"source": "synthetic", "synthetic": True,
                                  "quality_features": {"name": "pixels",
                                                       "description": "raw pixels"}}
