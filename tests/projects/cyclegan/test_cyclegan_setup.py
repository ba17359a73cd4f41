"""What the CycleGAN experiment assembles from its config: the compiled players and their
schedule, the unpaired pairs, their jitter, the test arrays and the exports' data name."""

import dataclasses
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.models.ganilla import GANILLAGenerator
from dlx_tf.projects.cyclegan.cyclegan_setup import (
    PairJitter,
    as_unit_array,
    build_cyclegan,
    export_name,
    pair_name,
    training_images_a,
)
from experiments.cyclegan import PROFILES

CONFIG = dataclasses.replace(
    PROFILES["smoke"], epochs=5, decay_epochs=3, filters=4, residual_blocks=1,
    discriminator_layers=2, learning_rate=1e-3, beta_1=0.3, cycle_weight=7.0,
    identity_weight=0.25, pool_size=3, crop_size=16)


def _schedule(optimizer):
    return keras.saving.deserialize_keras_object(optimizer.get_config()["learning_rate"])


def test_build_cyclegan_sizes_the_players_from_the_config():
    gan = build_cyclegan(CONFIG, steps_per_epoch=3)
    for generator in (gan.generator_a2b, gan.generator_b2a):
        assert (generator.filters, generator.num_residual_blocks) == (4, 1)
    for discriminator in (gan.discriminator_a, gan.discriminator_b):
        assert (discriminator.filters, discriminator.num_layers) == (4, 2)
    assert (gan.cycle_weight, gan.identity_weight) == (7.0, 0.25)
    assert gan.pool_a.pool_size == gan.pool_b.pool_size == 3
    images = np.random.default_rng(0).uniform(-1, 1, (2, 16, 24, 3)).astype("float32")
    fake_b, fake_a = (np.asarray(x) for x in (gan.generator_a2b(images),
                                              gan.generator_b2a(images[::-1])))
    assert fake_b.shape == fake_a.shape == (2, 16, 24, 3)
    assert np.abs(fake_b).max() <= 1.0


def test_build_cyclegan_builds_ganilla_generators_when_asked():
    gan = build_cyclegan(dataclasses.replace(CONFIG, generator="ganilla", crop_size=32),
                         steps_per_epoch=3)
    for generator in (gan.generator_a2b, gan.generator_b2a):
        assert type(generator) is GANILLAGenerator and generator.filters == 4
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 48, 3)).astype("float32")
    assert gan.generator_a2b(images).shape == (2, 32, 48, 3)
    assert gan.discriminator_a.filters == 4


def test_an_unknown_generator_or_a_crop_it_cannot_take_is_refused():
    with pytest.raises(UsageError, match="^generator: expected one of resnet, ganilla.*got 'vgg'$"):
        dataclasses.replace(CONFIG, generator="vgg")
    with pytest.raises(UsageError, match="^crop_size: the ganilla generator needs a multiple of "
                                         "16, at least 32; got 24$"):
        build_cyclegan(dataclasses.replace(CONFIG, generator="ganilla", crop_size=24), 3)


def test_every_generator_to_compare_is_checked_when_the_config_is_made():
    with pytest.raises(UsageError, match="^generator: expected one of resnet, ganilla, unet, "
                                         "got 'vgg'$"):
        dataclasses.replace(CONFIG, compare_generators=("resnet", "vgg"))
    assert dataclasses.replace(CONFIG, compare_generators=("unet", "ganilla")).generator == "resnet"


def test_both_optimizers_hold_the_rate_then_decay_it_linearly():
    gan = build_cyclegan(CONFIG, steps_per_epoch=3)
    optimizers = (gan.generator_optimizer, gan.discriminator_optimizer)
    assert optimizers[0] is not optimizers[1]
    for optimizer in optimizers:
        assert optimizer.beta_1 == pytest.approx(0.3)
        schedule = _schedule(optimizer)
        rates = [float(schedule(step)) for step in range(0, 15, 3)]  # first step of each epoch
        # 2 constant epochs, then 3 decaying ones: rate · (1 - k / 4).
        assert rates == pytest.approx([1e-3, 1e-3, 0.75e-3, 0.5e-3, 0.25e-3])
        assert float(schedule(5)) == pytest.approx(1e-3)  # the last step of epoch 2


def _indexed(count, offset):
    """`count` uint8 images, image i filled with `offset + i`."""
    values = (offset + np.arange(count)).astype("uint8")
    return tf.data.Dataset.from_tensor_slices(values[:, None, None, None]
                                              * np.ones((1, 2, 3, 3), "uint8"))


@pytest.mark.parametrize("counts", [(3, 5), (5, 2)])
def test_an_epoch_holds_the_larger_domains_count_of_a_images_in_turn(counts):
    data = types.SimpleNamespace(train_a=_indexed(counts[0], 0), train_b=_indexed(counts[1], 100),
                                 info={"train_a": counts[0], "train_b": counts[1]})
    items = [int(a[0, 0, 0]) for a in training_images_a(data)]
    assert items == [i % counts[0] for i in range(max(counts))]


