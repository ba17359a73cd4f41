"""What a CycleGAN run measures and draws after every epoch: cycle L1, the translation
score of a domain classifier, and the grids drawn through the run."""

import types

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlx_tf.models.cyclegan import CycleGANGenerator
from dlx_tf.projects.cyclegan.domain_classifier import DomainClassifier
from dlx_tf.projects.cyclegan.translation_monitor import (
    TranslationMonitor,
    domain_accuracy,
    train_domain_classifier,
    translation_metrics,
)


def _images(brightness, height=4, width=6):
    """One `(height, width, 3)` image per value, every pixel at that value."""
    return np.ones((len(brightness), height, width, 3), "float32") * np.asarray(
        brightness, "float32")[:, None, None, None]


def _by_brightness(images):
    """A hand-made domain classifier: the mean pixel is the logit of "domain B"."""
    return np.asarray(images).mean(axis=(1, 2, 3))


def _gan(a2b, b2a):
    return types.SimpleNamespace(generator_a2b=lambda x, training=False: a2b(x),
                                 generator_b2a=lambda x, training=False: b2a(x))


def test_identity_generators_cycle_perfectly_and_translate_nothing():
    test_a, test_b = _images([-0.8, -0.5, -0.2]), _images([0.3, 0.9])
    metrics = translation_metrics(_gan(lambda x: x, lambda x: x), _by_brightness, test_a,
                                  test_b, batch_size=2)
    assert metrics == {"test_cycle_l1": 0.0, "test_translation_score": 0.0,
                       "test_translation_score_a2b": 0.0, "test_translation_score_b2a": 0.0}


def test_the_translation_score_is_the_share_the_classifier_puts_in_the_target_domain():
    # Negation swaps dark and bright and undoes itself: a perfect cycle.
    test_a, test_b = _images([-0.8, -0.5, 0.4]), _images([0.3, 0.9])
    metrics = translation_metrics(_gan(np.negative, np.negative), _by_brightness, test_a,
                                  test_b, batch_size=2)
    assert metrics["test_cycle_l1"] == 0.0
    assert metrics["test_translation_score_a2b"] == pytest.approx(2 / 3)  # 0.4 → -0.4 stays A
    assert metrics["test_translation_score_b2a"] == 1.0
    assert metrics["test_translation_score"] == pytest.approx((2 / 3 + 1) / 2)


def test_cycle_l1_is_the_mean_reconstruction_error_of_both_domains():
    test_a, test_b = _images([-0.8, 0.4]), _images([0.6])
    metrics = translation_metrics(_gan(lambda x: x / 2, lambda x: x / 2), _by_brightness,
                                  test_a, test_b)
    # Cycled images are x / 4: errors 3/4 · (0.6, 0.6) in A and 3/4 · 0.6 in B.
    assert metrics["test_cycle_l1"] == pytest.approx(0.75 * 0.6)


def test_domain_accuracy_counts_a_at_or_below_zero_and_b_above():
    test_a, test_b = _images([-1.0, 0.0, 0.5]), _images([1.0, -0.2])
    assert domain_accuracy(_by_brightness, test_a, test_b) == pytest.approx(3 / 5)


class _RecordingRun:
    """A stand-in `Run` that keeps what callbacks draw through it."""

    def __init__(self):
        self.figures, self.images = [], []

    def save_figure(self, name, figure, artifact=True):
        self.figures.append((name, figure.get_suptitle(), artifact))
        plt.close(figure)
        return None

    def log_images(self, tag, images, step):
        self.images.append((tag, np.asarray(images), step))


def test_the_monitor_logs_the_metrics_and_draws_through_its_run():
    rng = np.random.default_rng(0)
    test_a = rng.uniform(-1, 1, (3, 16, 24, 3)).astype("float32")
    test_b = rng.uniform(-1, 1, (3, 16, 24, 3)).astype("float32")
    generators = [CycleGANGenerator(filters=4, num_residual_blocks=1, name=name)
                  for name in ("generator_a2b", "generator_b2a")]
    gan = types.SimpleNamespace(generator_a2b=generators[0], generator_b2a=generators[1])
    classifier = DomainClassifier(filters=2)
    monitor = TranslationMonitor(gan, classifier, test_a, test_b, title="day ↔ night",
                                 grid_rows=2)
    monitor.run = _RecordingRun()
    logs = {"generator_loss": 1.5}
    monitor.on_epoch_end(0, logs)

    assert logs == {"generator_loss": 1.5,
                    **translation_metrics(gan, classifier, test_a, test_b)}
    assert logs["test_cycle_l1"] > 0
    assert monitor.run.figures == [("translations_epoch_001", "day ↔ night, epoch 1", False)]
    ((tag, images, step),) = monitor.run.images
    assert (tag, step) == ("translations", 1)
    assert images.shape == (2, 16, 6 * 24, 3)  # grid_rows rows of six panels side by side
    assert 0 <= images.min() and images.max() <= 1
    np.testing.assert_allclose(images[:, :, :24], (test_a[:2] + 1) / 2, atol=1e-6)
    np.testing.assert_allclose(images[:, :, 72:96], (test_b[:2] + 1) / 2, atol=1e-6)


def test_the_monitor_figure_shows_six_columns_per_example():
    test_a, test_b = _images([-0.5, 0.5, 0.1]), _images([0.2, -0.3])
    monitor = TranslationMonitor(_gan(np.negative, np.negative), _by_brightness, test_a, test_b,
                                 title="t", grid_rows=2)
    panels = monitor.panels()
    assert [len(panel) for panel in panels] == [2] * 6
    np.testing.assert_allclose(panels[1], -test_a[:2])  # A → B
    np.testing.assert_allclose(panels[5], test_b[:2])  # B → A → B
    figure = monitor.figure("after training")
    assert figure.get_suptitle() == "after training"
    assert sum(bool(axis.images) for axis in figure.axes) == 12
    plt.close(figure)


def test_a_domain_classifier_learns_dark_from_bright():
    keras.utils.set_random_seed(0)  # the initial weights
    rng = np.random.default_rng(0)

    def domain(low, high, count):
        return rng.uniform(low, high, (count, 16, 24, 3)).astype("float32")

    classifier = train_domain_classifier(domain(-1.0, -0.4, 32), domain(0.4, 1.0, 32), seed=0,
                                         epochs=6, batch_size=16)
    assert domain_accuracy(classifier, domain(-1.0, -0.4, 20), domain(0.4, 1.0, 20)) == 1.0
