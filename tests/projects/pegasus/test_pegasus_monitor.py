"""What a Pegasus run measures after every epoch and the class sample grids it draws
through the run."""

import dataclasses
import types

import matplotlib.pyplot as plt
import numpy as np
import pytest
from recording_run import RecordingRun

from dlx_tf.data.cifar10 import BIRD, CIFAR10_CLASSES, HORSE
from dlx_tf.evaluation.sample_quality import SampleQuality
from dlx_tf.projects.pegasus.pegasus_monitor import (
    PegasusMonitor,
    caption,
    generation_metrics,
    interpolation_metrics,
)
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from dlx_tf.viz.grids import tile_images
from experiments.pegasus import PROFILES

CLASSES = tuple(f"synthetic {name}" for name in CIFAR10_CLASSES)


class _ClassPainter:
    """A stand-in generator whose images hold their class in every pixel, plus
    `variety` times the first latent; the first sample of class 0 can be painted as
    class `mistake`."""

    latent_dim, num_classes = 2, 3

    def __init__(self, variety=0.0, mistake=0):
        self.variety = variety
        self.mistake = mistake

    def __call__(self, inputs, training=False):
        latents, one_hot = (np.asarray(x) for x in inputs)
        labels = one_hot.argmax(1)
        if self.mistake and not labels[0]:
            labels[0] = self.mistake
        values = labels + self.variety * latents[:, 0]
        return np.ones((len(labels), 4, 6, 3), "float32") * values[:, None, None, None]


class _PixelJudge:
    """Reads the class off the first pixel."""

    def __call__(self, images, training=False):
        classes = np.clip(np.round(np.asarray(images)[:, 0, 0, 0]), 0, 2).astype(int)
        return np.eye(3, dtype="float32")[classes] * 5


class _PixelSpace:
    """A stand-in feature space: the first pixel and the image's mean."""

    name, description = "pixels", "the first pixel and the mean"

    def __call__(self, images):
        images = np.asarray(images)
        return np.stack([images[:, 0, 0, 0], images.mean(axis=(1, 2, 3))], axis=1)


def _quality():
    """Real images: each class's value plus a spread of ±0.2."""
    labels = np.repeat(np.arange(3), 20)
    values = labels + np.tile(np.linspace(-0.2, 0.2, 20), 3)
    real = np.ones((60, 4, 6, 3), "float32") * values[:, None, None, None]
    return SampleQuality(_PixelSpace(), real, labels)


def test_one_image_per_class_pleases_the_judge_but_not_diversity_or_recall():
    collapsed = generation_metrics(_ClassPainter(), _PixelJudge(), _quality(), per_class=8,
                                   seed=0)
    assert collapsed["generated_judge_accuracy"] == 1.0
    assert collapsed["generated_diversity"] == 0.0
    assert collapsed["generated_recall"] < 0.2
    varied = generation_metrics(_ClassPainter(variety=0.1), _PixelJudge(), _quality(),
                                per_class=8, seed=0)
    assert varied["generated_judge_accuracy"] == 1.0
    assert varied["generated_diversity"] > 0.5
    assert varied["generated_recall"] > collapsed["generated_recall"] + 0.3
    wrong = generation_metrics(_ClassPainter(mistake=1), _PixelJudge(), _quality(),
                               per_class=8, seed=0)
    assert wrong["generated_judge_accuracy"] == pytest.approx(23 / 24)


def test_only_the_classes_the_data_hold_are_sampled():
    labels = []

    def quality(images, fake_labels):
        labels.append(fake_labels)
        return {}

    metrics = generation_metrics(_ClassPainter(), _PixelJudge(), quality, per_class=3, seed=0,
                                 classes=[0, 2])
    np.testing.assert_array_equal(labels[0], [0, 0, 0, 2, 2, 2])
    assert metrics == {"generated_judge_accuracy": 1.0}


