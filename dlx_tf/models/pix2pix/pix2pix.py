"""The pix2pix training wrapper: a generator and a conditional discriminator, two optimizers."""

import keras
import tensorflow as tf
from keras import ops

from dlx_tf.training.trainable import TwoPlayerModel, prepare_optimizer

LOSS_NAMES = ("generator_loss", "adversarial", "l1_loss", "discriminator_loss",
              "discriminator_real", "discriminator_fake")


class Pix2Pix(TwoPlayerModel):
    """Paired image-to-image translation (Isola et al. 2017, https://arxiv.org/abs/1611.07004).

    A conditional GAN with an L1 term (§3.1, eq. 4), trained like `pix2pix_model.py` of
    the authors' code (`--gan_mode vanilla`, `--pool_size 0`): the generator translates
    each input once; the discriminator, which sees input and output concatenated on the
    channel axis, is updated first on real pairs vs the (detached) translated ones, its
    loss halved; then the generator is updated to make the updated discriminator call
    its pairs real, plus `l1_weight` times the L1 distance to the targets. The GAN loss
    is the sigmoid cross-entropy of the discriminator's logits, averaged over patches.
    One optimizer per player (Adam 2e-4, β1 0.5 in the paper). The wrapper is never
    exported; its generator is.

    Args:
        generator: a `Pix2PixGenerator` (any image-to-image model).
        discriminator: a `PatchGANDiscriminator` taking `input + output` channels.
        l1_weight: λ on the L1 term (100).

    Example:
    ```python
    gan = Pix2Pix(Pix2PixGenerator(), PatchGANDiscriminator(normalization="batch"))
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    ```
    """

    def __init__(self, generator, discriminator, l1_weight=100.0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = l1_weight
        self.trackers = {name: keras.metrics.Mean(name=name) for name in LOSS_NAMES}

    def call(self, inputs):
        images, _ = inputs
        return self.generator(images)

    def compile(self, generator_optimizer, discriminator_optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        # Keras Loss objects divide by the replica count under a strategy (docs/keras3_notes.md).
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.l1 = keras.losses.MeanAbsoluteError()

    def build_for_training(self, batch):
        images, targets = batch
        self.generator(images)
        self.discriminator(ops.concatenate([images, targets], axis=-1))
        self(batch)
        self.generator_optimizer = prepare_optimizer(self.generator_optimizer,
                                                     self.generator.trainable_variables)
        self.discriminator_optimizer = prepare_optimizer(
            self.discriminator_optimizer, self.discriminator.trainable_variables)

    def _scores(self, images, outputs):
        # Conditional: the discriminator judges (input, output) pairs (§3.1).
        return self.discriminator(ops.concatenate([images, outputs], axis=-1), training=True)

    def _is_real(self, scores, real):
        labels = ops.ones_like(scores) if real else ops.zeros_like(scores)
        return self.cross_entropy(labels, scores)

    def train_step(self, data):
        # 1. Translate the inputs once, recording for the generator's gradient.
        # 2. Update the discriminator: real pairs vs translated pairs (detached), halved.
        # 3. Update the generator against the updated discriminator, plus λ·L1.
        images, targets = data
        with tf.GradientTape() as generator_tape:
            fakes = self.generator(images, training=True)  # (batch, h, w, c) float32

        with tf.GradientTape() as tape:
            losses = {
                "discriminator_real": 0.5 * self._is_real(self._scores(images, targets), True),
                "discriminator_fake": 0.5 * self._is_real(
                    self._scores(images, ops.stop_gradient(fakes)), False),
            }
            discriminator_loss = losses["discriminator_real"] + losses["discriminator_fake"]
            # Scaled inside the tape: under mixed_float16 the scaling must be recorded.
            scaled_loss = self.discriminator_optimizer.scale_loss(discriminator_loss)
        variables = self.discriminator.trainable_variables
        self.discriminator_optimizer.apply(tape.gradient(scaled_loss, variables), variables)

        with generator_tape:  # resumed: the gradient flows back through `fakes`
            losses["adversarial"] = self._is_real(self._scores(images, fakes), True)
            losses["l1_loss"] = self.l1_weight * self.l1(targets, fakes)
            generator_loss = losses["adversarial"] + losses["l1_loss"]
            scaled_loss = self.generator_optimizer.scale_loss(generator_loss)
        variables = self.generator.trainable_variables
        self.generator_optimizer.apply(generator_tape.gradient(scaled_loss, variables),
                                       variables)

        losses["discriminator_loss"] = discriminator_loss
        losses["generator_loss"] = generator_loss
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for name, value in losses.items():
            self.trackers[name].update_state(value * replicas)  # logged unscaled
        return {name: tracker.result() for name, tracker in self.trackers.items()}
