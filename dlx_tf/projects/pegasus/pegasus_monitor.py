"""What a Pegasus run measures after every epoch, and its per-class sample grids."""

import numpy as np

from dlx_tf.evaluation.batched import batched_call
from dlx_tf.projects.pegasus.pegasus_search import bird_horse_strips
from dlx_tf.training.callbacks import RunCallback
from dlx_tf.viz.grids import plot_image_grid, tile_images


def class_conditional_samples(generator, per_class, seed, classes=None):
    """`per_class` samples of every class (or of `classes`) on fixed latents:
    `(images, labels)`."""
    classes = np.arange(generator.num_classes) if classes is None else np.asarray(classes)
    labels = np.repeat(classes, per_class)
    latents = np.random.default_rng(seed).standard_normal(
        (len(labels), generator.latent_dim)).astype("float32")
    one_hot = np.eye(generator.num_classes, dtype="float32")[labels]
    images = batched_call(lambda z, c: generator((z, c), training=False), latents, one_hot)
    return images, labels


def generation_metrics(generator, judge, quality, per_class, seed, classes=None):
    """How class-conditional samples compare with real test images.

    `generated_judge_accuracy` is the share of samples the judge puts in their class
    (chance 1/classes): it rewards one prototype per class as much as variety, so it
    stands beside `generated_kid`, `_precision`, `_recall` (realism) and
    `generated_diversity` (within each class, relative to the real images), measured by
    `quality`, a `SampleQuality` of the real test images and their labels. Only `classes`
    (default: all) are sampled, the classes the real images hold."""
    images, labels = class_conditional_samples(generator, per_class, seed, classes)
    logits = batched_call(lambda x: judge(x, training=False), images)
    metrics = {"generated_judge_accuracy": float(np.mean(logits.argmax(axis=1) == labels))}
    metrics.update({f"generated_{name}": value
                    for name, value in quality(images, labels).items()})
    return metrics


def interpolation_metrics(autoencoders, images, seed):
    """Test reconstruction MSE of every autoencoder, and the α each one's critic (and
    every other's) estimates for its interpolations (Berthelot et al. 2018: a critic
    that cannot tell interpolants from data says α ≈ 0).

    Interpolants mix each test image with the one at the mirrored position,
    `α·E(x) + (1 − α)·E(x')` with α uniform in [0, 0.5], as in training.
    """
    alpha = np.random.default_rng(seed).uniform(0, 1, len(images)).astype("float32")
    alpha = 0.5 - np.abs(alpha - 0.5)
    metrics = {"interpolation_true_alpha_mean": float(alpha.mean())}
    for name, model in autoencoders.items():
        reconstructions = batched_call(lambda x, m=model: m.decode(m.encode(x)), images)
        metrics[f"test_{name}_reconstruction_mse"] = float(np.mean((reconstructions - images)**2))
        mixes = batched_call(model.interpolate, images[::-1], images, alpha)
        for critic_name, critic_owner in autoencoders.items():
            estimates = batched_call(critic_owner.estimate_alpha, mixes)
            metrics[f"{name}_interpolation_alpha_by_{critic_name}_critic"] = float(
                np.mean(estimates))
    return metrics


class PegasusMonitor(RunCallback):
    """After every epoch: adds `generation_metrics` and `interpolation_metrics` to the
    epoch's logs and draws a grid of class-conditional samples (one row per class)
    through the run (`plots/` and TensorBoard), realism and diversity in its title; given
    `test_labels`, also logs the bird → horse strips of every method to TensorBoard.

    Args:
        generator, judge: the DCGAN generator and the judge classifier being trained.
        autoencoders: `{name: ACAI}` (ACAI and its λ = 0 baseline).
        quality: a `SampleQuality` of the real test images, grouped by class.
        test_images: float32 real test images in [-1, 1].
        test_labels: their classes, to find the strips' bird and horse (None: no strips).
        class_names: caption of every class (say "synthetic" where it is).
        classes: the classes the data hold (all by default), which the metrics sample.
        title: figure title.
        per_class: samples per class for the metrics.
        seed: fixes the latents, so epochs are compared on the same draws.
        grid_columns: samples per class in the grid.
    """

    def __init__(self, generator, judge, autoencoders, quality, test_images, class_names,
                 title, classes=None, per_class=50, seed=0, grid_columns=8, test_labels=None):
        super().__init__()
        self.generator = generator
        self.judge = judge
        self.autoencoders = autoencoders
        self.quality = quality
        self.test_images = test_images
        self.test_labels = test_labels
        self.class_names = class_names
        self.classes = classes
        self.title = title
        self.per_class = per_class
        self.seed = seed
        self.grid_columns = grid_columns

    def measure(self):
        metrics = generation_metrics(self.generator, self.judge, self.quality, self.per_class,
                                     self.seed, self.classes)
        metrics.update(interpolation_metrics(self.autoencoders, self.test_images[:256],
                                             self.seed))
        return metrics

    def on_epoch_end(self, epoch, logs=None):
        metrics = self.measure()
        logs.update(metrics)
        images = self.samples()
        self.run.save_figure(f"samples_epoch_{epoch + 1:03d}",
                             self.figure(f"{self.title}, epoch {epoch + 1}", metrics, images),
                             artifact=False)
        self.run.log_images("class_samples", tile_images(images, self.grid_columns)[None],
                            step=epoch + 1, description="One row per class: "
                            + ", ".join(self.class_names))
        strips = self.strips()
        if strips:
            rows = np.clip((np.concatenate(list(strips.values())) + 1) / 2, 0, 1)
            steps = len(next(iter(strips.values())))
            self.run.log_images("interpolations", tile_images(rows, steps)[None],
                                step=epoch + 1, description="Bird → horse, one row per "
                                "method: " + "; ".join(strips))

    def strips(self):
        """The bird → horse strips of the final `interpolations` figure, as they are now."""
        if self.test_labels is None:
            return {}
        return bird_horse_strips(self.generator, self.autoencoders, self.test_images,
                                 self.test_labels, self.seed)

    def samples(self):
        """`grid_columns` samples of every class, class by class, as [0, 1] images."""
        images, _ = class_conditional_samples(self.generator, self.grid_columns, self.seed)
        return np.clip((images + 1) / 2, 0, 1)

    def figure(self, title, metrics, images=None):
        """One row of samples per class; the title's second line holds `metrics`'
        realism and diversity."""
        images = self.samples() if images is None else images
        captions = [self.class_names[i // self.grid_columns] if i % self.grid_columns == 0
                    else "" for i in range(len(images))]
        return plot_image_grid(images, captions, f"{title}\n{caption(metrics)}",
                               columns=self.grid_columns)


def caption(metrics):
    """One line of the samples' realism, diversity and judge accuracy."""
    parts = [("KID", "generated_kid", ".3f"), ("precision", "generated_precision", ".2f"),
             ("recall", "generated_recall", ".2f"),
             ("diversity within class", "generated_diversity", ".2f"),
             ("judge accuracy", "generated_judge_accuracy", ".2f")]
    return " · ".join(f"{label} {metrics[key]:{spec}}" for label, key, spec in parts
                      if key in metrics)
