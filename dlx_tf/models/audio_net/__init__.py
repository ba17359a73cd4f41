"""Audio-Net: genre classification of log-mel spectrograms with an ImageNet ResNet-18."""
from dlx_tf.models.audio_net.audio_net_classifier import AudioNetClassifier
from dlx_tf.models.audio_net.audio_net_trainer import AudioNetTrainer, BackboneUnfreezing
from dlx_tf.models.audio_net.resnet_backbone import ResNetBackbone, ResNetBasicBlock
from dlx_tf.models.audio_net.resnet_transfer import (
    copy_weights_by_name,
    keras_hub_resnet_config,
    load_backbone_weights,
)

__all__ = [
    "AudioNetClassifier",
    "AudioNetTrainer",
    "BackboneUnfreezing",
    "ResNetBackbone",
    "ResNetBasicBlock",
    "copy_weights_by_name",
    "keras_hub_resnet_config",
    "load_backbone_weights",
]
