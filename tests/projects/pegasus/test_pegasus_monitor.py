"""What a Pegasus run measures after every epoch and the class sample grids it draws
through the run."""

import dataclasses
import types

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlx_tf.projects.pegasus.pegasus_monitor import (
    PegasusMonitor,
    generation_metrics,
    interpolation_metrics,
)
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from experiments.pegasus import PROFILES

CLASSES = ("bird", "horse", "cat")


class _ClassPainter:
    """A stand-in generator whose images hold their class in every pixel, shifted by
    `mistake` (mod 3) for the first sample of class 0."""

    latent_dim, num_classes = 2, 3

    def __init__(self, mistake=0):
        self.mistake = mistake

    def __call__(self, inputs, training=False):
        latents, one_hot = (np.asarray(x) for x in inputs)
        labels = one_hot.argmax(1)
        if self.mistake and not labels[0]:
            labels[0] = self.mistake
        return np.ones((len(labels), 4, 6, 3), "float32") * labels[:, None, None, None]


class _PixelJudge:
    """Reads the class off the first pixel; its features are that pixel and the mean."""

    def __call__(self, images, training=False):
        return np.eye(3, dtype="float32")[np.asarray(images)[:, 0, 0, 0].astype(int)] * 5

    def features(self, images, training=False):
        images = np.asarray(images)
        return np.stack([images[:, 0, 0, 0], images.mean(axis=(1, 2, 3))], axis=1)


def test_generation_metrics_measure_how_often_the_judge_sees_the_asked_class():
    real = _PixelJudge().features(_ClassPainter()((np.zeros((6, 2)), np.eye(3)[[0, 1, 2] * 2])))
    right = generation_metrics(_ClassPainter(), _PixelJudge(), real, per_class=2, seed=0)
    assert right["generated_judge_accuracy"] == 1.0
    far = generation_metrics(_ClassPainter(), _PixelJudge(), real + 10, per_class=2, seed=0)
    assert far["kid_judge_features"] > right["kid_judge_features"] + 100  # on judge features
    wrong = generation_metrics(_ClassPainter(mistake=1), _PixelJudge(), real, per_class=2,
                               seed=0)
    assert wrong["generated_judge_accuracy"] == pytest.approx(5 / 6)


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


class _RecordingRun:
    """A stand-in `Run` that keeps what callbacks draw through it."""

    def __init__(self):
        self.figures, self.images = [], []

    def save_figure(self, name, figure, artifact=True):
        self.figures.append((name, figure.get_suptitle(), artifact))
        plt.close(figure)

    def log_images(self, tag, images, step):
        self.images.append((tag, np.asarray(images), step))


@pytest.fixture(scope="module")
def monitor():
    config = dataclasses.replace(PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4,
                                 acai_depth=2, acai_latent=3, judge_filters=2)
    players = PegasusPlayers(config, num_classes=len(CLASSES))
    test_images = np.random.default_rng(1).uniform(-1, 1, (6, 32, 32, 3)).astype("float32")
    return PegasusMonitor(players.generator, players.judge, players.autoencoders, test_images,
                          CLASSES, title="Pegasus, T", per_class=2, seed=3, grid_columns=4)


def test_the_monitor_logs_the_metrics_and_draws_one_image_per_class(monitor):
    monitor.run = _RecordingRun()
    logs = {"dcgan_generator_loss": 0.7}
    monitor.on_epoch_end(0, logs)

    assert logs["dcgan_generator_loss"] == 0.7
    assert logs["generated_judge_accuracy"] in [k / 6 for k in range(7)]  # 2 per class
    for name in ("kid_judge_features", "test_acai_reconstruction_mse",
                 "test_baseline_reconstruction_mse", "acai_interpolation_alpha_by_baseline_critic",
                 "baseline_interpolation_alpha_by_acai_critic"):
        assert np.isfinite(logs[name]), name
    assert monitor.run.figures == [("samples_epoch_001", "Pegasus, T, epoch 1", False)]
    ((tag, images, step),) = monitor.run.images
    assert (tag, step) == ("class_samples", 1)
    assert images.shape == (len(CLASSES), 32, 32, 3)
    assert 0 <= images.min() and images.max() <= 1
    np.testing.assert_allclose(images, monitor.samples()[::4], atol=1e-6)  # fixed latents


def test_the_figure_has_one_row_per_class_captioned_with_its_name(monitor):
    figure = monitor.figure("after training")
    assert figure.get_suptitle() == "after training"
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == [name if column == 0 else "" for name in CLASSES for column in range(4)]
    plt.close(figure)
