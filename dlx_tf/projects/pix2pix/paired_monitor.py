"""What a pix2pix run measures and shows after every epoch."""

import numpy as np

from dlx_tf.training.callbacks import RunCallback
from dlx_tf.viz.grids import plot_image_grid

PAIRED_COLUMNS = ("input", "output", "ground truth")


class PairedMonitor(RunCallback):
    """After every epoch: adds the evaluation's per-epoch metrics to the epoch's logs and
    draws input → output → ground truth rows through the run (`plots/` and TensorBoard),
    with the metrics in the title.

    Args:
        generator: the generator being trained.
        evaluation: a `PairedEvaluation` of the test pairs.
        title: figure title naming the task (and "synthetic data" where it is).
        grid_rows: examples in the grid.

    Example:
    ```python
    monitor = PairedMonitor(gan.generator, evaluation, title="labels → scenes")
    run.fit(gan, pairs, callbacks=[monitor])
    ```
    """

    def __init__(self, generator, evaluation, title, grid_rows=6):
        super().__init__()
        self.generator = generator
        self.evaluation = evaluation
        self.title = title
        self.grid_rows = grid_rows
        self.bounds = evaluation.real_bounds()  # the real images' FCN-score, for the titles

    def on_epoch_end(self, epoch, logs=None):
        metrics = self.evaluation.epoch_metrics(self.generator)
        logs.update(metrics)
        panels = self.panels()
        self.run.save_figure(f"translations_epoch_{epoch + 1:03d}",
                             plot_paired_grid(panels, f"{self.title}, epoch {epoch + 1}\n"
                                                      f"{caption({**metrics, **self.bounds})}"),
                             artifact=False)
        rows = np.concatenate(panels, axis=2)  # (rows, h, 3·w, c)
        self.run.log_images("translations", (rows + 1) / 2, step=epoch + 1,
                            description="input | output | ground truth")

    def panels(self):
        """Three `(rows, h, w, c)` arrays in [-1, 1], in `PAIRED_COLUMNS` order."""
        inputs = self.evaluation.inputs[:self.grid_rows]
        outputs = np.asarray(self.generator(inputs, training=False))
        return [inputs, outputs, self.evaluation.targets[:self.grid_rows]]

    def figure(self, title, metrics):
        """The grid now, its title followed by the headline `metrics` (`test_*` keys)."""
        return plot_paired_grid(self.panels(), f"{title}\n{caption(metrics)}")


def plot_paired_grid(panels, title, per_row=2):
    """Input, output and ground truth (`PAIRED_COLUMNS`) of each example, `per_row`
    examples side by side."""
    examples = len(panels[0])
    images = [np.clip((panels[c][e] + 1) / 2, 0, 1) for e in range(examples) for c in range(3)]
    captions = [PAIRED_COLUMNS[c] if e < per_row else ""
                for e in range(examples) for c in range(3)]
    return plot_image_grid(images, captions, title, columns=3 * per_row)


def caption(metrics):
    """Two lines of the headline test metrics: agreement with the ground truth and
    realism, then the FCN-score beside its bound on real images where the run has it."""
    truth = [("L1", "test_l1", ".3f"), ("PSNR", "test_psnr", ".1f"), ("SSIM", "test_ssim", ".2f"),
             ("KID", "test_kid", ".3f")]
    judge = [("FCN pixel acc.", "test_fcn_pixel_accuracy", ".2f"),
             ("real", "real_fcn_pixel_accuracy", ".2f"),
             ("class IoU", "test_fcn_class_iou", ".2f"), ("real", "real_fcn_class_iou", ".2f")]
    return "\n".join(" · ".join(f"{label} {metrics[key]:{spec}}" for label, key, spec in line
                                if key in metrics) for line in (truth, judge)).strip()
