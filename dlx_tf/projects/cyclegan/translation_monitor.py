"""What a CycleGAN run measures and shows after every epoch."""

import keras
import numpy as np

from dlx_tf.projects.cyclegan.domain_classifier import DomainClassifier
from dlx_tf.training.callbacks import RunCallback
from dlx_tf.viz.grids import plot_translation_grid


def train_domain_classifier(images_a, images_b, seed, epochs=4, batch_size=32):
    """Fits a `DomainClassifier` on real images (float32 in [-1, 1]): A → 0, B → 1."""
    images = np.concatenate([images_a, images_b])
    labels = np.concatenate([np.zeros(len(images_a)), np.ones(len(images_b))]).astype("float32")
    order = np.random.default_rng(seed).permutation(len(images))
    classifier = DomainClassifier(name="domain_classifier")
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3),
                       loss=keras.losses.BinaryCrossentropy(from_logits=True))
    classifier.fit(images[order], labels[order], batch_size=batch_size, epochs=epochs, verbose=0,
                   shuffle=False)
    return classifier


def translation_metrics(gan, classifier, test_a, test_b, batch_size=16):
    """Test-set cycle L1 and the translation score of `gan`'s generators.

    `test_translation_score` is the fraction of translated test images that the domain
    classifier assigns to the target domain, averaged over both directions.
    Models are called directly (never `predict`), so this is safe on every worker.
    """
    fake_b, cycled_a = _translate(gan.generator_a2b, gan.generator_b2a, test_a, batch_size)
    fake_a, cycled_b = _translate(gan.generator_b2a, gan.generator_a2b, test_b, batch_size)
    a2b = float(np.mean(_logits(classifier, fake_b) > 0))
    b2a = float(np.mean(_logits(classifier, fake_a) <= 0))
    return {
        "test_cycle_l1": float(np.mean([np.abs(cycled_a - test_a).mean(),
                                        np.abs(cycled_b - test_b).mean()])),
        "test_translation_score": (a2b + b2a) / 2,
        "test_translation_score_a2b": a2b,
        "test_translation_score_b2a": b2a,
    }


def domain_accuracy(classifier, test_a, test_b):
    correct = np.concatenate([_logits(classifier, test_a) <= 0, _logits(classifier, test_b) > 0])
    return float(correct.mean())


def _translate(forward, backward, images, batch_size):
    fakes, cycled = [], []
    for start in range(0, len(images), batch_size):
        fake = forward(images[start:start + batch_size], training=False)
        fakes.append(np.asarray(fake))
        cycled.append(np.asarray(backward(fake, training=False)))
    return np.concatenate(fakes), np.concatenate(cycled)


def _logits(classifier, images, batch_size=64):
    return np.concatenate([np.asarray(classifier(images[i:i + batch_size]))
                           for i in range(0, len(images), batch_size)])


class TranslationMonitor(RunCallback):
    """After every epoch: adds `translation_metrics` to the epoch's logs and draws
    real → translated → reconstructed grids through the run (`plots/` and TensorBoard).

    Args:
        gan: the `CycleGAN` being trained.
        classifier: a trained `DomainClassifier`.
        test_a, test_b: float32 test images in [-1, 1].
        title: figure title naming the domains (and "synthetic data" where it is).
        grid_rows: examples per direction in the grid.

    Example:
    ```python
    monitor = TranslationMonitor(gan, classifier, test_a, test_b, title="summer ↔ winter")
    run.fit(gan, pairs, callbacks=[monitor])
    run.save_figure("translations", monitor.figure("summer ↔ winter, after training"))
    ```
    """

    def __init__(self, gan, classifier, test_a, test_b, title, grid_rows=4):
        super().__init__()
        self.gan = gan
        self.classifier = classifier
        self.test_a = test_a
        self.test_b = test_b
        self.title = title
        self.grid_rows = grid_rows

    def on_epoch_end(self, epoch, logs=None):
        logs.update(translation_metrics(self.gan, self.classifier, self.test_a, self.test_b))
        panels = self.panels()
        self.run.save_figure(f"translations_epoch_{epoch + 1:03d}",
                             plot_translation_grid(panels, f"{self.title}, epoch {epoch + 1}"),
                             artifact=False)
        rows = np.concatenate(panels, axis=2)  # (rows, h, 6·w, c)
        self.run.log_images("translations", (rows + 1) / 2, step=epoch + 1)

    def panels(self):
        """Six `(rows, h, w, c)` arrays in [-1, 1], in `TRANSLATION_COLUMNS` order."""
        a, b = self.test_a[:self.grid_rows], self.test_b[:self.grid_rows]
        fake_b, cycled_a = _translate(self.gan.generator_a2b, self.gan.generator_b2a, a, 16)
        fake_a, cycled_b = _translate(self.gan.generator_b2a, self.gan.generator_a2b, b, 16)
        return [a, fake_b, cycled_a, b, fake_a, cycled_b]

    def figure(self, title):
        return plot_translation_grid(self.panels(), title)
