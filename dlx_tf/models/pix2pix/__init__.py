"""pix2pix (Isola et al. 2017): U-Net generator, conditional PatchGAN training wrapper."""
from dlx_tf.models.pix2pix.input_seeded_dropout import InputSeededDropout
from dlx_tf.models.pix2pix.per_image_batch_normalization import PerImageBatchNormalization
from dlx_tf.models.pix2pix.pix2pix import Pix2Pix
from dlx_tf.models.pix2pix.pix2pix_generator import Pix2PixGenerator

__all__ = ["InputSeededDropout", "PerImageBatchNormalization", "Pix2Pix", "Pix2PixGenerator"]
