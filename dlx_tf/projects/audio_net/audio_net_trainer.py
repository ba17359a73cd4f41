"""The Audio-Net training wrapper: head and backbone optimizers, a frozen phase, mixup."""

import math

import keras
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.training.distribute import replica_seed
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


class AudioNetTrainer(TrainableModel):
    """Fine-tunes an `AudioNetClassifier` on `(spectrograms, labels)` batches.

    The transfer-learning recipe: the new head and the pretrained backbone have their own
    optimizers (typically the backbone's with a smaller learning rate). While
    `backbone_frozen` is True only the head trains and the backbone runs in inference
    mode, so its batch-norm statistics stay those of the preset; `BackboneUnfreezing`
    sets it per epoch. With `mixup_alpha > 0` every batch is mixed with a shuffled copy
    of itself (Zhang et al. 2018, https://arxiv.org/abs/1710.09412). Logs `loss` and
    `accuracy`, under mixup against each mixed example's dominant label (its own if
    λ ≥ 1/2, else its partner's); `evaluate` logs the same without mixup. The wrapper is
    never exported; its classifier is.

    Args:
        classifier: an `AudioNetClassifier` (anything with `backbone` and `head` layers
            whose call takes `frozen_backbone`).

    Example:
    ```python
    trainer = AudioNetTrainer(AudioNetClassifier(num_classes=10))
    trainer.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-4),
                    mixup_alpha=0.2)
    trainer.fit(train, epochs=30, callbacks=[BackboneUnfreezing(freeze_epochs=2)])
    ```
    """

    def __init__(self, classifier, **kwargs):
        super().__init__(**kwargs)
        self.classifier = classifier
        # A Python bool read when the step is traced; changing it needs a re-trace.
        self.backbone_frozen = False
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    def call(self, spectrograms, training=False):
        return self.classifier(spectrograms, training=training)

    def compile(self, head_optimizer, backbone_optimizer, mixup_alpha=0.0, seed=0,
                jit_compile=False):
        """`mixup_alpha`: α of the Beta(α, α) mixing weights, 0 for no mixup (0.2 in
        §3.1 for ImageNet); `seed` seeds the mixup draws."""
        if mixup_alpha < 0:
            raise UsageError(f"mixup_alpha must be 0 (off) or positive; got {mixup_alpha}")
        super().compile(jit_compile=jit_compile)
        self.head_optimizer = head_optimizer
        self.backbone_optimizer = backbone_optimizer
        self.mixup_alpha = float(mixup_alpha)
        self.seed = seed
        # A Keras Loss divides by the replica count under a strategy (docs/keras3_notes.md).
        self.cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def build_for_training(self, batch):
        self(batch[0])
        self.head_optimizer = prepare_optimizer(self.head_optimizer,
                                                self.classifier.head.trainable_variables)
        self.backbone_optimizer = prepare_optimizer(
            self.backbone_optimizer, self.classifier.backbone.trainable_variables)

    def training_optimizers(self):
        return {"head": self.head_optimizer, "backbone": self.backbone_optimizer}

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]

    def mix_batch(self, spectrograms):
        """Mixup of a batch with a random permutation of itself; returns
        `(mixed_spectrograms, permutation, lam)`: `lam * x + (1 - lam) * x[permutation]`.

        One λ ~ Beta(α, α) per batch, as in the authors' code (facebookresearch/
        mixup-cifar10). The draws are stateless in (seed, head optimizer step, replica):
        a resumed run draws what the uninterrupted one would have.
        """
        seed = replica_seed(self.seed, self.head_optimizer.iterations)
        beta_seed, permutation_seed = tf.unstack(tf.random.experimental.stateless_split(seed))
        lam = stateless_symmetric_beta([], beta_seed, self.mixup_alpha)
        batch = tf.shape(spectrograms)[0]
        permutation = tf.argsort(tf.random.stateless_uniform([batch], permutation_seed))
        weight = tf.cast(lam, spectrograms.dtype)
        mixed = weight * spectrograms + (1 - weight) * tf.gather(spectrograms, permutation)
        return mixed, permutation, lam

    def train_step(self, data):
        # 1. Mix the batch with a shuffled copy of itself (mixup), if asked.
        # 2. Classify it; while frozen the backbone runs in inference mode.
        # 3. Step the head optimizer, and the backbone optimizer unless frozen.
        # 4. Log the unscaled loss and the accuracy against the dominant labels.
        spectrograms, labels = data
        frozen = self.backbone_frozen
        players = [(self.head_optimizer, self.classifier.head.trainable_variables)]
        if not frozen:
            players.append((self.backbone_optimizer,
                            self.classifier.backbone.trainable_variables))
        dominant_labels = labels
        with tf.GradientTape(persistent=len(players) > 1) as tape:
            if self.mixup_alpha > 0:
                spectrograms, permutation, lam = self.mix_batch(spectrograms)
            logits = self.classifier(spectrograms, training=True, frozen_backbone=frozen)
            loss = self.cross_entropy(labels, logits)
            if self.mixup_alpha > 0:
                partner_labels = tf.gather(labels, permutation)
                loss = lam * loss + (1 - lam) * self.cross_entropy(partner_labels, logits)
                # Beta(0.2, 0.2) puts λ below 1/2 half the time: the partner then dominates.
                dominant_labels = tf.where(lam >= 0.5, labels, partner_labels)
            # Scaled inside the tape (mixed_float16); each optimizer has its own scale.
            scaled_losses = [optimizer.scale_loss(loss) for optimizer, _ in players]
        for (optimizer, variables), scaled_loss in zip(players, scaled_losses):
            optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        del tape
        return self._update_metrics(dominant_labels, logits, loss)

    def test_step(self, data):
        spectrograms, labels = data
        logits = self.classifier(spectrograms, training=False)
        return self._update_metrics(labels, logits, self.cross_entropy(labels, logits))

    def _update_metrics(self, labels, logits, loss):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.loss_tracker.update_state(loss * replicas)  # logged unscaled
        self.accuracy_tracker.update_state(labels, logits)
        return {"loss": self.loss_tracker.result(), "accuracy": self.accuracy_tracker.result()}


