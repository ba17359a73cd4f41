"""What `experiments/cyclegan.py` assembles from its config: the compiled CycleGAN, the
unpaired training pairs and their jitter, and the test arrays."""

import os
import re

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.unpaired_images import random_jitter, to_unit_range
from dlx_tf.models.cyclegan import CycleGAN, CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.training.schedules import LinearDecaySchedule


def build_cyclegan(config, steps_per_epoch):
    """Two generators, two discriminators and the `CycleGAN` wrapper, compiled with Adam
    on the official schedule: constant, then linear decay over `config.decay_epochs`."""

    def generator(name):
        return CycleGANGenerator(filters=config.filters,
                                 num_residual_blocks=config.residual_blocks, name=name)

    def discriminator(name):
        return PatchGANDiscriminator(filters=config.filters,
                                     num_layers=config.discriminator_layers, name=name)

    gan = CycleGAN(generator("generator_a2b"), generator("generator_b2a"),
                   discriminator("discriminator_a"), discriminator("discriminator_b"),
                   cycle_weight=config.cycle_weight, identity_weight=config.identity_weight,
                   pool_size=config.pool_size, seed=config.seed, name="cyclegan")
    schedule = LinearDecaySchedule(config.learning_rate, steps_per_epoch,
                                   config.epochs - config.decay_epochs, config.decay_epochs)
    gan.compile(keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                jit_compile=config.jit_compile)
    return gan


def training_pairs(data):
    """`(image_a, image_b)` uint8 pairs, as many as the larger domain has images."""
    count = max(data.info["train_a"], data.info["train_b"])
    return tf.data.Dataset.zip(data.train_a.repeat(), data.train_b.repeat()).take(count)


class PairJitter:
    """The training augmentation of a pair: each image resized, randomly cropped to
    `crop_size` and flipped from its own stateless seed, then scaled to [-1, 1]."""

    def __init__(self, crop_size):
        self.crop_size = crop_size

    def __call__(self, pair, seed):
        seed_a, seed_b = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        image_a, image_b = pair
        return (to_unit_range(random_jitter(image_a, self.crop_size, seed_a)),
                to_unit_range(random_jitter(image_b, self.crop_size, seed_b)))


def as_unit_array(images, limit, size=None):
    """Unbatched uint8 images as one float32 array in [-1, 1] (resized to `size` if given);
    the first `limit` of them, or all for 0."""
    if limit:
        images = images.take(limit)
    if size is not None:
        images = images.map(lambda image: tf.image.resize(image, (size, size), antialias=True))
    return np.concatenate([np.asarray(to_unit_range(batch)) for batch in images.batch(256)])


def pair_name(info):
    """The exports' name for the data: `synthetic_seasons`, `summer2winter_yosemite`, or
    the folder's name."""
    if info["synthetic"]:
        return "synthetic_seasons"
    source = info["source"].removeprefix("tfds:")
    # A tfds source may end in a version (`cycle_gan/horse2zebra:3.0.0`): not part of the name.
    name = os.path.basename(os.path.normpath(source)).partition(":")[0]
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
