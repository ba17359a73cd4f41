"""BERT under label noise through the real command line, cut to two noise rates and one
loss: the clean run learns the synthetic topics, the 50 % run learns less, the sweep
writes its charts and summary, and the string-input SavedModel serves."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_text  # noqa: F401  (registers the TF Text ops the SavedModels use)
from fresh_load import check_fresh_load
from harness import ROOT, run_experiment_script
from tensorboard_events import hparams_experiment, hparams_session, scalar, tensorboard_run

from dlx_tf.export import check_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    base = tmp_path_factory.mktemp("bert_noise")
    return base, run_experiment_script("bert_noise", base, "noise_rates=0.0,0.5", "losses=ce")


def test_clean_labels_learn_and_half_noisy_labels_learn_less(sweep):
    base, summary = sweep
    clean, noisy = (json.load(open(os.path.join(run["run_dir"], "run.json")))
                    for run in summary["runs"])
    assert summary["data"]["synthetic"] is True and summary["status"] == "completed"
    assert clean["metrics"]["test_ce_accuracy"] > 0.6  # chance is 0.25
    assert noisy["metrics"]["test_ce_accuracy"] < clean["metrics"]["test_ce_accuracy"]
    assert noisy["data"]["train_noise"]["flipped"] == round(0.5 * noisy["data"]["train_examples"])
    # Against its noisy labels the 50 % run keeps improving while it trains.
    accuracy = [entry["ce_accuracy"] for entry in noisy["history"]]
    assert accuracy[-1] > accuracy[0]
    assert summary["metrics"]["test_accuracy"]["ce"] == [
        clean["metrics"]["test_ce_accuracy"], noisy["metrics"]["test_ce_accuracy"]]


def test_the_sweep_writes_charts_and_a_serving_model_per_rate(sweep):
    base, summary = sweep
    for path in summary["artifacts"].values():
        assert os.path.getsize(path) > 1000, path
    names = sorted(e["model_name"] for e in summary["exports"])
    assert names == ["bert_noise0_synthetic", "bert_noise50_synthetic"]
    result = check_export(str(base / "saved_models" / names[0]))
    assert result.returncode == 0, result.stdout
    assert "TFText>RoundRobinTrim" in result.stdout
    assert "limit  batch: 128" in result.stdout and "limit  text_bytes: 262,144" in result.stdout
    loaded = tf.saved_model.load(str(base / "saved_models" / names[0] / "1"))
    outputs = loaded.signatures["serving_default"](texts=tf.constant(["a document", ""]))
    assert outputs["probabilities"].shape == (2, 4) and outputs["label"].dtype == tf.int64


def test_each_rate_saves_its_classifier_as_a_keras_file_and_a_preset_for_a_fresh_session(
        sweep):
    _, summary = sweep
    points = [json.load(open(os.path.join(run["run_dir"], "run.json")))
              for run in summary["runs"]]
    texts = ["stocks and markets rallied", "the team won the final", ""]
    calls = {}
    for index, point in enumerate(points):
        calls[f"keras_{index}"] = (point["artifacts"]["model/ce_classifier"], texts)
        calls[f"preset_{index}"] = (point["artifacts"]["preset/ce_classifier"], texts)
    logits = check_fresh_load(calls, ["keras_hub"], preset_class="TextClassifier")
    for index, point in enumerate(points):
        np.testing.assert_allclose(logits[f"preset_{index}"], logits[f"keras_{index}"],
                                   rtol=1e-5, atol=1e-6)
        (export,) = point["exports"]
        served = tf.saved_model.load(export["path"]).signatures["serving_default"](
            texts=tf.constant(texts))["probabilities"]
        np.testing.assert_allclose(tf.nn.softmax(logits[f"keras_{index}"]), served, atol=1e-6)
    assert not np.allclose(logits["keras_0"], logits["keras_1"])  # each rate its own model


@pytest.mark.parametrize("setting, message", [
    ("losses=ce,mae", "error: losses: expected some of ce, gce, sce, got ce, mae"),
    ("noise_kind=asymmetric", "error: noise_kind: expected one of symmetric, pair, got "
                              "'asymmetric'"),
])
def test_unknown_losses_and_noise_kinds_are_one_line_errors_before_loading(
        tmp_path, setting, message):
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "experiments", "bert_noise.py"), "--no-export",
         "--output-dir", str(tmp_path / "run"), "--set", setting],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["status"].startswith("failed: UsageError") and record["data"] == {}


def test_tensorboard_compares_the_noise_rates_on_the_hparams_dashboard(sweep):
    base, summary = sweep
    hparams, metric_tags = hparams_experiment(tensorboard_run(base / "run" / "tensorboard"))
    assert hparams["noise_rate"] == [0.0, 0.5] and "test_ce_accuracy" in metric_tags
    for point in summary["runs"]:
        session = tensorboard_run(os.path.join(point["run_dir"], "tensorboard"))
        group, values = hparams_session(session)
        assert (group, values["noise_rate"]) == (f"noise_rate_{point['noise_rate']}",
                                                 point["noise_rate"])
        assert values["losses"] == "ce"
        assert scalar(session, "test_ce_accuracy") == pytest.approx(
            point["metrics"]["test_ce_accuracy"])
