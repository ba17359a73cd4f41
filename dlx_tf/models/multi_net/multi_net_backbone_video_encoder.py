"""Multi-Net's per-frame encoder from a pre-trained KerasHub image backbone."""

import keras
import keras_hub
from keras import layers, ops

from dlx_tf.errors import DataError, UsageError
from dlx_tf.models.multi_net.nested_config import with_layers

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def frame_backbone_from_preset(preset):
    """A KerasHub image backbone from a preset name (`resnet_18_imagenet`,
    `clip_vit_base_patch32_224`, ...; downloaded once) or a local folder written by
    `save_to_preset`. Of a CLIP preset only the vision tower is kept; its frames must be
    decoded at the preset's image size."""
    try:
        backbone = keras_hub.models.Backbone.from_preset(preset)
    except (OSError, ValueError) as error:
        raise UsageError(
            f"preset {preset!r}: could not be loaded ({type(error).__name__}: {error}); give a "
            "KerasHub preset name (needs internet once) or a local folder from save_to_preset"
        ) from error
    if isinstance(backbone, keras_hub.models.CLIPBackbone):
        return backbone.vision_encoder
    return backbone


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetBackboneVideoEncoder(keras.Model):
    """Encodes every frame with a pre-trained image backbone into a token: the paper
    profile's frame encoder (CLIP4Clip, Luo et al. 2021, https://arxiv.org/abs/2104.08860
    §3.1, uses CLIP's ViT; a ResNet works the same way).

    Frames are scaled to [0, 1] and standardised per channel with the statistics the
    backbone was trained with (ImageNet's by default; `CLIP_MEAN`/`CLIP_STD` for CLIP).
    A feature map `[n, h, w, c]` (ResNet) is averaged over space; a token sequence
    `[n, 1 + patches, c]` (CLIP's vision tower) gives its [CLS] token. A linear map then
    gives `token_dim`.

    Args:
        backbone: a KerasHub image backbone (`frame_backbone_from_preset`).
        token_dim: size of each frame token.
        pixel_mean: per-channel mean of the backbone's training images, in [0, 1].
        pixel_std: their per-channel standard deviation.

    Example:
    ```python
    encoder = MultiNetBackboneVideoEncoder(frame_backbone_from_preset("resnet_18_imagenet"),
                                           token_dim=256)
    encoder(frames).shape  # (batch, frames, 256)
    ```
    """

    def __init__(self, backbone, token_dim, pixel_mean=IMAGENET_MEAN, pixel_std=IMAGENET_STD,
                 **kwargs):
        super().__init__(**kwargs)
        pixel_mean, pixel_std = tuple(pixel_mean), tuple(pixel_std)
        if len(pixel_mean) != 3 or len(pixel_std) != 3 or min(pixel_std) <= 0:
            raise UsageError(f"MultiNetBackboneVideoEncoder: pixel_mean and pixel_std need 3 "
                             f"values, std > 0; got {list(pixel_mean)} and {list(pixel_std)}")
        self.backbone = backbone
        self.token_dim = token_dim
        self.pixel_mean = pixel_mean
        self.pixel_std = pixel_std
        # === Layers ===
        self.token_projection = layers.Dense(token_dim, name="token_projection")

    def build(self, frames_shape):
        _check_rank(frames_shape)
        features = self.backbone.compute_output_shape((None, *frames_shape[2:]))
        self.token_projection.build((None, features[-1]))

    def call(self, frames, training=False):
        _check_rank(frames.shape)
        batch, count = ops.shape(frames)[0], ops.shape(frames)[1]
        x = ops.cast(frames, self.compute_dtype) / 255.0  # (batch, frames, h, w, 3)
        x = (x - ops.array(self.pixel_mean, x.dtype)) / ops.array(self.pixel_std, x.dtype)
        x = ops.reshape(x, (-1, *ops.shape(frames)[2:]))  # (batch * frames, h, w, 3)
        # CLIP's vision tower is a functional model with a dict input.
        inputs = {"images": x} if isinstance(self.backbone.input, dict) else x
        features = self.backbone(inputs, training=training)
        if len(features.shape) == 4:
            features = ops.mean(features, axis=(1, 2))  # (batch * frames, channels)
        else:
            features = features[:, 0]  # (batch * frames, hidden): the [CLS] token
        tokens = self.token_projection(features)
        return ops.reshape(tokens, (batch, count, self.token_dim))

    def compute_output_shape(self, frames_shape):
        return (frames_shape[0], frames_shape[1], self.token_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            backbone=keras.saving.serialize_keras_object(self.backbone),
            token_dim=self.token_dim,
            pixel_mean=list(self.pixel_mean),
            pixel_std=list(self.pixel_std),
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ["backbone"]))


def _check_rank(shape):
    if len(shape) != 5 or shape[-1] != 3:
        raise DataError(f"MultiNetBackboneVideoEncoder: frames must be uint8 [batch, frames, "
                        f"height, width, 3]; got shape {tuple(shape)}")
