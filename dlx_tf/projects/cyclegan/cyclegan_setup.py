"""What `experiments/cyclegan.py` assembles from its config: the compiled CycleGAN, the
unpaired training items and their pairing and jitter, the test arrays and the feature
space its realism and diversity are measured in."""

import os
import re

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.synthetic.seasons import SEASONS, generate_scenes, scene_attributes
from dlx_tf.data.unpaired_images import random_jitter, to_unit_range
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.feature_spaces import (
    attribute_feature_space,
    inception_feature_space,
    texture_statistics_space,
)
from dlx_tf.models.cyclegan import CycleGAN, CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.models.ganilla import GANILLAGenerator
from dlx_tf.models.pix2pix import Pix2PixGenerator
from dlx_tf.training.schedules import LinearDecaySchedule

_FEATURE_SEED = 1_000_003  # scenes for the feature network come from seeds past the splits'
_FEATURE_SIZE = 32  # layouts and palettes show at 32×32; the network trains in seconds there

# The generators `config.generator` names, each built from the config and a name.
GENERATORS = {
    "resnet": lambda config, name: CycleGANGenerator(
        filters=config.filters, num_residual_blocks=config.residual_blocks, name=name),
    "ganilla": lambda config, name: GANILLAGenerator(filters=config.filters, name=name),
    # The official CycleGAN code's --netG unet_256: --norm instance, --no_dropout.
    "unet": lambda config, name: Pix2PixGenerator(
        filters=config.filters, num_downsamplings=config.unet_downsamplings,
        normalization="instance", dropout=0.0, name=name),
}
# What each generator's exports are called: `<prefix>_<pair>_<direction>`.
EXPORT_PREFIXES = {"resnet": "cyclegan", "ganilla": "ganilla", "unet": "cyclegan_unet"}


def check_generator(name):
    """A one-line `UsageError` unless `name` is one of `GENERATORS`."""
    if name not in GENERATORS:
        raise UsageError(f"generator: expected one of {', '.join(GENERATORS)}, got {name!r}")


def build_cyclegan(config, steps_per_epoch):
    """Two generators of the kind `config.generator` names, two discriminators and the
    `CycleGAN` wrapper, compiled with Adam on the official schedule: constant, then linear
    decay over `config.decay_epochs`. Raises a `UsageError` if the generator cannot take
    `config.crop_size` crops."""
    generators = [GENERATORS[config.generator](config, name)
                  for name in ("generator_a2b", "generator_b2a")]
    multiple, min_side = generators[0].size_multiple, generators[0].min_side
    if config.crop_size % multiple or config.crop_size < min_side:
        raise UsageError(f"crop_size: the {config.generator} generator needs a multiple of "
                         f"{multiple}, at least {min_side}; got {config.crop_size}")

    def discriminator(name):
        return PatchGANDiscriminator(filters=config.filters,
                                     num_layers=config.discriminator_layers, name=name)

    gan = CycleGAN(*generators,
                   discriminator("discriminator_a"), discriminator("discriminator_b"),
                   cycle_weight=config.cycle_weight, identity_weight=config.identity_weight,
                   pool_size=config.pool_size, seed=config.seed, name="cyclegan")
    schedule = LinearDecaySchedule(config.learning_rate, steps_per_epoch,
                                   config.epochs - config.decay_epochs, config.decay_epochs)
    gan.compile(keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                jit_compile=config.jit_compile)
    return gan


def training_images_a(data):
    """Domain A's training images, repeated in turn to as many as the larger domain has:
    the items of one epoch, as the official `UnalignedDataset` counts them (its A image is
    `index % |A|` of a shuffled index)."""
    count = max(data.info["train_a"], data.info["train_b"])
    return data.train_a.repeat().take(count)


class PairJitter:
    """The training augmentation of one item: its A image, and a B image drawn uniformly
    at random from `images_b` (the official `UnalignedDataset`'s `randint(0, |B| - 1)`), each
    randomly cropped to `crop_size` and flipped from its own stateless seed, then scaled to
    [-1, 1]. Every draw comes from the item's seed, (run seed, epoch, position), so each
    epoch pairs A with B afresh and a resumed run draws the same pairs.

    Args:
        crop_size: side of the square crops.
        images_b: uint8 `[n, load_size, load_size, 3]`, domain B's training images.
    """

    def __init__(self, crop_size, images_b):
        self.crop_size = crop_size
        self.images_b = tf.constant(images_b)

    def __call__(self, image_a, seed):
        pick, seed_a, seed_b = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
        index = tf.random.stateless_uniform([], pick, maxval=tf.shape(self.images_b)[0],
                                            dtype=tf.int32)
        return (to_unit_range(random_jitter(image_a, self.crop_size, seed_a)),
                to_unit_range(random_jitter(self.images_b[index], self.crop_size, seed_b)))


def feature_space(data, config):
    """Where realism and diversity are measured. On the synthetic seasons: a network
    trained on `config.feature_images` fresh 32×32 scenes per season (seeds apart from
    every split's) to predict their season and every attribute the generator drew; it
    sees any image resized to 32×32. On real
    data: Inception-v3 with `config.feature_weights` (`imagenet` or a local file), or
    texture statistics where none are given."""
    if not data.info["synthetic"]:
        if config.feature_weights:
            return inception_feature_space(config.feature_weights)
        return texture_statistics_space()
    images, labels, attributes = [], [], []
    for label, season in enumerate(SEASONS):
        seed = _FEATURE_SEED + 2 * config.seed + label  # the splits use 4·seed + 0..3
        images.append(generate_scenes(config.feature_images, _FEATURE_SIZE, season, seed))
        attributes.append(scene_attributes(config.feature_images, seed, season))
        labels.append(np.full(config.feature_images, label))
    return attribute_feature_space(
        np.concatenate(images).astype(np.float32) / 127.5 - 1.0, np.concatenate(labels),
        np.concatenate(attributes), seed=config.seed, epochs=config.feature_epochs,
        image_size=_FEATURE_SIZE)


def as_uint8_array(images):
    """Unbatched uint8 images as one numpy array."""
    return np.concatenate([np.asarray(batch) for batch in images.batch(256)])


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


def export_name(generator, pair, direction):
    """`cyclegan_summer2winter_yosemite_a2b` for the resnet generator, `ganilla_…` and
    `cyclegan_unet_…` for the others."""
    return f"{EXPORT_PREFIXES[generator]}_{pair}_{direction}"
