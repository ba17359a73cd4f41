"""The loss terms of ACAI (Berthelot et al. 2018, https://arxiv.org/abs/1807.07543).

Small pure pieces, each reproducing one line of the official `acai.py`
(brain-research/acai), so that they can be pinned by hand-computed numbers. Every mean
is a `keras.losses.MeanSquaredError`, which divides by the replica count under a
`tf.distribute` strategy (docs/keras3_notes.md). Critic scores of shape `(batch,)` are
given to it as `(batch, 1)`: Keras reduces the last axis first, and a scalar left after
that is neither averaged nor replica-scaled.
"""

import keras
from keras import ops


def fold_alpha(uniform):
    """Folds U[0, 1] draws into [0, 0.5]: α = 0.5 - |u - 0.5| (acai.py, "Make interval [0, 0.5]").

    With the mix `α · z + (1 - α) · z_reversed`, α near 0 is close to the partner image and
    α = 0.5 is the midpoint; the folded α is the critic's regression target.
    """
    return 0.5 - ops.abs(uniform - 0.5)


def mix_latents(latents, alpha):
    """acai.py: `encode_mix = alpha * encode + (1 - alpha) * encode[::-1]`.

    Each latent is mixed with the one at the mirrored position of the batch. Under a
    `tf.distribute` strategy this is the replica's batch, so the pairs differ from a
    single device's (the paper's batch of 64 is one replica's).

    Args:
        latents: shape `(batch, ...)`.
        alpha: shape `(batch,)` or a scalar: the weight of each latent itself.
    """
    alpha = ops.cast(ops.convert_to_tensor(alpha), latents.dtype)
    if len(alpha.shape) == 1:
        alpha = ops.reshape(alpha, (-1,) + (1,) * (len(latents.shape) - 1))  # (batch, 1, ...)
    return alpha * latents + (1 - alpha) * ops.flip(latents, axis=0)


class ACAILosses:
    """ACAI's losses, computed from images, reconstructions and critic scores.

    The autoencoder minimises `reconstruction_loss + λ · autoencoder_adversarial_loss`;
    the critic minimises `critic_loss + critic_real_loss` (acai.py).
    https://arxiv.org/abs/1807.07543

    Args:
        regularization: γ, how far the critic's "real" inputs are pulled from the
            reconstructions towards the data (`--reg`, 0.2).

    Example:
    ```python
    losses = ACAILosses(regularization=0.2)
    critic_loss = losses.critic_loss(critic(decoded_mixes), alpha)
    ```
    """

    def __init__(self, regularization=0.2):
        self.regularization = regularization
        self.squared_error = keras.losses.MeanSquaredError()

    def reconstruction_loss(self, images, reconstructions):
        # acai.py: tf.losses.mean_squared_error(x, ae), a mean over every element.
        return self.squared_error(images, reconstructions)

    def regularized_reconstructions(self, images, reconstructions):
        # acai.py: the critic's "real" input is ae + reg · (x - ae).
        return reconstructions + self.regularization * (images - reconstructions)

    def critic_loss(self, mix_scores, alpha):
        # acai.py: loss_disc = mean((disc(decode_mix) - alpha)²); scores and alpha (batch,).
        return self.squared_error(_column(alpha), _column(mix_scores))

    def critic_real_loss(self, real_scores):
        # acai.py: loss_disc_real = mean(disc(ae + reg · (x - ae))²).
        return self.squared_error(ops.zeros_like(_column(real_scores)), _column(real_scores))

    def autoencoder_adversarial_loss(self, mix_scores):
        # acai.py: loss_ae_disc = mean(disc(decode_mix)²): interpolations should look real.
        return self.squared_error(ops.zeros_like(_column(mix_scores)), _column(mix_scores))


def _column(scores):
    return ops.reshape(scores, (-1, 1))  # (batch, 1): one loss value per example
