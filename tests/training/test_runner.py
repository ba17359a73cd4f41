import functools
import json

import numpy as np
import pytest
from two_player import CrashBeforeEpoch, TwoPlayerConfig, build_two_player

from dlx_tf.training.runner import run_experiment

PROFILES = {"smoke": TwoPlayerConfig()}


def _run(output_dir, *extra, callbacks=()):
    build = functools.partial(build_two_player, callbacks=callbacks)
    argv = ["--strategy", "cpu", "--output-dir", str(output_dir), "--no-export", *extra]
    return run_experiment("two_player", PROFILES, build, argv=argv)


def test_a_crashed_run_resumes_to_the_same_weights(tmp_path):
    straight = _run(tmp_path / "straight")

    with pytest.raises(RuntimeError, match="simulated crash"):
        _run(tmp_path / "crashed", callbacks=[CrashBeforeEpoch(2)])
    crashed = json.loads((tmp_path / "crashed" / "run.json").read_text())
    assert crashed["status"] == "failed: RuntimeError: simulated crash"
    assert [e["epoch"] for e in crashed["history"]] == [1, 2]

    resumed = _run(tmp_path / "crashed")
    assert resumed.record["status"] == "completed"
    assert resumed.record["resumed_after_epoch"] == 2
    assert [e["epoch"] for e in resumed.record["history"]] == [1, 2, 3, 4]
    for a, b in zip(straight.job.model.get_weights(), resumed.job.model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for key in ("first_loss", "second_loss"):
        assert [e[key] for e in resumed.record["history"]] == pytest.approx(
            [e[key] for e in straight.record["history"]], rel=1e-5)


def test_run_record_has_the_contract_keys(tmp_path):
    record = _run(tmp_path / "run").record
    for key in ("experiment", "profile", "config", "data", "strategy", "models", "history",
                "metrics", "throughput", "artifacts", "exports", "versions", "status"):
        assert key in record, key
    assert record["models"]["first"]["params"] == 3 * 8 + 8 + 8 + 1
    assert record["data"]["synthetic"] is True
    assert record["strategy"] == {"name": "OneDeviceStrategy", "replicas": 1}
    assert record["throughput"]["examples_per_sec"] > 0
    assert (tmp_path / "run" / "plots" / "history.png").exists()
    assert list((tmp_path / "run" / "tensorboard").rglob("events.out.tfevents*"))
    assert record["history"][-1]["first_loss"] < record["history"][0]["first_loss"]


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
                            "epochs, seed\n"),
    (["--set", "epochs=many"], "error: --set epochs=many: expected int, got 'many'\n"),
    (["--set", "batch_size=1000"], "error: batch_size 1000 exceeds the 256 training examples\n"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, capsys, flag, message):
    with pytest.raises(SystemExit) as exit_info:
        _run(tmp_path / "run", *flag)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == message
