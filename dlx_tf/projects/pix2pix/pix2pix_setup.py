"""What `experiments/pix2pix.py` assembles from its config: the compiled `Pix2Pix`, the
training pairs' jitter, the test arrays, and the segmentation judge of the FCN-score."""

import keras
import numpy as np

from dlx_tf.data.paired_images import paired_jitter
from dlx_tf.data.synthetic.seasons import LABEL_CLASSES, generate_scenes, scene_labels
from dlx_tf.data.unpaired_images import to_unit_range
from dlx_tf.models.cyclegan import PatchGANDiscriminator
from dlx_tf.models.pix2pix import Pix2Pix, Pix2PixGenerator
from dlx_tf.projects.cyclegan.cyclegan_setup import pair_name
from dlx_tf.projects.pix2pix.segmentation_judge import train_segmentation_judge
from dlx_tf.training.schedules import LinearDecaySchedule

_JUDGE_SEED = 2_000_003  # the judge's scenes come from seeds past every split's


def build_pix2pix(config, steps_per_epoch):
    """The U-Net generator, the conditional PatchGAN and the `Pix2Pix` wrapper, compiled
    with Adam on the official schedule: constant, then linear decay over
    `config.decay_epochs`."""
    generator = Pix2PixGenerator(filters=config.filters,
                                 num_downsamplings=config.downsamplings,
                                 dropout=config.dropout, name="generator")
    # Conditional: the discriminator sees the input and the output side by side (§3.1).
    discriminator = PatchGANDiscriminator(filters=config.filters,
                                          num_layers=config.discriminator_layers,
                                          normalization="batch", name="discriminator")
    gan = Pix2Pix(generator, discriminator, l1_weight=config.l1_weight, name="pix2pix")
    schedule = LinearDecaySchedule(config.learning_rate, steps_per_epoch,
                                   config.epochs - config.decay_epochs, config.decay_epochs)
    gan.compile(keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                jit_compile=config.jit_compile)
    return gan


class PairJitter:
    """The training augmentation of one (input, target) pair: one random crop to
    `crop_size` and one flip for both halves, from the item's stateless seed, then
    scaled to [-1, 1]."""

    def __init__(self, crop_size):
        self.crop_size = crop_size

    def __call__(self, pair, seed):
        inputs, targets = paired_jitter(*pair, self.crop_size, seed)
        return to_unit_range(inputs), to_unit_range(targets)


def evaluation_arrays(pairs, limit):
    """The first `limit` test pairs (all for 0) as two float32 arrays in [-1, 1]."""
    if limit:
        pairs = pairs.take(limit)
    inputs, targets = [], []
    for batch_inputs, batch_targets in pairs.batch(256):
        inputs.append(np.asarray(to_unit_range(batch_inputs)))
        targets.append(np.asarray(to_unit_range(batch_targets)))
    return np.concatenate(inputs), np.concatenate(targets)


def segmentation_judge(data, config):
    """The FCN-score's judge (pix2pix §4.2): a segmentation network trained on real
    scenes, never on generated ones, to label every pixel with its class of
    `LABEL_CLASSES`, and those scenes in [-1, 1] (other layouts than the test split's: the
    realism a generator can reach). Only the synthetic data have label maps to train it:
    `(None, None)` otherwise."""
    if not data.info["synthetic"]:
        return None, None
    seed = _JUDGE_SEED + config.seed
    scenes = np.asarray(to_unit_range(
        generate_scenes(config.judge_images, config.crop_size, "summer", seed)))
    labels = scene_labels(config.judge_images, config.crop_size, seed)
    judge = train_segmentation_judge(scenes, labels, len(LABEL_CLASSES), seed=config.seed,
                                     epochs=config.judge_epochs)
    return judge, scenes


def export_name(info):
    """`pix2pix_synthetic_scenes`, or `pix2pix_<folder>_<direction>`."""
    if info["synthetic"]:
        return "pix2pix_synthetic_scenes"
    return f"pix2pix_{pair_name(info)}_{info['direction'].lower()}"

