"""What a CycleGAN run measures and shows after every epoch."""

import numpy as np

from dlx_tf.projects.cyclegan.translation_evaluation import translate
from dlx_tf.training.callbacks import RunCallback
from dlx_tf.viz.grids import plot_translation_grid


class TranslationMonitor(RunCallback):
    """After every epoch: adds the evaluation's per-epoch metrics to the epoch's logs and
    draws real → translated → reconstructed grids through the run (`plots/` and
    TensorBoard), with the metrics in the title.

    Args:
        gan: the `CycleGAN` being trained.
        evaluation: a `TranslationEvaluation` of the test images.
        title: figure title naming the domains (and "synthetic data" where it is).
        grid_rows: examples per direction in the grid.

    Example:
    ```python
    monitor = TranslationMonitor(gan, evaluation, title="summer ↔ winter")
    run.fit(gan, pairs, callbacks=[monitor])
    run.save_figure("translations", monitor.figure("summer ↔ winter, after training",
                                                   run.metrics))
    ```
    """

    def __init__(self, gan, evaluation, title, grid_rows=4):
        super().__init__()
        self.gan = gan
        self.evaluation = evaluation
        self.title = title
        self.grid_rows = grid_rows

    def on_epoch_end(self, epoch, logs=None):
        metrics = self.evaluation.epoch_metrics(self.gan)
        logs.update(metrics)
        panels = self.panels()
        self.run.save_figure(
            f"translations_epoch_{epoch + 1:03d}",
            plot_translation_grid(panels, f"{self.title}, epoch {epoch + 1}\n"
                                          f"{caption(metrics)}"),
            artifact=False)
        rows = np.concatenate(panels, axis=2)  # (rows, h, 6·w, c)
        self.run.log_images("translations", (rows + 1) / 2, step=epoch + 1)

    def panels(self):
        """Six `(rows, h, w, c)` arrays in [-1, 1], in `TRANSLATION_COLUMNS` order."""
        a = self.evaluation.test["a2b"][:self.grid_rows]
        b = self.evaluation.test["b2a"][:self.grid_rows]
        fake_b, cycled_a = translate(self.gan.generator_a2b, self.gan.generator_b2a, a)
        fake_a, cycled_b = translate(self.gan.generator_b2a, self.gan.generator_a2b, b)
        return [a, fake_b, cycled_a, b, fake_a, cycled_b]

    def figure(self, title, metrics):
        """The grid now, its title followed by a line of `metrics` (`test_*` keys)."""
        return plot_translation_grid(self.panels(), f"{title}\n{caption(metrics)}")


def caption(metrics):
    """Two lines of the headline test metrics, averaged over both directions: realism and
    diversity, then content and the judge, with the copied input's content SSIM for
    scale where the run has measured it."""
    realism = [("KID", "test_kid", ".3f"), ("precision", "test_precision", ".2f"),
               ("recall", "test_recall", ".2f"), ("diversity", "test_diversity", ".2f")]
    content = [("content SSIM", "test_content_ssim", ".2f"),
               ("input copied", "baseline_identity_content_ssim", ".2f"),
               ("edge SSIM", "test_structure_ssim", ".2f"),
               ("judge", "test_translation_score", ".2f")]
    return "\n".join(" · ".join(f"{label} {metrics[key]:{spec}}" for label, key, spec in line
                                if key in metrics) for line in (realism, content)).strip()
