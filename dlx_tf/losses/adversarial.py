"""GAN objectives as Keras losses: non-saturating, hinge and Wasserstein (WGAN-GP).

Every term is a `keras.losses.Loss` reduced over per-sample values, so under a
`tf.distribute` strategy it is divided by the replica count and the summed gradients
equal one device's (docs/keras3_notes.md). Scores are reshaped to `(batch, 1)` first: Keras
losses average over the last axis, and a `(batch,)` input would collapse to a scalar,
which `Loss` returns unscaled.
"""

import keras
from keras import ops

ADVERSARIAL_LOSSES = ("non_saturating", "hinge", "wgan_gp")


@keras.saving.register_keras_serializable(package="dlx_tf")
class WassersteinLoss(keras.losses.Loss):
    """Per-sample `-y_true * y_pred`, with `y_true` +1 for real and -1 for fake.

    Minimizing its mean over a real and a fake batch gives the WGAN critic objective
    `mean(fake) - mean(real)` (Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875);
    with +1 on fake scores it is the generator's `-mean(fake)`. Element-wise, so any
    shape keeps its per-sample values (and replica scaling).

    Example:
    ```python
    WassersteinLoss()(keras.ops.ones((2, 1)), keras.ops.array([[2.0], [-1.0]]))  # -0.5
    ```
    """

    def __init__(self, name="wasserstein", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return -ops.cast(y_true, y_pred.dtype) * y_pred


class AdversarialObjective:
    """The discriminator's and the generator's loss for one GAN objective.

    - `"non_saturating"` (Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661 §3):
      D minimizes `BCE(1, real) + BCE(0, fake)` on logits, G minimizes `BCE(1, fake)`.
    - `"hinge"` (Lim & Ye 2017, https://arxiv.org/abs/1705.02894; Miyato et al. 2018):
      D minimizes `mean(relu(1 - real)) + mean(relu(1 + fake))`, G `-mean(fake)`.
    - `"wgan_gp"` (Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028): the critic
      minimizes `mean(fake) - mean(real)`, G `-mean(fake)`; the gradient penalty is
      added by the caller (`dlx_tf.losses.gradient_penalty`).

    Scores are raw discriminator outputs of any shape with the batch first (logits for
    `"non_saturating"`). Each value is a `keras.losses.Loss` result: inside
    `strategy.run` it is the replica's mean divided by the replica count, so the
    replicas' values sum to the global batch's loss.

    Args:
        kind: one of `ADVERSARIAL_LOSSES`.

    Example:
    ```python
    objective = AdversarialObjective("hinge")
    objective.discriminator_loss(real_scores, fake_scores)
    objective.generator_loss(fake_scores)
    ```
    """

    def __init__(self, kind):
        if kind not in ADVERSARIAL_LOSSES:
            raise ValueError(f"loss must be one of {ADVERSARIAL_LOSSES}; got {kind!r}")
        self.kind = kind
        self.binary_crossentropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.hinge = keras.losses.Hinge()
        self.wasserstein = WassersteinLoss()

    def discriminator_loss(self, real_scores, fake_scores):
        real, fake = _per_sample(real_scores), _per_sample(fake_scores)
        if self.kind == "non_saturating":
            return (self.binary_crossentropy(ops.ones_like(real), real)
                    + self.binary_crossentropy(ops.zeros_like(fake), fake))
        if self.kind == "hinge":
            # keras Hinge is mean(relu(1 - y_true * y_pred)) with y_true = ±1.
            return self.hinge(ops.ones_like(real), real) + self.hinge(-ops.ones_like(fake), fake)
        return self.wasserstein(ops.ones_like(real), real) + self.wasserstein(
            -ops.ones_like(fake), fake)

    def generator_loss(self, fake_scores):
        fake = _per_sample(fake_scores)
        if self.kind == "non_saturating":
            # Non-saturating: maximize log D(G(z)) instead of minimizing log(1 - D(G(z))).
            return self.binary_crossentropy(ops.ones_like(fake), fake)
        return self.wasserstein(ops.ones_like(fake), fake)  # -mean(fake) for hinge and WGAN


def _per_sample(scores):
    return ops.reshape(scores, (-1, 1))  # (values, 1): one per-sample loss per score