def stateless_symmetric_beta(shape, seed, alpha, candidates=16):
    """Draws of Beta(`alpha`, `alpha`) from a `[2]` stateless seed, XLA-compilable.

    `tf.random.stateless_gamma` has no XLA kernel (jit_compile and TPUs reject it), so
    the two Gamma(α) draws of λ = X / (X + Y) are made here after Marsaglia & Tsang,
    "A simple method for generating gamma variables" (ACM TOMS, 2000): Gamma(α + 1) by
    their rejection test, tried on `candidates` proposals at once and keeping the first
    accepted (each passes with probability > 0.95, so all failing has probability
    < 1e-20), then Gamma(α) = Gamma(α + 1) · U^(1/α) (their §6), in logs because
    U^(1/α) underflows float32 for a small α.

    Args:
        shape: shape of the returned draws.
        seed: a `[2]` integer seed for `tf.random.stateless_*`.
        alpha: α > 0, a Python float.
        candidates: proposals per Gamma draw.
    """
    shape = [*shape, 2]  # X and Y
    normal_seed, uniform_seed, boost_seed = tf.unstack(
        tf.random.experimental.stateless_split(seed, 3))
    d = alpha + 1.0 - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    z = tf.random.stateless_normal([*shape, candidates], normal_seed)
    u = tf.random.stateless_uniform([*shape, candidates], uniform_seed)
    v = (1.0 + c * z) ** 3
    log_v = tf.math.log(tf.where(v > 0, v, 1.0))
    accepted = (v > 0) & (tf.math.log(u) < 0.5 * z**2 + d - d * v + d * log_v)
    # The first accepted proposal (the last one if none was).
    order = tf.where(accepted, tf.range(candidates), candidates)
    first = tf.minimum(tf.reduce_min(order, axis=-1), candidates - 1)
    log_gamma = tf.math.log(d) + tf.gather(log_v, first, batch_dims=len(shape))
    boost = 1.0 - tf.random.stateless_uniform(shape, boost_seed)  # in (0, 1]
    log_gamma += tf.math.log(boost) / alpha
    return tf.sigmoid(log_gamma[..., 0] - log_gamma[..., 1])  # X / (X + Y)
