"""The Pegasus smoke profile through the real command line: the DCGAN learns the classes
with varied samples, ACAI learns to reconstruct and interpolates more realistically than
its λ = 0 baseline, the pegasus search writes distinct candidates, its figures and report,
and both SavedModels serve."""

import os

import numpy as np
import pytest
import tensorflow as tf
from fresh_load import check_fresh_load
from harness import run_experiment_script
from tensorboard_events import image_sizes, summaries, tensorboard_run

from dlx_tf.data.unpaired_images import from_unit_range
from dlx_tf.export import check_export
from dlx_tf.projects.pegasus.pegasus_curves import PEGASUS_CURVES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("pegasus")
    return base, run_experiment_script("pegasus", base)


def test_the_dcgan_learns_varied_classes_and_acai_learns_to_reconstruct(smoke):
    _, record = smoke
    metrics, history = record["metrics"], record["history"]
    assert record["status"] == "completed" and record["data"]["synthetic"] is True
    assert record["data"]["quality_features"]["name"] == "synthetic_attributes"
    assert metrics["judge_test_accuracy"] > 0.9  # the judge itself works
    assert history[0]["generated_judge_accuracy"] < 0.5
    assert metrics["generated_judge_accuracy"] > 0.5  # chance is 0.1
    # Not one prototype per class: varied within each class, and realistic.
    assert metrics["generated_diversity_at_init"] < 0.2
    assert metrics["generated_diversity"] > 0.5
    assert metrics["generated_kid"] < 0.3 * metrics["generated_kid_at_init"]
    assert metrics["generated_precision"] > metrics["generated_precision_at_init"] + 0.2
    assert history[-1]["acai_reconstruction_loss"] < 0.5 * history[0]["acai_reconstruction_loss"]
    assert metrics["test_acai_reconstruction_mse"] < history[0]["test_acai_reconstruction_mse"]


def test_acai_interpolants_fool_both_critics_more_than_the_baselines(smoke):
    metrics = smoke[1]["metrics"]
    for critic in ("acai", "baseline"):
        assert (metrics[f"acai_interpolation_alpha_by_{critic}_critic"]
                < metrics[f"baseline_interpolation_alpha_by_{critic}_critic"]), critic


def test_the_pegasus_figures_and_report_are_written(smoke):
    base, record = smoke
    artifacts = record["artifacts"]
    for name in ("pegasus_best", "pegasus_top64", "interpolations", "class_samples",
                 "model_diagram", "design", "history"):
        assert os.path.getsize(artifacts[name]) > 1000, name
    report = open(artifacts["design"]).read()
    assert "synthetic" in report and "2·sqrt(p_bird · p_horse)" in report
    assert "## How the samples are judged" in report
    for figure in ("pegasus_best", "pegasus_top64", "interpolations", "class_samples",
                   "model_diagram"):
        assert f"(plots/{figure}.png)" in report, figure
    assert 0 < record["metrics"]["pegasus_best_score"] <= 1
    assert 16 <= record["metrics"]["pegasus_top_distinct"] <= 64
    assert set(record["models"]) >= {"generator", "discriminator", "acai_encoder",
                                     "acai_decoder", "acai_critic", "judge"}


def test_both_exports_serve(smoke):
    base, record = smoke
    names = sorted(e["model_name"] for e in record["exports"])
    assert names == ["pegasus_acai_synthetic_cifar", "pegasus_dcgan_synthetic_cifar"]
    for name in names:
        result = check_export(str(base / "saved_models" / name))
        assert result.returncode == 0, result.stdout
        assert "limit  batch: 256" in result.stdout
    generator = tf.saved_model.load(str(base / "saved_models" / names[1] / "1"))
    latents = tf.constant(np.random.default_rng(0).normal(size=(3, 100)), tf.float32)
    mixture = tf.constant([[0.0] * 2 + [0.5] + [0.0] * 4 + [0.5] + [0.0] * 2] * 3)
    images = generator.signatures["serving_default"](latents=latents,
                                                      class_mixture=mixture)["images"]
    assert images.shape == (3, 32, 32, 3) and images.dtype == tf.uint8


def test_every_network_loads_in_a_fresh_session_and_the_generator_matches_its_export(smoke):
    _, record = smoke
    config, rng = record["config"], np.random.default_rng(0)
    images = rng.uniform(-1, 1, (3, 32, 32, 3)).astype("float32")
    latents = rng.standard_normal((3, config["latent_dim"])).astype("float32")
    mixture = np.eye(len(record["data"]["class_names"]), dtype="float32")[[0, 3, 7]]
    side = 32 // 2 ** config["acai_scales"]
    inputs = {"generator": (latents, mixture), "discriminator": (images, mixture),
              "judge": images}
    for autoencoder in ("acai", "baseline"):
        inputs.update({f"{autoencoder}_encoder": images, f"{autoencoder}_critic": images,
                       f"{autoencoder}_decoder": rng.standard_normal(
                           (3, side, side, config["acai_latent"])).astype("float32")})
    assert set(inputs) == set(record["models"])
    outputs = check_fresh_load(
        {name: (record["artifacts"][f"model/{name}"], inputs[name]) for name in inputs},
        ["dlx_tf.models.dcgan", "dlx_tf.models.acai", "dlx_tf.projects.pegasus.judge_classifier"])
    (export,) = [e for e in record["exports"] if e["model_name"].startswith("pegasus_dcgan")]
    served = tf.saved_model.load(export["path"]).signatures["serving_default"](
        latents=tf.constant(latents), class_mixture=tf.constant(mixture))["images"]
    generated = from_unit_range(outputs["generator"])
    # Both round to uint8: a last-bit difference may move a pixel by one level.
    np.testing.assert_allclose(np.asarray(generated, np.int16), np.asarray(served, np.int16),
                               atol=1)


def test_tensorboard_shows_the_class_grid_and_the_strips_of_every_epoch(smoke):
    base, record = smoke
    samples = tensorboard_run(base / "run" / "tensorboard" / "samples")
    epochs = list(range(1, record["config"]["epochs"] + 1))
    classes = len(record["data"]["class_names"])
    for tag, size in (("class_samples", (classes * 32, 8 * 32, 3)),
                      ("interpolations", (4 * 32, 9 * 32, 3))):  # 4 methods, 9 steps each
        plugin, _, values = summaries(samples, tag)
        assert plugin == "images" and [step for step, _ in values] == epochs, tag
        assert image_sizes(values[-1][1]) == [size], tag


def test_the_history_figure_shows_every_metric_and_no_evaluation_as_training(smoke):
    _, record = smoke
    labels = {key: label for _, panels in PEGASUS_CURVES for panel in panels
              for key, label in panel.series.items()}
    logged = set(record["history"][-1]) - {"epoch", "epoch_seconds", "train_seconds"}
    assert logged <= set(labels)  # none is left to the unnamed "Other metrics"
    # The monitor's measurements, which the run also records at initialisation.
    evaluated = {key.removesuffix("_at_init") for key in record["metrics"]
                 if key.endswith("_at_init")}
    assert evaluated and evaluated <= logged
    assert {key: labels[key] for key in evaluated if labels[key] == "train"} == {}
