"""A small CNN that learns what a synthetic generator drew: the network behind
`attribute_feature_space`."""

import keras


@keras.saving.register_keras_serializable(package="dlx_tf")
class AttributeNet(keras.Model):
    """Classifies images in [-1, 1] and regresses the attributes they were drawn from.

    Four 3×3 stride-2 convolutions (channels doubling), global average pooling and a ReLU
    feature layer that two heads read: class logits (for a softmax) and a linear
    regression of the generator's attributes. Its feature layer is a feature space for
    realism and diversity metrics of synthetic data: a network that must also recover
    everything the generator varies within a class sees more than a domain judge, which
    gives confident labels to blobs and noise. Global pooling makes any image size work.

    Args:
        num_classes: classes of the softmax head.
        num_attributes: outputs of the attribute head.
        filters: channels of the first convolution.
        feature_dim: width of the feature layer.
        seed: seed of the weight initialisers; None draws them from Keras' global state.

    Example:
    ```python
    net = AttributeNet(num_classes=2, num_attributes=26, seed=0)
    outputs = net(keras.ops.zeros((4, 32, 32, 3)))
    outputs["features"]  # (4, 128); "class_logits" (4, 2), "attributes" (4, 26)
    ```
    """

    def __init__(self, num_classes, num_attributes, filters=32, feature_dim=128, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.num_attributes = num_attributes
        self.filters = filters
        self.feature_dim = feature_dim
        self.seed = seed

        def initializer(offset):
            # One seed per layer: a seeded Keras initializer draws the same values each call.
            return keras.initializers.GlorotUniform(None if seed is None else seed + offset)

        # === Layers ===
        self.convs = [
            keras.layers.Conv2D(filters * 2**i, 3, strides=2, padding="same", activation="relu",
                                kernel_initializer=initializer(i))
            for i in range(4)
        ]
        self.pool = keras.layers.GlobalAveragePooling2D()
        self.feature = keras.layers.Dense(feature_dim, activation="relu",
                                          kernel_initializer=initializer(4))
        self.classify = keras.layers.Dense(num_classes, kernel_initializer=initializer(5),
                                           dtype="float32")
        self.regress = keras.layers.Dense(num_attributes, kernel_initializer=initializer(6),
                                          dtype="float32")

    def call(self, images):
        x = images  # (batch, height, width, 3)
        for conv in self.convs:
            x = conv(x)  # height and width halve, channels double
        features = self.feature(self.pool(x))  # (batch, feature_dim)
        return {"features": features, "class_logits": self.classify(features),
                "attributes": self.regress(features)}

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, num_attributes=self.num_attributes,
                      filters=self.filters, feature_dim=self.feature_dim, seed=self.seed)
        return config
