"""The intro MLP through the real command line: learning, run record, export, a real
SIGKILL and resume (also from a damaged checkpoint), the run-folder lock against a second
run, and a 2-worker MultiWorkerMirroredStrategy run on 127.0.0.1."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from fresh_load import check_fresh_load
from tensorboard_events import image_sizes, summaries, tensorboard_run

from dlx_tf.data.digits import first_examples, load_digits
from dlx_tf.export import check_export

pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMAND = [sys.executable, os.path.join(ROOT, "experiments", "intro_mlp.py")]
TIMEOUT = 240


def _start(*args, env=None):
    return subprocess.Popen([*COMMAND, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)


def _finish(process):
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, output[-3000:]
    return output


def _run(*args):
    return _finish(_start(*args))


def _record(run_dir):
    with open(os.path.join(run_dir, "run.json")) as f:
        return json.load(f)


def _final_weights(run_dir):
    with open(os.path.join(run_dir, "checkpoints", "latest.json")) as f:
        pointer = json.load(f)
    with np.load(os.path.join(run_dir, "checkpoints", pointer["file"])) as arrays:
        return {key: arrays[key] for key in arrays.files if key != "__checkpoint__"}


def _assert_same_weights(a, b, atol):
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], atol=atol, err_msg=key)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("smoke")
    args = ["--output-dir", str(base / "run"), "--export-dir", str(base / "saved_models")]
    _run(*args)
    return base, args


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A dropout-free run that the resumed and the 2-worker runs must reproduce."""
    run_dir = str(tmp_path_factory.mktemp("reference") / "run")
    _run("--output-dir", run_dir, "--no-export", "--set", "dropout=0", "--set", "epochs=3")
    return run_dir


def test_smoke_run_learns_and_records_everything(smoke):
    base, _ = smoke
    record = _record(base / "run")
    for key in ("experiment", "profile", "config", "data", "strategy", "models", "history",
                "metrics", "throughput", "artifacts", "exports", "versions", "status"):
        assert key in record, key
    assert record["status"] == "completed" and record["profile"] == "smoke"
    assert record["data"]["synthetic"] is True
    assert record["models"]["mlp_classifier"]["params"] == 784 * 128 + 128 + 128 * 64 + 64 + 650
    assert record["metrics"]["test_accuracy"] > 0.8  # chance is 0.1
    history = record["history"]
    assert len(history) == record["config"]["epochs"]
    assert history[-1]["loss"] < history[0]["loss"] / 2
    for name in ("history", "inputs", "test_predictions"):
        assert os.path.exists(record["artifacts"][name]), name
    assert record["exports"] == [{"model_name": "intro_mlp", "version": 1,
                                  "path": str(base / "saved_models" / "intro_mlp" / "1")}]
    assert record["throughput"]["examples_per_sec"] > 0


def test_export_passes_the_fresh_process_checker(smoke):
    base, _ = smoke
    result = check_export(str(base / "saved_models" / "intro_mlp"))
    assert result.returncode == 0, result.stdout
    assert "warmup check: outputs match the manifest" in result.stdout
    assert "  input  images: uint8 (any shape, checked in the graph)" in result.stdout
    assert "limit  batch: 1,024" in result.stdout  # IMAGE_CLASSIFIER_LIMITS, from the manifest
    assert "curl -X POST http://localhost:8501/v1/models/intro_mlp:predict" in result.stdout
    config = (base / "saved_models" / "models.config").read_text()
    assert 'name: "intro_mlp"' in config and 'base_path: "/models/intro_mlp"' in config


def test_tensorboard_shows_the_inputs_and_the_test_predictions_as_grids(smoke):
    base, _ = smoke
    samples = tensorboard_run(base / "run" / "tensorboard" / "samples")
    for tag, step in (("inputs", 0), ("test_predictions", 5)):
        plugin, description, [(logged_step, grid)] = summaries(samples, tag)
        assert (plugin, logged_step) == ("images", step)
        assert image_sizes(grid) == [(4 * 28, 8 * 28, 1)]  # 32 digits, 8 a row
    assert summaries(samples, "inputs")[1].startswith("Training inputs, row by row (synthetic")
    assert summaries(samples, "test_predictions")[1].count("(true ") == 32


def test_the_saved_classifier_loads_in_a_fresh_session_with_the_run_s_test_accuracy(smoke):
    base, _ = smoke
    record = _record(base / "run")
    digits = load_digits(record["config"]["data"], seed=record["config"]["seed"])
    images, labels = first_examples(digits.test, record["data"]["test_examples"])
    path = record["artifacts"]["model/mlp_classifier"]
    assert path == str(base / "run" / "model" / "mlp_classifier.keras")
    logits = check_fresh_load({"mlp": (path, images)}, ["dlx_tf.models.mlp"])["mlp"]
    assert np.mean(logits.argmax(-1) == labels) == pytest.approx(
        record["metrics"]["test_accuracy"], abs=1e-6)


