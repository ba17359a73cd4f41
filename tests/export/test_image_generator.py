import numpy as np
import pytest
import tensorflow as tf
from harness import check_saved_model_matches

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.image_generator import (
    conditional_generator_endpoints,
    interpolator_endpoints,
)
from dlx_tf.models.acai.acai import ACAI
from dlx_tf.models.acai.acai_critic import ACAICritic
from dlx_tf.models.acai.acai_decoder import ACAIDecoder
from dlx_tf.models.acai.acai_encoder import ACAIEncoder
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator


def test_conditional_generator_serves_uint8_images_for_class_mixtures(tmp_path):
    generator = DCGANGenerator(latent_dim=6, num_classes=3, embedding_dim=4, filters=4,
                               image_size=8)
    latents = np.random.default_rng(0).normal(size=(2, 6)).astype("float32")
    mixture = np.asarray([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]], "float32")
    expected = np.asarray(from_unit_range(generator((latents, mixture))))
    exported = check_saved_model_matches(
        "generator", generator, conditional_generator_endpoints(generator, 6, 3),
        {"latents": latents, "class_mixture": mixture}, {"images": expected}, tmp_path)
    serve = tf.saved_model.load(exported.path).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="same batch size"):
        serve(latents=tf.constant(latents), class_mixture=tf.constant(mixture[:1]))


def test_interpolator_serves_the_decoded_latent_mix(tmp_path):
    acai = ACAI(ACAIEncoder(depth=4, latent=2, scales=2), ACAIDecoder(depth=4, scales=2),
                ACAICritic(depth=4, latent=2, scales=2), num_classes=3)
    rng = np.random.default_rng(0)
    a, b = (rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8) for _ in range(2))
    alpha = np.asarray([0.0, 0.7], "float32")
    acai(to_unit_range(a))  # builds the wrapper, which the export tracks
    expected = np.asarray(from_unit_range(acai.interpolate(to_unit_range(a), to_unit_range(b),
                                                           alpha)))
    exported = check_saved_model_matches(
        "interpolator", acai, interpolator_endpoints(acai.interpolate, 8, 8),
        {"images_a": a, "images_b": b, "alpha": alpha}, {"images": expected}, tmp_path)
    serve = tf.saved_model.load(exported.path).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"uint8 \[batch, 8, 8, 3\]"):
        serve(images_a=tf.constant(a), images_b=tf.constant(b[:1]), alpha=tf.constant(alpha))
