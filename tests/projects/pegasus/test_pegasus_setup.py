"""What the Pegasus experiment assembles from its config: the checks, the four players side
by side and the test arrays."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.projects.pegasus import pegasus_setup
from experiments.pegasus import PROFILES

CONFIG = dataclasses.replace(
    PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4, acai_depth=2, acai_latent=3,
    judge_filters=2, adversarial_weight=0.3, regularization=0.1, spectral_norm=True,
    discriminator_normalization="layer", loss="hinge")


@pytest.mark.parametrize("replicas", [1, 2])
def test_the_profiles_pass_the_checks(replicas):
    for config in PROFILES.values():
        pegasus_setup.check_config(config, replicas)


@pytest.mark.parametrize("changes, replicas, message", [
    ({"loss": "least_squares"}, 1, "--set loss=least_squares: expected one of "),
    ({"discriminator_normalization": "group"}, 1,
     "--set discriminator_normalization=group: expected batch, layer or none"),
    ({"batch_size": 30, "n_critic": 4}, 1,
     "batch_size 30 must split into n_critic 4 critic batches on each of 1 replicas"),
    ({"batch_size": 30, "n_critic": 5}, 4,
     "batch_size 30 must split into n_critic 5 critic batches on each of 4 replicas"),
])
def test_settings_the_players_cannot_train_with_are_one_line_errors(changes, replicas, message):
    with pytest.raises(UsageError) as error:
        pegasus_setup.check_config(dataclasses.replace(CONFIG, **changes), replicas)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_a_batch_that_splits_into_critic_batches_on_every_replica_passes():
    pegasus_setup.check_config(dataclasses.replace(CONFIG, batch_size=40, n_critic=5), 4)


@pytest.fixture(scope="module")
def players():
    return pegasus_setup.PegasusPlayers(CONFIG, num_classes=3)


def test_the_players_come_in_training_order(players):
    trainers = players.trainers
    assert list(trainers) == ["dcgan", "acai", "baseline", "judge"]
    assert trainers["dcgan"] is players.dcgan and trainers["judge"] is players.judge_trainer
    assert players.autoencoders == {"acai": players.acai, "baseline": players.baseline}
    for trainer in trainers.values():
        assert trainer.compiled


def test_the_baseline_is_acai_without_its_adversarial_term(players):
    assert players.acai.adversarial_weight == 0.3
    assert players.baseline.adversarial_weight == 0.0
    for autoencoder in players.autoencoders.values():
        assert autoencoder.regularization == 0.1
        assert autoencoder.num_classes == 3


def test_the_networks_carry_the_config_and_the_names_of_the_report(players):
    networks = players.networks
    assert list(networks) == [
        "generator", "discriminator", "acai_encoder", "acai_decoder", "acai_critic",
        "baseline_encoder", "baseline_decoder", "baseline_critic", "judge"]
    assert networks["generator"] is players.dcgan.generator
    assert networks["judge"] is players.judge_trainer.classifier
    assert networks["baseline_critic"] is players.baseline.critic
    assert networks["acai_encoder"].name == "acai_encoder"
    assert networks["baseline_decoder"].name == "baseline_decoder"
    generator, discriminator = networks["generator"], networks["discriminator"]
    assert (generator.latent_dim, generator.num_classes, generator.filters) == (6, 3, 4)
    assert (discriminator.normalization, discriminator.spectral_norm) == ("layer", True)
    assert players.dcgan.loss_kind == "hinge"
    assert networks["judge"].num_classes == 3


def test_none_normalization_builds_a_discriminator_without_one():
    config = dataclasses.replace(CONFIG, discriminator_normalization="none")
    assert pegasus_setup.PegasusPlayers(config, 2).discriminator.normalization is None


def _labelled_images(count):
    images = np.arange(count, dtype="uint8")[:, None, None, None] * np.ones((1, 2, 3, 3), "uint8")
    return tf.data.Dataset.from_tensor_slices((images, np.arange(count) % 10))


def test_unit_arrays_takes_the_first_images_in_the_unit_range_with_their_labels():
    images, labels = pegasus_setup.unit_arrays(_labelled_images(256).repeat(3), 600)
    assert images.shape == (600, 2, 3, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, np.arange(600) % 256 % 10)
    np.testing.assert_allclose(images[:, 0, 0, 0], (np.arange(600) % 256) / 127.5 - 1,
                               atol=1e-6)
    assert images.min() == -1.0 and images.max() == 1.0


def test_accuracy_is_the_share_labelled_right():
    images = np.repeat(np.arange(200, dtype="float32") % 3, 4).reshape(200, 2, 2, 1)

    def classifier(x, training):
        assert not training
        return np.eye(3, dtype="float32")[np.asarray(x)[:, 0, 0, 0].astype(int)]  # logits

    labels = np.arange(200) % 3
    labels[:50] = (labels[:50] + 1) % 3  # 50 of 200 wrong, some in each batch of 128
    assert pegasus_setup.accuracy(classifier, images, labels) == pytest.approx(0.75)
