"""Conditional DCGAN (Radford et al. 2015) and ACAI (Berthelot et al. 2018) for 32×32 images."""
from dlx_tf.models.dcgan.acai_critic import ACAICritic
from dlx_tf.models.dcgan.acai_decoder import ACAIDecoder
from dlx_tf.models.dcgan.acai_encoder import ACAIEncoder
from dlx_tf.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator
from dlx_tf.models.dcgan.judge_classifier import JudgeClassifier

__all__ = ["ACAICritic", "ACAIDecoder", "ACAIEncoder", "DCGANDiscriminator", "DCGANGenerator",
           "JudgeClassifier"]
