"""The Audio-Net classifier: a ResNet over log-mel spectrograms, returning genre logits."""

import keras
from keras import layers, ops

from dlx_tf.errors import DataError, UsageError
from dlx_tf.models.resnet.resnet_backbone import ResNetBackbone


@keras.saving.register_keras_serializable(package="dlx_tf")
class AudioNetClassifier(keras.Model):
    """Classifies log-mel spectrograms with a ResNet treated as an image network.

    The spectrogram is standardised with fixed training-set statistics, repeated into
    three identical channels, passed through `ResNetBackbone` (He et al. 2015,
    https://arxiv.org/abs/1512.03385), averaged over time and frequency and mapped to
    logits. Any number of frames and mel bins works; the logits are float32 under
    mixed precision. Called with `frozen_backbone=True`, the backbone runs in inference
    mode (batch-norm statistics fixed) even while training: the head-only phase of
    fine-tuning.

    Args:
        num_classes: number of genres.
        width: filters of the backbone's first stage (64 for ImageNet weights).
        stackwise_num_blocks: backbone blocks per stage; (2, 2, 2, 2) is ResNet-18.
        dropout: dropout rate on the pooled features, before the head.
        input_mean: mean of the training spectrograms (a float, in their units).
        input_std: their standard deviation.

    Example:
    ```python
    classifier = AudioNetClassifier(num_classes=10, input_mean=-32.5, input_std=18.0)
    logits = classifier(keras.ops.zeros((4, 130, 128)))  # (4, 10)
    load_backbone_weights(classifier.backbone, "resnet_18_imagenet")
    ```
    """

    def __init__(self, num_classes, width=64, stackwise_num_blocks=(2, 2, 2, 2), dropout=0.0,
                 input_mean=0.0, input_std=1.0, **kwargs):
        super().__init__(**kwargs)
        if not input_std > 0:
            raise UsageError(f"AudioNetClassifier: input_std must be positive; got {input_std}")
        self.num_classes = num_classes
        self.width = width
        self.stackwise_num_blocks = tuple(stackwise_num_blocks)
        self.dropout = dropout
        self.input_mean = float(input_mean)
        self.input_std = float(input_std)
        # === Layers ===
        self.backbone = ResNetBackbone(stackwise_num_blocks, width, name="backbone")
        self.pooling = layers.GlobalAveragePooling2D(name="pooling")
        self.dropout_layer = layers.Dropout(dropout, name="dropout")
        # float32 logits under mixed precision: the cross-entropy needs them.
        self.head = layers.Dense(num_classes, dtype="float32", name="head")

    def build(self, input_shape):
        _check_rank(input_shape)
        batch, frames, mel_bins = input_shape
        self.backbone.build((batch, frames, mel_bins, 3))
        self.head.build((batch, self.backbone.output_channels))

    def call(self, spectrograms, training=False, frozen_backbone=False):
        _check_rank(spectrograms.shape)
        x = (spectrograms - self.input_mean) / self.input_std  # (batch, frames, mel_bins)
        # Three identical channels let the ImageNet (RGB) stem kernels be used unchanged;
        # it equals one channel convolved with each kernel summed over its colours.
        images = ops.repeat(x[..., None], 3, axis=-1)  # (batch, frames, mel_bins, 3)
        features = self.backbone(images, training=False if frozen_backbone else training)
        features = self.pooling(features)  # (batch, 8 * width)
        features = self.dropout_layer(features, training=training)
        return self.head(features)  # (batch, num_classes) float32 logits

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            width=self.width,
            stackwise_num_blocks=list(self.stackwise_num_blocks),
            dropout=self.dropout,
            input_mean=self.input_mean,
            input_std=self.input_std,
        )
        return config


def _check_rank(shape):
    if len(shape) != 3:
        raise DataError(
            f"AudioNetClassifier expects log-mel spectrograms [batch, frames, mel_bins]; "
            f"got shape {tuple(shape)}")
