"""The CIFAR classifier that judges generated images: labels, realism features, pegasus scores."""

import keras


@keras.saving.register_keras_serializable(package="dlx_tf")
class JudgeClassifier(keras.Model):
    """A small VGG-style CNN over 32×32 images in [-1, 1], trained on real images only.

    It gives class logits (to check that class-conditional samples look like their
    class, and how bird-like and horse-like a pegasus candidate is) and, from its
    global-average-pooled last block, the features the sample-quality distance (KID)
    is computed on — in place of Inception features, which cannot be downloaded here.

    Args:
        num_classes: output classes.
        filters: channels of the first block; each of the three blocks doubles them.
        dropout: dropout rate before the logits.

    Example:
    ```python
    judge = JudgeClassifier(filters=16)
    logits = judge(keras.ops.zeros((2, 32, 32, 3)))  # (2, 10)
    features = judge.features(keras.ops.zeros((2, 32, 32, 3)))  # (2, 64)
    ```
    """

    def __init__(self, num_classes=10, filters=32, dropout=0.3, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.filters = filters
        self.dropout = dropout
        # === Layers ===
        self.blocks = []
        for block in range(3):
            for _ in range(2):
                self.blocks += [
                    keras.layers.Conv2D(filters * 2**block, 3, padding="same", use_bias=False),
                    keras.layers.BatchNormalization(),
                    keras.layers.Activation("relu"),
                ]
            if block < 2:
                self.blocks.append(keras.layers.MaxPooling2D())
        self.pool = keras.layers.GlobalAveragePooling2D()
        self.drop = keras.layers.Dropout(dropout)
        self.logits = keras.layers.Dense(num_classes, dtype="float32")

    def features(self, images, training=False):
        x = images
        for layer in self.blocks:
            x = layer(x, training=training)  # (batch, 32 → 16 → 8, ..., filters · 4)
        return self.pool(x)  # (batch, filters · 4)

    def call(self, images, training=False):
        return self.logits(self.drop(self.features(images, training), training=training))

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, filters=self.filters, dropout=self.dropout)
        return config
