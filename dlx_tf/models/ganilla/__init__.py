"""GANILLA (Hicsonmez et al. 2020): a generator for illustration styles, trained as CycleGAN."""
from dlx_tf.models.ganilla.ganilla_block import GANILLABlock
from dlx_tf.models.ganilla.ganilla_generator import GANILLAGenerator

__all__ = ["GANILLABlock", "GANILLAGenerator"]
