"""What a Pegasus run measures after every epoch, and its per-class sample grids."""

import numpy as np

from dlx_tf.evaluation.kernel_inception_distance import kernel_inception_distance
from dlx_tf.projects.pegasus.pegasus_search import batched_call
from dlx_tf.training.callbacks import RunCallback
from dlx_tf.viz.grids import plot_image_grid


def class_conditional_samples(generator, per_class, seed):
    """`per_class` samples of every class on fixed latents: `(images, labels)`."""
    labels = np.repeat(np.arange(generator.num_classes), per_class)
    latents = np.random.default_rng(seed).standard_normal(
        (len(labels), generator.latent_dim)).astype("float32")
    one_hot = np.eye(generator.num_classes, dtype="float32")[labels]
    images = batched_call(lambda z, c: generator((z, c), training=False), latents, one_hot)
    return images, labels


def judge_features(judge, images):
    return batched_call(lambda x: judge.features(x, training=False), images)


def generation_metrics(generator, judge, real_features, per_class, seed):
    """`generated_judge_accuracy`: share of class-conditional samples the judge puts in
    their class (chance 1/classes); `kid_judge_features`: KID between samples and real
    test images, on the judge's pooled features (not Inception's)."""
    images, labels = class_conditional_samples(generator, per_class, seed)
    logits = batched_call(lambda x: judge(x, training=False), images)
    kid, kid_std = kernel_inception_distance(real_features, judge_features(judge, images),
                                             subset_size=min(1000, len(images)))
    return {"generated_judge_accuracy": float(np.mean(logits.argmax(axis=1) == labels)),
            "kid_judge_features": kid, "kid_judge_features_std": kid_std}


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
    through the run (`plots/` and TensorBoard).

    Args:
        generator, judge: the DCGAN generator and the judge classifier being trained.
        autoencoders: `{name: ACAI}` (ACAI and its λ = 0 baseline).
        test_images: float32 real test images in [-1, 1].
        class_names: caption of every class (say "synthetic" where it is).
        title: figure title.
        per_class: samples per class for the metrics.
        seed: fixes the latents, so epochs are compared on the same draws.
        grid_columns: samples per class in the grid.
    """

    def __init__(self, generator, judge, autoencoders, test_images, class_names, title,
                 per_class=50, seed=0, grid_columns=8):
        super().__init__()
        self.generator = generator
        self.judge = judge
        self.autoencoders = autoencoders
        self.test_images = test_images
        self.class_names = class_names
        self.title = title
        self.per_class = per_class
        self.seed = seed
        self.grid_columns = grid_columns

    def measure(self):
        real = judge_features(self.judge, self.test_images)
        metrics = generation_metrics(self.generator, self.judge, real, self.per_class, self.seed)
        metrics.update(interpolation_metrics(self.autoencoders, self.test_images[:256],
                                             self.seed))
        return metrics

    def on_epoch_end(self, epoch, logs=None):
        logs.update(self.measure())
        images = self.samples()
        self.run.save_figure(f"samples_epoch_{epoch + 1:03d}",
                             self._grid(images, f"{self.title}, epoch {epoch + 1}"),
                             artifact=False)
        self.run.log_images("class_samples", images[:: self.grid_columns], step=epoch + 1)

    def samples(self):
        """`grid_columns` samples of every class, class by class, as [0, 1] images."""
        images, _ = class_conditional_samples(self.generator, self.grid_columns, self.seed)
        return np.clip((images + 1) / 2, 0, 1)

    def figure(self, title):
        """One row of samples per class."""
        return self._grid(self.samples(), title)

    def _grid(self, images, title):
        captions = [self.class_names[i // self.grid_columns] if i % self.grid_columns == 0
                    else "" for i in range(len(images))]
        return plot_image_grid(images, captions, title, columns=self.grid_columns)
