"""The CycleGAN training wrapper: two generators, two discriminators, two optimizers."""

import keras
import tensorflow as tf
from keras import ops

from dlx_tf.models.cyclegan.image_pool import ImagePool
from dlx_tf.training.distribute import replica_seed
from dlx_tf.training.trainable import TwoPlayerModel, prepare_optimizer

LOSS_NAMES = ("generator_loss", "adversarial_a2b", "adversarial_b2a", "cycle_a", "cycle_b",
              "identity_a", "identity_b", "discriminator_a_loss", "discriminator_b_loss")


class CycleGAN(TwoPlayerModel):
    """Unpaired image-to-image translation (Zhu et al. 2017, https://arxiv.org/abs/1703.10593).

    Trains `generator_a2b` (A → B) and `generator_b2a` (B → A) against
    `discriminator_b` (real B vs translated A) and `discriminator_a` with the
    least-squares GAN objective, cycle consistency and identity losses; the
    discriminators see generated images through a history pool. One Adam updates
    both generators, another both discriminators, as in the official code. The
    wrapper is never exported; its generators are.

    Args:
        generator_a2b, generator_b2a: `CycleGANGenerator`s.
        discriminator_a, discriminator_b: `PatchGANDiscriminator`s for domains A and B.
        cycle_weight: λ on both cycle L1 terms (10).
        identity_weight: λ_identity; the identity L1 is weighted `identity_weight * λ`
            (0.5, §5.2 "Photo generation from paintings").
        pool_size: images in each discriminator's history pool (50).
        seed: seeds the pools' per-replica random streams.

    Example:
    ```python
    gan = CycleGAN(CycleGANGenerator(), CycleGANGenerator(), PatchGANDiscriminator(),
                   PatchGANDiscriminator())
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    ```
    """

    def __init__(self, generator_a2b, generator_b2a, discriminator_a, discriminator_b,
                 cycle_weight=10.0, identity_weight=0.5, pool_size=50, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.generator_a2b = generator_a2b
        self.generator_b2a = generator_b2a
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        self.seed = seed
        self.pool_a = ImagePool(pool_size, name="pool_a")
        self.pool_b = ImagePool(pool_size, name="pool_b")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in LOSS_NAMES}

    def call(self, inputs):
        real_a, real_b = inputs
        return self.generator_a2b(real_a), self.generator_b2a(real_b)

    def compile(self, generator_optimizer, discriminator_optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        # Keras Loss objects divide by the replica count under a strategy (docs/keras3_notes.md).
        self.least_squares = keras.losses.MeanSquaredError()
        self.l1 = keras.losses.MeanAbsoluteError()

    def build_for_training(self, batch):
        real_a, real_b = batch
        # The pools need a static batch, which a distributed iterator read several steps
        # per call (steps_per_execution) no longer carries: train_step restores it.
        self.replica_batch = real_a.shape[0] // tf.distribute.get_strategy().num_replicas_in_sync
        self.generator_a2b(real_a)
        self.generator_b2a(real_b)
        self.discriminator_a(real_a)
        self.discriminator_b(real_b)
        self.pool_a.build(real_a.shape)
        self.pool_b.build(real_b.shape)
        self((real_a, real_b))
        self.generator_optimizer = prepare_optimizer(self.generator_optimizer,
                                                     self._generator_variables())
        self.discriminator_optimizer = prepare_optimizer(self.discriminator_optimizer,
                                                         self._discriminator_variables())

    def _generator_variables(self):
        return self.generator_a2b.trainable_variables + self.generator_b2a.trainable_variables

    def _discriminator_variables(self):
        return (self.discriminator_a.trainable_variables
                + self.discriminator_b.trainable_variables)

    def _fooled(self, scores):
        return self.least_squares(ops.ones_like(scores), scores)

    def _discriminator_loss(self, discriminator, real, fake):
        real_scores = discriminator(real, training=True)
        fake_scores = discriminator(ops.stop_gradient(fake), training=True)
        # Halved "to slow down the rate at which D learns relative to G" (§7.1).
        return 0.5 * (self.least_squares(ops.ones_like(real_scores), real_scores)
                      + self.least_squares(ops.zeros_like(fake_scores), fake_scores))

    def train_step(self, data):
        # 1. Translate both ways, back again, and each domain onto itself (identity).
        # 2. Update the generators: fool both discriminators, cycle and identity L1.
        # 3. Pass this step's fakes through the history pools.
        # 4. Update the discriminators on real vs pooled fakes.
        real_a, real_b = (tf.ensure_shape(x, (self.replica_batch,) + tuple(x.shape[1:]))
                          for x in data)
        with tf.GradientTape() as tape:
            fake_b = self.generator_a2b(real_a, training=True)
            cycled_a = self.generator_b2a(fake_b, training=True)
            fake_a = self.generator_b2a(real_b, training=True)
            cycled_b = self.generator_a2b(fake_a, training=True)
            losses = {
                "adversarial_a2b": self._fooled(self.discriminator_b(fake_b)),
                "adversarial_b2a": self._fooled(self.discriminator_a(fake_a)),
                "cycle_a": self.cycle_weight * self.l1(real_a, cycled_a),
                "cycle_b": self.cycle_weight * self.l1(real_b, cycled_b),
            }
            if self.identity_weight > 0:
                identity = self.identity_weight * self.cycle_weight
                same_b = self.generator_a2b(real_b, training=True)
                same_a = self.generator_b2a(real_a, training=True)
                losses["identity_a"] = identity * self.l1(real_a, same_a)
                losses["identity_b"] = identity * self.l1(real_b, same_b)
            generator_loss = sum(losses.values())
            # Scaled inside the tape: under mixed_float16 the scaling must be recorded.
            scaled_loss = self.generator_optimizer.scale_loss(generator_loss)
        variables = self._generator_variables()
        gradients = tape.gradient(scaled_loss, variables)
        self.generator_optimizer.apply(gradients, variables)

        seed = replica_seed(self.seed, self.discriminator_optimizer.iterations)
        draws = tf.random.stateless_uniform((2, real_a.shape[0], 2), seed)
        pooled_a = self.pool_a(fake_a, draws[0])
        pooled_b = self.pool_b(fake_b, draws[1])
        with tf.GradientTape() as tape:
            losses["discriminator_a_loss"] = self._discriminator_loss(
                self.discriminator_a, real_a, pooled_a)
            losses["discriminator_b_loss"] = self._discriminator_loss(
                self.discriminator_b, real_b, pooled_b)
            discriminator_loss = losses["discriminator_a_loss"] + losses["discriminator_b_loss"]
            scaled_loss = self.discriminator_optimizer.scale_loss(discriminator_loss)
        variables = self._discriminator_variables()
        gradients = tape.gradient(scaled_loss, variables)
        self.discriminator_optimizer.apply(gradients, variables)

        losses["generator_loss"] = generator_loss
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for name, value in losses.items():
            self.trackers[name].update_state(value * replicas)  # logged unscaled
        return {name: tracker.result() for name, tracker in self.trackers.items()
                if name in losses}
