"""The ACAI critic: `disc` of the official code (brain-research/acai, acai.py)."""

import keras
from keras import ops

from dlx_tf.models.acai.acai_encoder import ACAIEncoder


@keras.saving.register_keras_serializable(package="dlx_tf")
class ACAICritic(keras.Model):
    """ACAI's critic: an `ACAIEncoder` with its own weights, averaged to one scalar per image.

    As `disc` in the authors' code (brain-research/acai, `acai.py`): the encoder network's
    output averaged over height, width and channels. It is trained to regress the mixing
    coefficient α ∈ [0, 0.5] of decoded latent interpolations and to output 0 on (nearly)
    real images; the autoencoder is trained to make it output 0 on its interpolations.
    https://arxiv.org/abs/1807.07543

    Args:
        depth: channels of the encoder's first scale (`--advdepth`, defaulting to `--depth`).
        latent: channels of the encoder's output before averaging (`--latent`).
        scales: number of 2× downsamplings, the autoencoder's `scales`.

    Example:
    ```python
    critic = ACAICritic(depth=64, latent=16, scales=3)
    alpha = critic(keras.ops.zeros((8, 32, 32, 3)))  # (8,)
    ```
    """

    def __init__(self, depth=64, latent=16, scales=3, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth
        self.latent = latent
        self.scales = scales
        # === Layers ===
        self.encoder = ACAIEncoder(depth=depth, latent=latent, scales=scales, name="encoder")

    def build(self, input_shape):
        self.encoder.build(input_shape)

    def call(self, images):
        features = self.encoder(images)  # (batch, height / 2**scales, width / 2**scales, latent)
        # acai.py: tf.reduce_mean(..., axis=[1, 2, 3]).
        return ops.mean(features, axis=(1, 2, 3))  # (batch,)

    def get_config(self):
        config = super().get_config()
        config.update(depth=self.depth, latent=self.latent, scales=self.scales)
        return config
