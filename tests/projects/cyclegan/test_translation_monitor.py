"""The per-epoch CycleGAN monitor: metrics into the logs, grids through the run."""

import types

import matplotlib.pyplot as plt
import numpy as np
from recording_run import RecordingRun

from dlx_tf.evaluation.feature_spaces import texture_statistics_space
from dlx_tf.models.cyclegan import CycleGANGenerator
from dlx_tf.projects.cyclegan.translation_evaluation import TranslationEvaluation
from dlx_tf.projects.cyclegan.translation_monitor import TranslationMonitor, caption


def _setup():
    rng = np.random.default_rng(0)
    test_a = rng.uniform(-1, 0, (4, 16, 24, 3)).astype("float32")
    test_b = rng.uniform(0, 1, (4, 16, 24, 3)).astype("float32")
    generators = [CycleGANGenerator(filters=4, num_residual_blocks=1, name=name)
                  for name in ("generator_a2b", "generator_b2a")]
    gan = types.SimpleNamespace(generator_a2b=generators[0], generator_b2a=generators[1])
    evaluation = TranslationEvaluation(lambda x: np.asarray(x).mean(axis=(1, 2, 3)),
                                       texture_statistics_space(), test_a, test_b)
    return gan, evaluation, test_a, test_b


def test_the_monitor_logs_the_epoch_metrics_and_draws_through_its_run():
    gan, evaluation, test_a, test_b = _setup()
    monitor = TranslationMonitor(gan, evaluation, title="day ↔ night", grid_rows=2)
    monitor.run = RecordingRun()
    logs = {"generator_loss": 1.5}
    monitor.on_epoch_end(0, logs)

    epoch = evaluation.epoch_metrics(gan)
    assert logs == {"generator_loss": 1.5, **epoch}
    ((name, title, artifact),) = monitor.run.figures
    assert (name, artifact) == ("translations_epoch_001", False)
    assert title == f"day ↔ night, epoch 1\n{caption(epoch)}"
    assert title.splitlines()[1].startswith("KID ")
    assert title.splitlines()[2].startswith("edge SSIM ")
    ((tag, images, step, _),) = monitor.run.images
    assert (tag, step) == ("translations", 1)
    assert images.shape == (2, 16, 6 * 24, 3)  # grid_rows rows of six panels side by side
    assert 0 <= images.min() and images.max() <= 1
    np.testing.assert_allclose(images[:, :, :24], (test_a[:2] + 1) / 2, atol=1e-6)
    np.testing.assert_allclose(images[:, :, 72:96], (test_b[:2] + 1) / 2, atol=1e-6)


def test_the_figure_shows_six_columns_per_example_and_the_metrics():
    gan, evaluation, test_a, _ = _setup()
    monitor = TranslationMonitor(gan, evaluation, title="t", grid_rows=2)
    panels = monitor.panels()
    assert [len(panel) for panel in panels] == [2] * 6
    np.testing.assert_allclose(panels[1], gan.generator_a2b(test_a[:2]), atol=1e-6)
    figure = monitor.figure("after training", {"test_kid": 0.0123, "test_recall": 0.5})
    assert figure.get_suptitle() == "after training\nKID 0.012 · recall 0.50"
    figure = monitor.figure("t", {"test_kid": 0.0123, "test_content_ssim": 0.5,
                                  "baseline_identity_content_ssim": 0.31})
    assert figure.get_suptitle() == "t\nKID 0.012\ncontent SSIM 0.50 · input copied 0.31"
    assert sum(bool(axis.images) for axis in figure.axes) == 12
    plt.close(figure)