def test_interpolation_metrics_read_each_autoencoder_and_every_critic():
    def autoencoder(alpha_estimate, scale=1.0):
        return types.SimpleNamespace(
            encode=lambda x: x, decode=lambda z: scale * np.asarray(z),
            interpolate=lambda a, b, alpha: (1 - alpha[:, None, None, None]) * a
            + alpha[:, None, None, None] * b,
            estimate_alpha=lambda x: np.full(len(x), alpha_estimate, "float32"))

    images = np.random.default_rng(0).uniform(-1, 1, (5, 4, 6, 3)).astype("float32")
    metrics = interpolation_metrics({"acai": autoencoder(0.1), "baseline": autoencoder(0.3, 0.5)},
                                    images, seed=0)
    assert 0 <= metrics["interpolation_true_alpha_mean"] <= 0.5
    assert metrics["test_acai_reconstruction_mse"] == 0.0
    assert metrics["test_baseline_reconstruction_mse"] == pytest.approx(
        np.mean((images / 2) ** 2))
    assert metrics["acai_interpolation_alpha_by_acai_critic"] == pytest.approx(0.1)
    assert metrics["acai_interpolation_alpha_by_baseline_critic"] == pytest.approx(0.3)
    assert metrics["baseline_interpolation_alpha_by_acai_critic"] == pytest.approx(0.1)


@pytest.fixture(scope="module")
def monitor():
    config = dataclasses.replace(PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4,
                                 acai_depth=2, acai_latent=3, judge_filters=2)
    players = PegasusPlayers(config, num_classes=len(CLASSES))
    test_images = np.random.default_rng(1).uniform(-1, 1, (12, 32, 32, 3)).astype("float32")
    # Three of the ten classes, as with `--set classes=airplane,bird,horse`.
    test_labels = np.array([BIRD, HORSE, 0] * 4)
    quality = SampleQuality(_PixelSpace(), test_images, test_labels)
    return PegasusMonitor(players.generator, players.judge, players.autoencoders, quality,
                          test_images, CLASSES, title="Pegasus, T", classes=[0, BIRD, HORSE],
                          per_class=4, seed=3, grid_columns=4, test_labels=test_labels)


def test_the_monitor_logs_the_metrics_the_class_grid_and_the_strips(monitor):
    monitor.run = RecordingRun()
    logs = {"dcgan_generator_loss": 0.7}
    monitor.on_epoch_end(0, logs)

    assert logs["dcgan_generator_loss"] == 0.7
    assert logs["generated_judge_accuracy"] in [k / 12 for k in range(13)]  # 4 per class
    for name in ("generated_kid", "generated_precision", "generated_recall",
                 "generated_diversity", "test_acai_reconstruction_mse",
                 "test_baseline_reconstruction_mse", "acai_interpolation_alpha_by_baseline_critic",
                 "baseline_interpolation_alpha_by_acai_critic"):
        assert np.isfinite(logs[name]), name
    ((name, title, artifact),) = monitor.run.figures
    assert (name, artifact) == ("samples_epoch_001", False)
    assert title.split() == f"Pegasus, T, epoch 1\n{caption(logs)}".split()  # wrapped to fit
    (tag, grid, step, description), strips = monitor.run.images
    assert (tag, step) == ("class_samples", 1)
    assert description == "One row per class: " + ", ".join(CLASSES)
    # One image: a row of 4 samples per class, on fixed latents.
    np.testing.assert_allclose(grid, tile_images(monitor.samples(), 4)[None], atol=1e-6)
    tag, image, step, description = strips
    rows = monitor.strips()
    assert list(rows) == ["DCGAN: condition bird → horse, one latent",
                          "DCGAN: slerp between two latents, 50/50 condition",
                          "ACAI: latent interpolation bird → horse",
                          "plain autoencoder: latent interpolation bird → horse"]
    assert (tag, step) == ("interpolations", 1) and description.endswith("; ".join(rows))
    assert image.shape == (1, 4 * 32, 9 * 32, 3)  # a row of 9 steps per method
    assert 0 <= image.min() and image.max() <= 1


def test_the_figure_has_one_row_per_class_captioned_with_its_name(monitor):
    figure = monitor.figure("after training", {"generated_diversity": 0.5})
    assert figure.get_suptitle() == "after training\ndiversity within class 0.50"
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == [name if column == 0 else "" for name in CLASSES for column in range(4)]
    plt.close(figure)
