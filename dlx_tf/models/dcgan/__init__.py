"""Conditional DCGAN (Radford et al. 2015) for 32×32 images."""
from dlx_tf.models.dcgan.dcgan import DCGAN
from dlx_tf.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator

__all__ = ["DCGAN", "DCGANDiscriminator", "DCGANGenerator"]
