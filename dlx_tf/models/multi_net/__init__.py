"""Multi-Net: video, audio and text encoders, early fusion, contrastive training."""
from dlx_tf.models.multi_net.multi_net import MultiNet
from dlx_tf.models.multi_net.multi_net_audio_encoder import MultiNetAudioEncoder
from dlx_tf.models.multi_net.multi_net_backbone_video_encoder import (
    CLIP_MEAN,
    CLIP_STD,
    MultiNetBackboneVideoEncoder,
    frame_backbone_from_preset,
)
from dlx_tf.models.multi_net.multi_net_clip_encoder import MultiNetClipEncoder
from dlx_tf.models.multi_net.multi_net_fusion import MultiNetFusion
from dlx_tf.models.multi_net.multi_net_text_encoder import MultiNetTextEncoder
from dlx_tf.models.multi_net.multi_net_video_encoder import MultiNetVideoEncoder

__all__ = ["CLIP_MEAN", "CLIP_STD", "MultiNet", "MultiNetAudioEncoder",
           "MultiNetBackboneVideoEncoder", "MultiNetClipEncoder", "MultiNetFusion",
           "MultiNetTextEncoder", "MultiNetVideoEncoder", "frame_backbone_from_preset"]
