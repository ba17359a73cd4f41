"""AdaIN (Huang & Belongie 2017): arbitrary style transfer by adaptive instance normalization."""
from dlx_tf.models.adain.adain_decoder import AdaINDecoder, crop_to_size, pad_to_multiple
from dlx_tf.models.adain.adaptive_instance_normalization import AdaptiveInstanceNormalization

__all__ = ["AdaINDecoder", "AdaptiveInstanceNormalization", "crop_to_size", "pad_to_multiple"]
