"""A small CNN that tells two image domains apart: the judge of the translation score."""

import keras


@keras.saving.register_keras_serializable(package="dlx_tf")
class DomainClassifier(keras.Model):
    """Scores images in [-1, 1] with the logit of "belongs to domain B".

    The generic form of the paper's FCN-score (Zhu et al. 2017, §5.1.1): a classifier
    trained on real images of both domains, separately from the GAN, then asked which
    domain translated images belong to.

    Args:
        filters: channels of the first of three stride-2 convolutions (doubling).

    Example:
    ```python
    logits = DomainClassifier(filters=8)(keras.ops.zeros((2, 32, 32, 3)))  # (2,)
    ```
    """

    def __init__(self, filters=16, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        # === Layers ===
        self.convs = [
            keras.layers.Conv2D(filters * 2**i, 3, strides=2, padding="same", activation="relu")
            for i in range(3)
        ]
        self.pool = keras.layers.GlobalAveragePooling2D()
        self.logit = keras.layers.Dense(1, dtype="float32")

    def call(self, images):
        x = images
        for conv in self.convs:
            x = conv(x)
        return self.logit(self.pool(x))[:, 0]  # (batch,)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters)
        return config
