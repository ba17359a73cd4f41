"""ACAI (Berthelot et al. 2018): an autoencoder whose interpolations a critic judges."""
from dlx_tf.models.acai.acai import ACAI
from dlx_tf.models.acai.acai_critic import ACAICritic
from dlx_tf.models.acai.acai_decoder import ACAIDecoder
from dlx_tf.models.acai.acai_encoder import ACAIEncoder

__all__ = ["ACAI", "ACAICritic", "ACAIDecoder", "ACAIEncoder"]