def _images(count, seed):
    return np.random.default_rng(seed).integers(0, 256, (count, 20, 28, 3)).astype("uint8")


def _crops(image, size):
    """Every `size` square crop of `image` and of its mirror image, in [-1, 1]."""
    unit = np.asarray(image, "float32") / 127.5 - 1
    return [view[top:top + size, left:left + size] for view in (unit, unit[:, ::-1])
            for top in range(unit.shape[0] - size + 1)
            for left in range(unit.shape[1] - size + 1)]


def _source(jittered, images, size):
    """The index of the image in `images` that `jittered` is a crop of."""
    (index,) = [i for i, image in enumerate(images)
                if any(np.allclose(jittered, crop, atol=1e-6) for crop in _crops(image, size))]
    return index


def test_pair_jitter_crops_and_flips_a_and_a_drawn_b_into_the_unit_range():
    image_a, images_b = _images(1, 3)[0], _images(4, 4)
    jittered_a, jittered_b = (np.asarray(x) for x in PairJitter(16, images_b)(
        tf.constant(image_a), tf.constant([1, 2], tf.int64)))
    for jittered in (jittered_a, jittered_b):
        assert jittered.shape == (16, 16, 3) and jittered.dtype == np.float32
        assert -1.0 <= jittered.min() and jittered.max() <= 1.0
    assert _source(jittered_a, [image_a], 16) == 0
    assert 0 <= _source(jittered_b, images_b, 16) < 4


def test_pair_jitter_draws_b_uniformly_and_is_fixed_by_its_seed():
    image_a, images_b = _images(1, 3)[0], _images(5, 4)
    jitter = PairJitter(12, images_b)

    def run(seed):
        return [np.asarray(x) for x in jitter(tf.constant(image_a), tf.constant(seed, tf.int64))]

    once, again = run([5, 6]), run([5, 6])
    np.testing.assert_array_equal(once[0], again[0])
    np.testing.assert_array_equal(once[1], again[1])
    # Over many items each B image is drawn about equally often, from the item's seed alone.
    drawn = [_source(run([5, position])[1], images_b, 12) for position in range(200)]
    counts = np.bincount(drawn, minlength=5)
    assert counts.min() > 20 and counts.max() < 60
    assert any(not np.array_equal(once[0], run([5, seed])[0]) for seed in range(7, 11))


def _uint8_images(count, height=6, width=10):
    values = np.linspace(0, 255, count * height * width * 3).round()
    return tf.data.Dataset.from_tensor_slices(values.reshape(count, height, width, 3)
                                              .astype("uint8"))


def test_as_unit_array_keeps_the_first_limit_images_in_the_unit_range():
    images = _uint8_images(5)
    first_three = as_unit_array(images, 3)
    assert first_three.shape == (3, 6, 10, 3) and first_three.dtype == np.float32
    expected = np.stack(list(images.take(3).as_numpy_iterator())) / 127.5 - 1
    np.testing.assert_allclose(first_three, expected, atol=1e-6)
    assert first_three.min() == -1.0
    assert as_unit_array(images, 0)[-1].max() == 1.0  # 0: every image, the last one included


def test_as_unit_array_resizes_and_joins_batches():
    resized = as_unit_array(_uint8_images(300, 4, 6), 0, size=3)
    assert resized.shape == (300, 3, 3, 3)  # over one batch of 256
    # Resized, not rounded back to uint8: the range holds up to float rounding.
    assert resized.min() >= -1 - 1e-6 and resized.max() <= 1 + 1e-6
    assert resized[0].mean() < resized[-1].mean()  # still in their order


@pytest.mark.parametrize("info, name", [
    ({"synthetic": True, "source": "synthetic seasons (procedural scenes, ...)"},
     "synthetic_seasons"),
    ({"synthetic": False, "source": "tfds:cycle_gan/summer2winter_yosemite"},
     "summer2winter_yosemite"),
    ({"synthetic": False, "source": "tfds:cycle_gan/horse2zebra:3.0.0"}, "horse2zebra"),
    ({"synthetic": False, "source": "/data/My Photos-2/"}, "my_photos_2"),
    ({"synthetic": False, "source": "/data/unpaired/Apple2Orange"}, "apple2orange"),
])
def test_pair_name_names_the_data_for_the_exports(info, name):
    assert pair_name(info) == name


@pytest.mark.parametrize("generator, name", [
    ("resnet", "cyclegan_horse2zebra_a2b"),
    ("ganilla", "ganilla_horse2zebra_a2b"),
    ("unet", "cyclegan_unet_horse2zebra_a2b"),
])
def test_export_name_names_the_generator_the_data_and_the_direction(generator, name):
    assert export_name(generator, "horse2zebra", "a2b") == name
