"""The ACAI training wrapper: autoencoder, critic and latent probe, three optimizers."""

import keras
import tensorflow as tf
from keras import ops

from dlx_tf.losses.acai import ACAILosses, fold_alpha, mix_latents
from dlx_tf.models.acai.interpolation import lerp, slerp
from dlx_tf.training.distribute import replica_seed
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer

LOSS_NAMES = ("reconstruction_loss", "autoencoder_adversarial_loss", "critic_loss",
              "critic_real_loss", "probe_loss")


class ACAI(TrainableModel):
    """Adversarially Constrained Autoencoder Interpolation (Berthelot, Raffel, Roy and
    Goodfellow 2018, https://arxiv.org/abs/1807.07543), as the official `acai.py`.

    One forward pass per step: the encoder's latents are mixed with those of the
    reversed batch, `α · z + (1 - α) · z_reversed` with α ~ U[0, 1] folded into [0, 0.5];
    the critic regresses α from the decoded mixes and is pushed to 0 on reconstructions
    pulled towards the data; the autoencoder minimises the squared reconstruction error
    plus `adversarial_weight` times the critic's output squared on its mixes. A linear
    probe on the (stopped) latents measures representation quality, as the paper's
    single-layer classifier. Three Adams update the autoencoder, the critic and the probe
    from that same pass. The wrapper is never exported; its encoder and decoder are.

    With `adversarial_weight=0` this is the paper's plain-autoencoder baseline: the
    autoencoder ignores the critic, but the critic still trains on the baseline's
    interpolations, so `estimate_alpha` can measure how recognisable they are.

    Args:
        encoder: an `ACAIEncoder`.
        decoder: an `ACAIDecoder` with the encoder's `scales`.
        critic: an `ACAICritic`.
        num_classes: classes of the labels the probe predicts.
        adversarial_weight: λ on the autoencoder's adversarial term (`--advweight`, 0.5).
        regularization: γ of the critic's "real" inputs `x̂ + γ(x - x̂)` (`--reg`, 0.2).
        seed: seeds the per-replica draws of α.

    Example:
    ```python
    acai = ACAI(ACAIEncoder(), ACAIDecoder(), ACAICritic(), num_classes=10)
    acai.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4),
                 keras.optimizers.Adam(1e-4))
    acai.build_for_training(next(iter(dataset)))  # batches of (images in [-1, 1], labels)
    acai.fit(dataset)
    ```
    """

    def __init__(self, encoder, decoder, critic, num_classes=10, adversarial_weight=0.5,
                 regularization=0.2, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.critic = critic
        self.num_classes = num_classes
        self.adversarial_weight = adversarial_weight
        self.regularization = regularization
        self.seed = seed
        # classifiers.single_layer_classifier: flatten, then one dense layer (float32 logits).
        self.probe = keras.Sequential(
            [keras.layers.Flatten(), keras.layers.Dense(num_classes, dtype="float32")],
            name="probe",
        )
        self.trackers = {name: keras.metrics.Mean(name=name) for name in LOSS_NAMES}
        self.probe_accuracy = keras.metrics.SparseCategoricalAccuracy(name="probe_accuracy")

    def call(self, inputs):
        # A real batch `(images, labels)`, or images alone; returns the reconstructions.
        images = inputs[0] if isinstance(inputs, (tuple, list)) else inputs
        return self.decoder(self.encoder(images))

    def compile(self, autoencoder_optimizer, critic_optimizer, probe_optimizer,
                jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.autoencoder_optimizer = autoencoder_optimizer
        self.critic_optimizer = critic_optimizer
        self.probe_optimizer = probe_optimizer
        # Keras Loss objects divide by the replica count under a strategy (docs/keras3_notes.md).
        self.objectives = ACAILosses(self.regularization)
        self.cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def build_for_training(self, batch):
        images, _ = batch
        latents = self.encoder(images)
        self.decoder(latents)
        self.critic(images)
        self.probe(latents)
        self(images)
        self.autoencoder_optimizer = prepare_optimizer(self.autoencoder_optimizer,
                                                       self._autoencoder_variables())
        self.critic_optimizer = prepare_optimizer(self.critic_optimizer,
                                                  self.critic.trainable_variables)
        self.probe_optimizer = prepare_optimizer(self.probe_optimizer,
                                                 self.probe.trainable_variables)

    def training_optimizers(self):
        return {"autoencoder": self.autoencoder_optimizer, "critic": self.critic_optimizer,
                "probe": self.probe_optimizer}

    @property
    def metrics(self):
        return [*self.trackers.values(), self.probe_accuracy]

    # === Helpers for experiments ===
    def encode(self, images):
        return self.encoder(images)  # (batch, h / 2**scales, w / 2**scales, latent)

    def decode(self, latents):
        return self.decoder(latents)  # (batch, h, w, colors)

    def interpolate(self, images_a, images_b, alpha, spherical=False):
        """Decodes `(1 - α) · E(a) + α · E(b)`: α = 0 reconstructs `a`, α = 1 reconstructs `b`.
        `alpha` is a scalar or shape `(batch,)`; `spherical=True` uses `slerp` instead."""
        mix = slerp if spherical else lerp
        return self.decode(mix(self.encode(images_a), self.encode(images_b), alpha))

    def estimate_alpha(self, images):
        """The critic's estimate of each image's mixing coefficient: 0 looks real."""
        return self.critic(images)  # (batch,)

    def sample_alpha(self, batch_size):
        """Per-example mixing coefficients in [0, 0.5] for this step, different on every
        replica and step (a stateless draw; docs/keras3_notes.md)."""
        seed = replica_seed(self.seed, self.critic_optimizer.iterations)
        return fold_alpha(tf.random.stateless_uniform([batch_size], seed))  # (batch,)

    def _autoencoder_variables(self):
        return self.encoder.trainable_variables + self.decoder.trainable_variables

    def train_step(self, data):
        # 1. Encode, reconstruct, mix each latent with the reversed batch's, decode the mixes.
        # 2. Score the mixes and the regularised reconstructions with the critic.
        # 3. Classify the stopped latents with the probe.
        # 4. Take all three objectives' gradients from this one pass, then apply the three
        #    updates (acai.py groups its three `minimize` ops into one train op).
        images, labels = data
        alpha = self.sample_alpha(tf.shape(images)[0])  # (batch,)
        losses = {}
        with tf.GradientTape(persistent=True) as tape:
            latents = self.encoder(images, training=True)
            reconstructions = self.decoder(latents, training=True)
            mixes = self.decoder(mix_latents(latents, alpha), training=True)
            mix_scores = self.critic(mixes, training=True)  # (batch,)
            real_scores = self.critic(
                self.objectives.regularized_reconstructions(images, reconstructions),
                training=True)
            logits = self.probe(ops.stop_gradient(latents), training=True)
            losses["reconstruction_loss"] = self.objectives.reconstruction_loss(
                images, reconstructions)
            losses["autoencoder_adversarial_loss"] = (
                self.objectives.autoencoder_adversarial_loss(mix_scores))
            losses["critic_loss"] = self.objectives.critic_loss(mix_scores, alpha)
            losses["critic_real_loss"] = self.objectives.critic_real_loss(real_scores)
            losses["probe_loss"] = self.cross_entropy(labels, logits)
            objectives = {
                "autoencoder": losses["reconstruction_loss"]
                + self.adversarial_weight * losses["autoencoder_adversarial_loss"],
                "critic": losses["critic_loss"] + losses["critic_real_loss"],
                "probe": losses["probe_loss"],
            }
            # Scaled inside the tape so that a LossScaleOptimizer's scaling is recorded.
            scaled = {name: self.training_optimizers()[name].scale_loss(loss)
                      for name, loss in objectives.items()}
        variables = {"autoencoder": self._autoencoder_variables(),
                     "critic": self.critic.trainable_variables,
                     "probe": self.probe.trainable_variables}
        gradients = {name: tape.gradient(scaled[name], variables[name]) for name in scaled}
        del tape
        for name, optimizer in self.training_optimizers().items():
            optimizer.apply(gradients[name], variables[name])

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for name, value in losses.items():
            self.trackers[name].update_state(value * replicas)  # logged unscaled
        self.probe_accuracy.update_state(labels, logits)
        return {metric.name: metric.result() for metric in self.metrics}
