"""The SavedModels a Pegasus run exports and their warmup requests."""

import dataclasses
import types

import numpy as np
import tensorflow as tf

from dlx_tf.data.cifar10 import BIRD, HORSE
from dlx_tf.projects.pegasus.pegasus_exports import (
    generator_warmup,
    interpolator_warmup,
    pegasus_exports,
)
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from experiments.pegasus import PROFILES


def test_the_generator_warmup_asks_for_two_half_bird_half_horse_images():
    generator = types.SimpleNamespace(latent_dim=5, num_classes=10)
    warmup = generator_warmup(generator, seed=3)
    assert warmup["latents"].shape == (2, 5) and warmup["latents"].dtype == np.float32
    mixture = warmup["class_mixture"]
    assert mixture.shape == (2, 10) and mixture.dtype == np.float32
    np.testing.assert_array_equal(mixture[:, [BIRD, HORSE]], 0.5)
    np.testing.assert_array_equal(np.delete(mixture, [BIRD, HORSE], axis=1), 0.0)
    np.testing.assert_array_equal(generator_warmup(generator, seed=3)["latents"],
                                  warmup["latents"])
    assert not np.array_equal(generator_warmup(generator, seed=4)["latents"], warmup["latents"])


def test_the_interpolator_warmup_pairs_the_first_four_test_images_as_uint8():
    test_images = np.linspace(-1, 1, 5 * 4 * 6 * 3, dtype="float32").reshape(5, 4, 6, 3)
    warmup = interpolator_warmup(test_images)
    assert warmup["images_a"].shape == warmup["images_b"].shape == (2, 4, 6, 3)
    assert warmup["images_a"].dtype == warmup["images_b"].dtype == np.uint8
    np.testing.assert_array_equal(warmup["images_a"],
                                  np.round((test_images[:2] + 1) * 127.5).astype("uint8"))
    np.testing.assert_array_equal(warmup["images_b"],
                                  np.round((test_images[2:4] + 1) * 127.5).astype("uint8"))
    assert warmup["images_a"][0, 0, 0, 0] == 0
    np.testing.assert_array_equal(warmup["alpha"], np.asarray([0.25, 0.5], "float32"))


def test_each_export_serves_its_own_warmup_request():
    config = dataclasses.replace(PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4,
                                 acai_depth=2, acai_latent=3, judge_filters=2)
    players = PegasusPlayers(config, num_classes=10)
    test_images = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    exports = pegasus_exports(players, test_images, seed=0, synthetic=True)
    assert [name for name, _ in exports] == ["pegasus_dcgan_synthetic_cifar",
                                             "pegasus_acai_synthetic_cifar"]
    assert exports[0][1]["resources"] == [players.generator]
    assert exports[1][1]["resources"] == [players.acai.encoder, players.acai.decoder]
    for _, arguments in exports:
        serve, signature = arguments["endpoints"]["serving_default"]
        warmup = arguments["warmup_inputs"]
        assert sorted(spec.name for spec in signature) == sorted(warmup)
        for spec in signature:
            assert spec.is_compatible_with(tf.constant(warmup[spec.name])), spec.name
        images = serve(**{name: tf.constant(value) for name, value in warmup.items()})["images"]
        assert images.shape == (2, 32, 32, 3) and images.dtype == tf.uint8
    real = pegasus_exports(players, test_images, seed=0, synthetic=False)
    assert [name for name, _ in real] == ["pegasus_dcgan_cifar10", "pegasus_acai_cifar10"]
