"""The SavedModels a Pegasus run exports: the conditional generator and ACAI's
interpolator, each with a warmup request."""

import numpy as np

from dlx_tf.data.cifar10 import BIRD, HORSE
from dlx_tf.data.unpaired_images import from_unit_range
from dlx_tf.export.image_generator import (
    IMAGE_GENERATOR_LIMITS,
    INTERPOLATOR_LIMITS,
    conditional_generator_endpoints,
    interpolator_endpoints,
)
from dlx_tf.projects.pegasus.pegasus_search import mixture


def pegasus_exports(players, test_images, seed, synthetic):
    """`[(model_name, Run.export arguments)]`: the conditional generator and ACAI's
    interpolator, each with a warmup request."""
    suffix = "synthetic_cifar" if synthetic else "cifar10"
    generator, acai = players.generator, players.acai
    return [
        (f"pegasus_dcgan_{suffix}", {
            "resources": [generator],
            "endpoints": conditional_generator_endpoints(generator, generator.latent_dim,
                                                         generator.num_classes),
            "warmup_inputs": generator_warmup(generator, seed), "limits": IMAGE_GENERATOR_LIMITS}),
        (f"pegasus_acai_{suffix}", {
            "resources": [acai.encoder, acai.decoder],
            "endpoints": interpolator_endpoints(acai.interpolate, 32, 32),
            "warmup_inputs": interpolator_warmup(test_images), "limits": INTERPOLATOR_LIMITS}),
    ]


def generator_warmup(generator, seed):
    """Two random latents under the 50/50 bird/horse condition: the DCGAN export's warmup."""
    latents = np.random.default_rng(seed).standard_normal((2, generator.latent_dim))
    half = mixture(generator.num_classes, {BIRD: np.full(2, 0.5), HORSE: np.full(2, 0.5)})
    return {"latents": latents.astype("float32"), "class_mixture": half}


def interpolator_warmup(test_images):
    """Two pairs of test images (in [-1, 1]) at α 0.25 and 0.5: the ACAI export's warmup."""
    uint8 = np.asarray(from_unit_range(test_images[:4]))
    return {"images_a": uint8[:2], "images_b": uint8[2:4],
            "alpha": np.asarray([0.25, 0.5], "float32")}
