"""A multilayer perceptron over images: the introductory example of the package."""

import keras

from dlx_tf.training.trainable import TrainableModel


@keras.saving.register_keras_serializable(package="dlx_tf")
class MLPClassifier(TrainableModel):
    """Fully connected classifier of images, returning logits.

    Images of any shape (uint8 in [0, 255] or floats in the same range) are scaled to
    [0, 1] and flattened, then pass through ReLU hidden layers with dropout. The
    output layer stays float32 under mixed precision so the softmax is stable.

    Args:
        num_classes: number of output classes.
        hidden_units: width of each hidden layer.
        dropout: dropout rate after each hidden layer.

    Example:
    ```python
    model = MLPClassifier(num_classes=10, hidden_units=(256, 128))
    logits = model(keras.ops.zeros((2, 28, 28, 1), "uint8"))  # (2, 10)
    ```
    """

    def __init__(self, num_classes=10, hidden_units=(256, 128), dropout=0.2, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.hidden_units = tuple(hidden_units)
        self.dropout = dropout
        # === Layers ===
        self.rescale = keras.layers.Rescaling(1.0 / 255.0)
        self.flatten = keras.layers.Flatten()
        self.hidden = [
            keras.layers.Dense(units, activation="relu", name=f"hidden_{i}")
            for i, units in enumerate(self.hidden_units)
        ]
        self.dropouts = [keras.layers.Dropout(dropout) for _ in self.hidden_units]
        self.logits = keras.layers.Dense(num_classes, dtype="float32", name="logits")

    def call(self, images, training=False):
        x = self.flatten(self.rescale(images))
        for dense, dropout in zip(self.hidden, self.dropouts):
            x = dropout(dense(x), training=training)
        return self.logits(x)  # (batch, num_classes)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            hidden_units=list(self.hidden_units),
            dropout=self.dropout,
        )
        return config