def test_a_killed_run_resumes_to_the_uninterrupted_weights(tmp_path, reference):
    run_dir = str(tmp_path / "run")
    args = ["--output-dir", run_dir, "--no-export", "--set", "dropout=0", "--set", "epochs=3"]
    process = _start(*args)
    pointer = os.path.join(run_dir, "checkpoints", "latest.json")
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(pointer) and time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()[-3000:]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _record(run_dir)["status"] == "running"  # killed: nothing got to say otherwise

    output = _run(*args)
    record = _record(run_dir)
    assert "Resuming" in output and record["resumed_after_epoch"] in (1, 2)
    assert record["status"] == "completed"
    assert [entry["epoch"] for entry in record["history"]] == [1, 2, 3]
    _assert_same_weights(_final_weights(run_dir), _final_weights(reference), atol=1e-6)


def _wait_for(path, process):
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(path) and time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()[-3000:]
        time.sleep(0.05)


def _kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_damaged_newest_checkpoint_resumes_from_the_one_before(tmp_path, reference):
    run_dir = str(tmp_path / "run")
    args = ["--output-dir", run_dir, "--no-export", "--set", "dropout=0", "--set", "epochs=3"]
    process = _start(*args)
    newest = os.path.join(run_dir, "checkpoints", "epoch-00002.npz")
    _wait_for(newest, process)
    _kill(process)
    with open(newest, "r+b") as f:
        f.truncate(os.path.getsize(newest) // 2)

    output = _run(*args)
    record = _record(run_dir)
    assert f"warning: checkpoint {newest} is unreadable (BadZipFile" in output
    assert record["checkpoint_fallback"] == {
        "resumed_from": "epoch-00001.npz",
        "skipped": [{"file": "epoch-00002.npz", "reason": "BadZipFile: not an .npz (zip) "
                                                          "archive"}]}
    assert record["resumed_after_epoch"] == 1 and record["status"] == "completed"
    assert [entry["epoch"] for entry in record["history"]] == [1, 2, 3]
    _assert_same_weights(_final_weights(run_dir), _final_weights(reference), atol=1e-6)


def test_a_live_run_keeps_its_folder_and_a_dead_ones_lock_is_taken_over(tmp_path, reference):
    run_dir = str(tmp_path / "run")
    args = ["--output-dir", run_dir, "--no-export", "--set", "dropout=0", "--set", "epochs=3"]
    first = _start(*args)
    _wait_for(f"{run_dir}.lock", first)
    # Paused, so it cannot finish its few seconds of training (and release the lock) while
    # the second process starts; a stopped process is still alive.
    os.killpg(first.pid, signal.SIGSTOP)
    second = subprocess.run([*COMMAND, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert second.returncode == 2, second.stdout[-2000:] + second.stderr[-2000:]
    assert second.stderr.strip().splitlines()[-1].startswith(
        f"error: {run_dir} is in use by the run of pid {first.pid} on this host")
    _kill(first)

    output = _run(*args)
    assert f"warning: taking over {run_dir}.lock, left by pid {first.pid}" in output
    assert _record(run_dir)["status"] == "completed" and not os.path.exists(f"{run_dir}.lock")
    _assert_same_weights(_final_weights(run_dir), _final_weights(reference), atol=1e-6)


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_reproduce_one_worker(tmp_path, reference):
    run_dir = str(tmp_path / "run")
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(tf_config))
        processes.append(_start("--strategy", "multi_worker", "--output-dir", run_dir,
                                "--no-export", "--set", "dropout=0", "--set", "epochs=3",
                                env=env))
    for process in processes:
        _finish(process)
    record = _record(run_dir)
    assert record["strategy"] == {"name": "MultiWorkerMirroredStrategy", "replicas": 2}
    assert record["status"] == "completed"
    _assert_same_weights(_final_weights(run_dir), _final_weights(reference), atol=1e-5)
    single = _record(reference)["history"]
    np.testing.assert_allclose([e["loss"] for e in record["history"]],
                               [e["loss"] for e in single], rtol=1e-4)


def test_running_again_exports_the_next_version(smoke):
    base, args = smoke
    _run(*args, "--set", "epochs=1")
    assert sorted(os.listdir(base / "saved_models" / "intro_mlp")) == ["1", "2"]
    assert _record(base / "run")["exports"][0]["version"] == 2
    assert [p for p in os.listdir(base) if p.startswith("run-")]  # the first run kept aside
