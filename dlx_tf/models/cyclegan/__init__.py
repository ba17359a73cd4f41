"""CycleGAN (Zhu et al. 2017): ResNet generator and PatchGAN discriminator."""
from dlx_tf.models.cyclegan.cyclegan_generator import CycleGANGenerator
from dlx_tf.models.cyclegan.patchgan_discriminator import PatchGANDiscriminator

__all__ = ["CycleGANGenerator", "PatchGANDiscriminator"]
