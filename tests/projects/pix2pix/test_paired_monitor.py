"""The per-epoch pix2pix monitor: metrics into the logs, input → output → ground truth
grids through the run."""

import matplotlib.pyplot as plt
import numpy as np
from figure_layout import layout_problems
from recording_run import RecordingRun

from dlx_tf.evaluation.feature_spaces import texture_statistics_space
from dlx_tf.models.pix2pix import Pix2PixGenerator
from dlx_tf.projects.pix2pix.paired_evaluation import PairedEvaluation
from dlx_tf.projects.pix2pix.paired_monitor import (
    PAIRED_COLUMNS,
    PairedMonitor,
    caption,
    plot_paired_grid,
)


def _monitor(grid_rows=2):
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 0, (6, 16, 24, 3)).astype("float32")
    targets = rng.uniform(0, 1, (6, 16, 24, 3)).astype("float32")
    generator = Pix2PixGenerator(filters=4, num_downsamplings=3, dropout=0.0, name="generator")
    evaluation = PairedEvaluation(texture_statistics_space(), inputs, targets)
    return PairedMonitor(generator, evaluation, title="labels → scenes", grid_rows=grid_rows)


def test_the_monitor_logs_the_epoch_metrics_and_draws_through_its_run():
    monitor = _monitor()
    monitor.run = RecordingRun()
    logs = {"generator_loss": 1.5}
    monitor.on_epoch_end(2, logs)

    epoch = monitor.evaluation.epoch_metrics(monitor.generator)
    assert set(epoch) == {"test_l1", "test_psnr", "test_ssim", "test_kid"}  # no judge
    assert logs == {"generator_loss": 1.5, **epoch}
    ((name, title, artifact),) = monitor.run.figures
    assert (name, artifact) == ("translations_epoch_003", False)
    assert title == f"labels → scenes, epoch 3\n{caption(epoch)}"
    ((tag, images, step, _),) = monitor.run.images
    assert (tag, step) == ("translations", 3)
    assert images.shape == (2, 16, 3 * 24, 3)  # grid_rows rows of three panels side by side
    assert 0 <= images.min() and images.max() <= 1
    np.testing.assert_allclose(images[:, :, :24], (monitor.evaluation.inputs[:2] + 1) / 2,
                               atol=1e-6)
    np.testing.assert_allclose(images[:, :, 48:], (monitor.evaluation.targets[:2] + 1) / 2,
                               atol=1e-6)


def test_panels_are_the_inputs_the_generators_outputs_and_the_targets():
    monitor = _monitor(grid_rows=3)
    inputs, outputs, targets = monitor.panels()
    assert inputs.shape == outputs.shape == targets.shape == (3, 16, 24, 3)
    np.testing.assert_array_equal(inputs, monitor.evaluation.inputs[:3])
    np.testing.assert_allclose(outputs, monitor.generator(inputs, training=False), atol=1e-6)
    np.testing.assert_array_equal(targets, monitor.evaluation.targets[:3])


def test_the_grid_shows_three_columns_per_example_captioned_on_the_first_row():
    rng = np.random.default_rng(1)
    panels = [rng.uniform(-1, 1, (5, 8, 8, 3)) for _ in PAIRED_COLUMNS]
    figure = plot_paired_grid(panels, "t\nL1 0.100", per_row=2)
    axes = np.reshape(figure.axes, (3, 6))  # 5 examples, 2 a row: 3 rows of 6 panels
    assert [axis.get_title() for axis in axes[0]] == list(PAIRED_COLUMNS) * 2
    assert all(axis.get_title() == "" for axis in axes[1:].ravel())
    assert sum(bool(axis.images) for axis in figure.axes) == 15
    assert layout_problems(figure) == []
    plt.close(figure)


def test_the_caption_shows_the_fcn_score_beside_its_bound_only_where_measured():
    truth = {"test_l1": 0.1234, "test_psnr": 21.04, "test_ssim": 0.456, "test_kid": 0.0123}
    assert caption(truth) == "L1 0.123 · PSNR 21.0 · SSIM 0.46 · KID 0.012"
    judged = {**truth, "test_fcn_pixel_accuracy": 0.61, "real_fcn_pixel_accuracy": 0.93,
              "test_fcn_class_iou": 0.22, "real_fcn_class_iou": 0.71}
    assert caption(judged).splitlines() == [
        "L1 0.123 · PSNR 21.0 · SSIM 0.46 · KID 0.012",
        "FCN pixel acc. 0.61 · real 0.93 · class IoU 0.22 · real 0.71"]
