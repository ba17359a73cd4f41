"""The conditional DCGAN training wrapper: non-saturating, hinge or WGAN-GP objectives."""

import keras
import tensorflow as tf
from keras import ops

from dlx_tf.losses.adversarial import AdversarialObjective
from dlx_tf.losses.gradient_penalty import gradient_penalty
from dlx_tf.training.trainable import TwoPlayerModel, prepare_optimizer

LOSS_NAMES = ("generator_loss", "discriminator_loss", "real_score", "fake_score")


class DCGAN(TwoPlayerModel):
    """Trains a class-conditional `DCGANGenerator` against a `DCGANDiscriminator`.

    Each step makes `n_critic` discriminator (critic) updates, each on its own slice of
    the batch, as Gulrajani et al.'s code draws fresh real data per critic iteration,
    then one generator update conditioned on the last slice's labels. Batches are
    `(images in [-1, 1], integer labels)`; labels become one-hot class mixtures. The
    wrapper is never exported; its generator and discriminator are.

    Objectives (`dlx_tf.losses.adversarial`) and the settings of their papers, which the
    caller passes in:
    - `"non_saturating"` (Radford et al. 2015, https://arxiv.org/abs/1511.06434 §4) and
      `"hinge"` (Miyato et al. 2018): `n_critic=1`, Adam(2e-4, beta_1=0.5) for both.
    - `"wgan_gp"` (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028, Algorithm 1):
      λ = `gradient_penalty_weight` = 10, `n_critic=5`, Adam(1e-4, beta_1=0, beta_2=0.9)
      for both, and a critic without batch norm (`normalization="layer"` or `None`).

    Noise is reproducible and independent of the replica count: each latent (and each
    interpolation weight ε) is drawn for the whole global batch from a stateless seed
    `(seed, optimizer iterations)`, and every replica takes its own rows, so replicas
    get distinct noise and 2 replicas train like 1 device on the same global batch.

    Logs `generator_loss`, `discriminator_loss` (without the penalty), `gradient_penalty`
    (`"wgan_gp"` only) and the mean raw scores `real_score` / `fake_score`; losses are
    multiplied back by the replica count, and critic terms average the critic iterations.

    Args:
        generator: a `DCGANGenerator`.
        discriminator: a `DCGANDiscriminator` with the same `num_classes`.
        loss: `"non_saturating"`, `"hinge"` or `"wgan_gp"`.
        n_critic: discriminator updates per generator update; the per-replica batch
            must be divisible by it.
        gradient_penalty_weight: λ on the gradient penalty; used with `"wgan_gp"` only.
        latent_dim: size of z; `None` takes the generator's.
        seed: seeds the latent and ε streams.

    Example:
    ```python
    gan = DCGAN(DCGANGenerator(), DCGANDiscriminator(normalization="layer"),
                loss="wgan_gp", n_critic=5)
    gan.compile(keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9))
    gan.build_for_training(next(iter(dataset)))  # inside the strategy scope
    gan.fit(dataset)  # batches of (images, labels), 5 critic slices each
    ```
    """

    def __init__(self, generator, discriminator, loss="non_saturating", n_critic=1,
                 gradient_penalty_weight=10.0, latent_dim=None, seed=0, **kwargs):
        super().__init__(**kwargs)
        if latent_dim is not None and latent_dim != generator.latent_dim:
            raise ValueError(f"latent_dim {latent_dim} differs from the generator's "
                             f"{generator.latent_dim}")
        if generator.num_classes != discriminator.num_classes:
            raise ValueError(f"the generator has {generator.num_classes} classes, the "
                             f"discriminator {discriminator.num_classes}")
        if not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic must be a positive integer; got {n_critic!r}")
        if loss == "wgan_gp" and getattr(discriminator, "normalization", None) == "batch":
            raise ValueError(
                "loss='wgan_gp' penalizes each sample's gradient, which batch norm couples "
                "across the batch (Gulrajani et al. 2017 §4): build the discriminator with "
                "normalization='layer' or None"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.loss_kind = loss
        self.objective = AdversarialObjective(loss)
        self.n_critic = n_critic
        self.gradient_penalty_weight = gradient_penalty_weight
        self.latent_dim = generator.latent_dim
        self.num_classes = generator.num_classes
        self.seed = seed
        names = LOSS_NAMES + (("gradient_penalty",) if loss == "wgan_gp" else ())
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    def call(self, inputs, training=False):
        images, labels = inputs
        mixtures = self._mixtures(labels)
        # The prior's mode as latents: enough to build and trace both networks.
        latents = ops.zeros((ops.shape(images)[0], self.latent_dim))
        fakes = self.generator((latents, mixtures), training=training)
        return self.discriminator((images, mixtures), training=training), fakes

    def compile(self, generator_optimizer, discriminator_optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer

    def build_for_training(self, batch):
        images, labels = batch
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        size = images.shape[0]
        if size % replicas or (size // replicas) % self.n_critic:
            raise ValueError(
                f"the global batch of {size} must split into {replicas} equal replica "
                f"batches, each divisible by n_critic={self.n_critic}: use a global batch "
                f"that is a multiple of {replicas * self.n_critic}"
            )
        self((images, labels))
        self.generator_optimizer = prepare_optimizer(
            self.generator_optimizer, self.generator.trainable_variables)
        self.discriminator_optimizer = prepare_optimizer(
            self.discriminator_optimizer, self.discriminator.trainable_variables)

    def _mixtures(self, labels):
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        return ops.one_hot(labels, self.num_classes)  # (batch, num_classes)

    def _critic_scores(self, images, fakes, mixtures):
        """The critic's scores of real and generated images, in training mode."""
        if self.discriminator.normalization == "batch":
            # Batch norm sees the real and the generated batch apart, as in Radford §4.
            return (self.discriminator((images, mixtures), training=True),
                    self.discriminator((fakes, mixtures), training=True))
        # Per-sample norms give the same scores in one call, and spectral norm then runs
        # one power iteration per critic update (Miyato et al. Algorithm 1).
        batch = ops.shape(images)[0]
        scores = self.discriminator((ops.concatenate([images, ops.cast(fakes, images.dtype)]),
                                     ops.concatenate([mixtures, mixtures])), training=True)
        return scores[:batch], scores[batch:]

    def _critic_step(self, images, mixtures, logs):
        step = self.discriminator_optimizer.iterations
        latents = _global_noise(tf.random.stateless_normal, self.latent_dim, self.seed, step, 0,
                                ops.shape(images)[0])
        fakes = ops.stop_gradient(self.generator((latents, mixtures), training=True))
        with tf.GradientTape() as tape:
            real_scores, fake_scores = self._critic_scores(images, fakes, mixtures)
            loss = self.objective.discriminator_loss(real_scores, fake_scores)
            total = loss
            if self.loss_kind == "wgan_gp":
                epsilon = _global_noise(tf.random.stateless_uniform, None, self.seed, step, 1,
                                        ops.shape(images)[0])
                penalty = gradient_penalty(
                    lambda x: self.discriminator((x, mixtures), training=True),
                    images, fakes, epsilon,
                    loss_scale=self.discriminator_optimizer.scale_loss(1.0))
                logs["gradient_penalty"].append(penalty)
                total = loss + self.gradient_penalty_weight * penalty
            # Scaled inside the tape: under mixed_float16 the scaling must be recorded.
            scaled = self.discriminator_optimizer.scale_loss(total)
        variables = self.discriminator.trainable_variables
        gradients = tape.gradient(scaled, variables)
        self.discriminator_optimizer.apply(gradients, variables)
        logs["discriminator_loss"].append(loss)
        logs["real_score"].append(ops.mean(real_scores))
        logs["fake_score"].append(ops.mean(fake_scores))

    def train_step(self, data):
        # 1. One-hot the labels; split the replica's batch into n_critic critic slices
        #    (strided, so slice k holds the same examples on 1 or R replicas).
        # 2. For each slice: draw latents, generate fakes, update the discriminator on
        #    the adversarial loss (+ λ · gradient penalty at interpolates, ε ~ U[0, 1]).
        # 3. Update the generator once on fresh latents, with the last slice's labels.
        # 4. Log losses multiplied back by the replica count, and mean scores; critic
        #    terms are averaged over the critic iterations.
        images, labels = data
        mixtures = self._mixtures(labels)
        logs = {name: [] for name in self.trackers}
        for k in range(self.n_critic):
            self._critic_step(images[k::self.n_critic], mixtures[k::self.n_critic], logs)

        last = mixtures[self.n_critic - 1::self.n_critic]
        latents = _global_noise(tf.random.stateless_normal, self.latent_dim, self.seed,
                                self.generator_optimizer.iterations, 2, ops.shape(last)[0])
        with tf.GradientTape() as tape:
            fakes = self.generator((latents, last), training=True)
            generator_loss = self.objective.generator_loss(
                self.discriminator((fakes, last), training=True))
            scaled = self.generator_optimizer.scale_loss(generator_loss)
        variables = self.generator.trainable_variables
        gradients = tape.gradient(scaled, variables)
        self.generator_optimizer.apply(gradients, variables)

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        logs["generator_loss"].append(generator_loss)
        for name, values in logs.items():
            # Loss values are divided by the replica count; scores are plain means.
            scale = 1 if name in ("real_score", "fake_score") else replicas
            for value in values:
                self.trackers[name].update_state(value * scale)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def _global_noise(draw, dim, seed, step, purpose, rows):
    """This replica's `rows` of a `draw` (a `tf.random.stateless_*`) made for the global
    batch, `(rows, dim)` or `(rows,)`. Seeded by `(seed, step)` and split by `purpose`
    (critic latents, ε, generator latents) into independent streams; replica r takes
    rows `[r * rows, (r + 1) * rows)`, the rows its examples have in the global batch."""
    context = tf.distribute.get_replica_context()
    replica = 0 if context is None else context.replica_id_in_sync_group
    replicas = 1 if context is None else context.num_replicas_in_sync
    key = tf.stack([tf.constant(seed, tf.int64), tf.cast(step, tf.int64)])
    key = tf.random.experimental.stateless_split(key, 3)[purpose]
    shape = (rows * replicas,) if dim is None else (rows * replicas, dim)
    noise = draw(shape, key)
    return noise[rows * replica:rows * (replica + 1)]
