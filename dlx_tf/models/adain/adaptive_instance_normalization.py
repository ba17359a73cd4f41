"""Adaptive instance normalization: `lib/AdaptiveInstanceNormalization.lua` of AdaIN-style."""

import keras

from dlx_tf.losses.style import channel_statistics


@keras.saving.register_keras_serializable(package="dlx_tf")
class AdaptiveInstanceNormalization(keras.layers.Layer):
    """Gives content features the per-channel mean and standard deviation of style features.

    AdaIN (Huang & Belongie 2017, eq. 8): `σ(s) · (c − μ(c)) / σ(c) + μ(s)`, μ and σ over
    height and width per image and channel (`channel_statistics` of the style losses).
    Variances are the biased ones, as in the authors' Torch layer (content through an
    internal `SpatialBatchNormalization`, style by `std(3, true)`), and `σ = sqrt(variance
    + epsilon)` on both sides, as in the PyTorch port naoto0804/pytorch-AdaIN (the authors
    add epsilon to the content's variance only), so gradients stay finite where a ReLU
    zeroed a whole channel. Content and style may differ in height and width, not in batch
    or channels. Inputs are not cast on entry; statistics and the blend are float32 and the
    result has the layer's compute dtype (float16 under mixed precision).

    `alpha` trades style for content at test time (§7.2): `alpha · AdaIN(c, s) + (1 − alpha)
    · c`, a Python number or tensor of shape `[]` or `[batch]` (one weight per image), in
    [0, 1]; `alpha = 0` returns the content features unchanged.
    https://arxiv.org/abs/1703.06868

    Args:
        epsilon: added to the variances before the square root (the authors' 1e-5).

    Example:
    ```python
    adain = AdaptiveInstanceNormalization()
    target = adain(content_features, style_features)  # content_features' shape
    halfway = adain(content_features, style_features, alpha=0.5)
    ```
    """

    def __init__(self, epsilon=1e-5, **kwargs):
        # Float32 features stay float32 under mixed precision: no cast to float16 on entry.
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        if not epsilon >= 0:
            raise ValueError(f"AdaptiveInstanceNormalization: epsilon must be >= 0; got {epsilon}")
        self.epsilon = epsilon

    def call(self, content_features, style_features, alpha=1.0):
        if isinstance(alpha, (int, float)) and not 0 <= alpha <= 1:
            raise ValueError(f"AdaptiveInstanceNormalization: alpha must be in [0, 1]; got {alpha}")
        content = keras.ops.cast(content_features, "float32")  # (batch, height, width, channels)
        style = keras.ops.cast(style_features, "float32")  # (batch, style h, style w, channels)
        content_mean, content_std = _spatial(channel_statistics(content, self.epsilon))
        style_mean, style_std = _spatial(channel_statistics(style, self.epsilon))
        target = (content - content_mean) / content_std * style_std + style_mean
        alpha = keras.ops.cast(alpha, "float32")
        if len(alpha.shape) == 1:
            alpha = keras.ops.reshape(alpha, (-1, 1, 1, 1))  # one weight per image
        blended = alpha * target + (1.0 - alpha) * content
        return keras.ops.cast(blended, self.compute_dtype)  # (batch, height, width, channels)

    def compute_output_shape(self, content_shape, style_shape=None):
        return content_shape

    def get_config(self):
        config = super().get_config()
        config.update(epsilon=self.epsilon)
        return config


def _spatial(statistics):
    """`(batch, channels)` statistics as `(batch, 1, 1, channels)`, to broadcast over pixels."""
    return [statistic[:, None, None, :] for statistic in statistics]
