"""What the pix2pix experiment assembles from its config: the compiled U-Net and
conditional PatchGAN on their schedule, the pairs' jitter, the test arrays, the FCN-score's
judge and the export's name."""

import dataclasses
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.cyclegan import PatchGANDiscriminator
from dlx_tf.models.pix2pix import Pix2Pix, Pix2PixGenerator
from dlx_tf.projects.pix2pix import pix2pix_setup as setup
from experiments.pix2pix import PROFILES

CONFIG = dataclasses.replace(
    PROFILES["smoke"], epochs=5, decay_epochs=3, filters=4, downsamplings=5, dropout=0.25,
    discriminator_layers=2, learning_rate=1e-3, beta_1=0.3, l1_weight=7.0, crop_size=32)


def test_build_pix2pix_sizes_the_unet_and_the_conditional_patchgan_from_the_config():
    gan = setup.build_pix2pix(CONFIG, steps_per_epoch=3)
    assert type(gan) is Pix2Pix and gan.l1_weight == 7.0
    generator, discriminator = gan.generator, gan.discriminator
    assert type(generator) is Pix2PixGenerator
    assert (generator.filters, generator.num_downsamplings, generator.dropout,
            generator.normalization) == (4, 5, 0.25, "batch")
    assert type(discriminator) is PatchGANDiscriminator
    assert (discriminator.filters, discriminator.num_layers,
            discriminator.normalization) == (4, 2, "batch")
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    fakes = np.asarray(generator(images, training=False))
    assert fakes.shape == (2, 32, 32, 3) and np.abs(fakes).max() <= 1.0
    # Conditional: it scores the input and the output stacked on the channels.
    assert discriminator(np.concatenate([images, fakes], -1)).shape[0] == 2


def test_both_optimizers_hold_the_rate_then_decay_it_linearly():
    gan = setup.build_pix2pix(CONFIG, steps_per_epoch=3)
    optimizers = (gan.generator_optimizer, gan.discriminator_optimizer)
    assert optimizers[0] is not optimizers[1]
    for optimizer in optimizers:
        assert optimizer.beta_1 == pytest.approx(0.3)
        schedule = keras.saving.deserialize_keras_object(
            optimizer.get_config()["learning_rate"])
        rates = [float(schedule(step)) for step in range(0, 15, 3)]  # first step of each epoch
        assert rates == pytest.approx([1e-3, 1e-3, 0.75e-3, 0.5e-3, 0.25e-3])


def test_pair_jitter_crops_and_flips_both_halves_alike_into_the_unit_range():
    inputs = np.random.default_rng(1).integers(0, 256, (20, 28, 3)).astype("uint8")
    jitter = setup.PairJitter(16)

    def run(seed):
        # The target is the input's negative, so only the same crop and flip keep it so.
        return [np.asarray(x) for x in jitter((tf.constant(inputs), tf.constant(255 - inputs)),
                                              tf.constant(seed, tf.int64))]

    crops = [run([3, position]) for position in range(6)]
    for jittered_inputs, jittered_targets in crops:
        assert jittered_inputs.shape == jittered_targets.shape == (16, 16, 3)
        assert jittered_inputs.dtype == np.float32
        assert -1.0 <= jittered_inputs.min() and jittered_inputs.max() <= 1.0
        np.testing.assert_allclose(jittered_targets, -jittered_inputs, atol=1e-6)
    np.testing.assert_array_equal(run([3, 0])[0], crops[0][0])  # fixed by its seed
    assert any(not np.array_equal(crops[0][0], other) for other, _ in crops[1:])


def _pairs(count):
    values = np.arange(count) % 256
    values = values.astype("uint8")[:, None, None, None] * np.ones((1, 2, 3, 3), "uint8")
    return tf.data.Dataset.from_tensor_slices((values, 255 - values))


def test_evaluation_arrays_keeps_the_first_limit_pairs_in_the_unit_range():
    inputs, targets = setup.evaluation_arrays(_pairs(5), 3)
    assert inputs.shape == targets.shape == (3, 2, 3, 3) and inputs.dtype == np.float32
    np.testing.assert_allclose(inputs[:, 0, 0, 0], np.arange(3) / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(targets, -inputs, atol=1e-6)
    inputs, targets = setup.evaluation_arrays(_pairs(300), 0)  # 0: all pairs, over one 256 batch
    assert len(inputs) == len(targets) == 300
    np.testing.assert_allclose(inputs[:, 0, 0, 0], np.arange(300) % 256 / 127.5 - 1, atol=1e-6)
    np.testing.assert_allclose(targets, -inputs, atol=1e-6)


def test_the_judge_is_trained_only_on_synthetic_scenes():
    data = types.SimpleNamespace(info={"synthetic": False})
    assert setup.segmentation_judge(data, CONFIG) == (None, None)


@pytest.mark.parametrize("info, name", [
    ({"synthetic": True, "source": "synthetic labels→scenes (...)", "direction": "AtoB"},
     "pix2pix_synthetic_scenes"),
    ({"synthetic": False, "source": "datasets/facades", "direction": "BtoA"},
     "pix2pix_facades_btoa"),
    ({"synthetic": False, "source": "/data/Edges2Shoes/", "direction": "AtoB"},
     "pix2pix_edges2shoes_atob"),
])
def test_export_name_names_the_data_and_the_direction(info, name):
    assert setup.export_name(info) == name
