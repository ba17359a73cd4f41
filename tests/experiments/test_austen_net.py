"""The Austen-Net smoke profile through the real command line: it learns the synthetic
language, records throughput and MFU, writes a sample and exports a text generator."""

import math
import os

import numpy as np
import pytest
import tensorflow as tf
from fresh_load import check_fresh_load
from harness import run_experiment_script
from tensorboard_events import summaries, tensorboard_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("austen_net")
    return base, run_experiment_script("austen_net", base, "epochs=3",
                                       "synthetic_train_chars=150000", "warmup_steps=20",
                                       "sample_tokens=100")


def test_smoke_run_approaches_the_entropy_rate(smoke):
    _, record = smoke
    metrics, data = record["metrics"], record["data"]
    assert record["status"] == "completed" and data["synthetic"] is True
    rate = data["entropy_rate_nats_per_char"]
    assert metrics["entropy_rate_nats_per_char"] == rate
    # Chance is log(vocabulary); three short epochs (219 steps) get within a factor 2 of the
    # floor, where the full smoke profile gets within 10 %.
    assert record["history"][0]["loss"] > 0.5 * math.log(data["vocabulary_size"])
    assert rate < metrics["validation_cross_entropy"] < 2 * rate
    assert metrics["validation_cross_entropy_over_entropy_rate"] == pytest.approx(
        metrics["validation_cross_entropy"] / rate)
    assert metrics["sample_in_lexicon"] > 0.5


def test_run_record_has_tokens_per_second_and_mfu(smoke):
    _, record = smoke
    throughput = record["throughput"]
    assert throughput["tokens_per_sec"] == pytest.approx(
        throughput["examples_per_sec"] * record["config"]["sequence_length"], rel=1e-3)
    assert 0 < throughput["model_flops_utilization"] < 1
    assert record["models"]["decoder_lm"]["params"] > 0
    with open(record["artifacts"]["sample"], encoding="utf-8") as file:
        assert file.read().startswith("Synthetic language.")
    assert os.path.exists(record["artifacts"]["tokenizer"])
    assert os.path.dirname(record["artifacts"]["model/decoder_lm"]) == os.path.dirname(
        record["artifacts"]["tokenizer"])


def test_the_export_continues_a_prompt(smoke):
    _, record = smoke
    (exported,) = record["exports"]
    serve = tf.saved_model.load(exported["path"]).signatures["serving_default"]
    text = serve(prompts=tf.constant([" darepa vo"]), max_new_tokens=tf.constant(80),
                 temperature=tf.constant(0.0), top_k=tf.constant(0), top_p=tf.constant(1.0),
                 seed=tf.constant(0, tf.int64))["text"].numpy()[0].decode()
    assert len(text) == 80 and "\ufffd" not in text


def test_tensorboard_shows_the_written_sample(smoke):
    base, record = smoke
    samples = tensorboard_run(base / "run" / "tensorboard" / "samples")
    plugin, settings, [(step, text)] = summaries(samples, "sample")
    assert (plugin, step) == ("text", record["config"]["epochs"])
    with open(record["artifacts"]["sample"], encoding="utf-8") as file:
        written = file.read()
    assert settings.startswith("Prompt ") and f"{settings}:" in written
    assert written.endswith(f"\n\n{text.item().decode()}\n")  # the prompt and its sample


def test_the_saved_model_loads_in_a_fresh_session_and_predicts_like_the_export(smoke):
    _, record = smoke
    ids = (np.arange(1, 11, dtype="int32") % record["data"]["vocabulary_size"])[None]
    logits = check_fresh_load({"lm": (record["artifacts"]["model/decoder_lm"], ids)},
                              ["dlx_tf.models.decoder_lm"])["lm"]
    (exported,) = record["exports"]
    served = tf.saved_model.load(exported["path"]).signatures["next_token_logits"](
        token_ids=tf.constant(ids))["logits"]
    np.testing.assert_allclose(logits[:, -1], served, rtol=1e-4, atol=1e-4)
