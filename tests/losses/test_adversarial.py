import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.losses.adversarial import ADVERSARIAL_LOSSES, AdversarialObjective, WassersteinLoss

REAL = np.array([2.0, -1.0], "float32")
FAKE = np.array([0.5, -3.0], "float32")


def _softplus(x):
    return math.log(1.0 + math.exp(x))


# Hand-computed: BCE(1, s) = softplus(-s), BCE(0, s) = softplus(s) on logits.
EXPECTED = {
    "non_saturating": (
        (_softplus(-2.0) + _softplus(1.0)) / 2 + (_softplus(0.5) + _softplus(-3.0)) / 2,
        (_softplus(-0.5) + _softplus(3.0)) / 2,
    ),
    # D: mean(relu(1 - [2, -1])) + mean(relu(1 + [0.5, -3])) = (0 + 2) / 2 + (1.5 + 0) / 2.
    "hinge": (1.75, 1.25),
    # Critic: mean(fake) - mean(real) = -1.25 - 0.5; G: -mean(fake).
    "wgan_gp": (-1.75, 1.25),
}


@pytest.mark.parametrize("kind", ADVERSARIAL_LOSSES)
def test_formulas_match_hand_computed_values(kind):
    objective = AdversarialObjective(kind)
    discriminator, generator = EXPECTED[kind]
    for shape in ((2,), (2, 1)):  # flat scores and Dense(1)-style scores agree
        real, fake = REAL.reshape(shape), FAKE.reshape(shape)
        np.testing.assert_allclose(objective.discriminator_loss(real, fake), discriminator,
                                   rtol=1e-6)
        np.testing.assert_allclose(objective.generator_loss(fake), generator, rtol=1e-6)


def test_wasserstein_loss_is_per_sample():
    loss = WassersteinLoss(reduction="none")
    np.testing.assert_allclose(loss(np.array([1.0, -1.0]), REAL), [-2.0, -1.0])
    assert float(WassersteinLoss()(np.ones(2), REAL)) == pytest.approx(-0.5)
    restored = WassersteinLoss.from_config(WassersteinLoss(name="w").get_config())
    assert restored.name == "w"


def test_rejects_unknown_kind():
    with pytest.raises(ValueError, match="non_saturating.*hinge.*wgan_gp"):
        AdversarialObjective("least_squares")


@pytest.mark.parametrize("kind", ADVERSARIAL_LOSSES)
def test_each_replica_gets_its_share_of_the_loss(kind, two_replicas):
    # Both replicas see the same scores, so each replica's mean is the global mean and the
    # Loss objects must return half of it: summed gradients then equal one device's.
    objective = AdversarialObjective(kind)
    discriminator, generator = EXPECTED[kind]

    def step():
        return (objective.discriminator_loss(tf.constant(REAL), tf.constant(FAKE)),
                objective.generator_loss(tf.constant(FAKE)))

    per_replica = two_replicas.run(tf.function(step))
    for values, expected in zip(per_replica, (discriminator, generator)):
        for value in two_replicas.experimental_local_results(values):
            np.testing.assert_allclose(value, expected / 2, rtol=1e-6)
    assert keras.ops.convert_to_numpy(step()[0]) == pytest.approx(discriminator, rel=1e-6)
