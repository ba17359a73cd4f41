"""CycleGAN (Zhu et al. 2017): ResNet generator, PatchGAN discriminator, image pool, trainer."""
from dlx_tf.models.cyclegan.cyclegan import CycleGAN
from dlx_tf.models.cyclegan.cyclegan_generator import CycleGANGenerator
from dlx_tf.models.cyclegan.image_pool import ImagePool
from dlx_tf.models.cyclegan.patchgan_discriminator import PatchGANDiscriminator

__all__ = ["CycleGAN", "CycleGANGenerator", "ImagePool", "PatchGANDiscriminator"]
