"""ResNet (He et al. 2015) backbones with basic blocks, and weights from KerasHub presets."""
from dlx_tf.models.resnet.resnet_backbone import ResNetBackbone, ResNetBasicBlock
from dlx_tf.models.resnet.resnet_transfer import (
    copy_weights_by_name,
    keras_hub_resnet_config,
    load_backbone_weights,
)

__all__ = ["ResNetBackbone", "ResNetBasicBlock", "copy_weights_by_name",
           "keras_hub_resnet_config", "load_backbone_weights"]
