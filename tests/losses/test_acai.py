import numpy as np
import tensorflow as tf
from keras import ops

from dlx_tf.losses.acai import ACAILosses, fold_alpha, mix_latents


def test_fold_alpha_maps_the_unit_interval_onto_zero_to_a_half():
    folded = fold_alpha(np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.9], "float32"))
    np.testing.assert_allclose(folded, [0.0, 0.25, 0.5, 0.25, 0.0, 0.1], atol=1e-7)


def test_mix_latents_pairs_each_example_with_the_mirrored_one():
    latents = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "float32")
    mixed = mix_latents(latents, np.array([0.25, 0.5, 0.0], "float32"))
    # 0.25·[1, 2] + 0.75·[5, 6]; 0.5·[3, 4] + 0.5·[3, 4]; 0·[5, 6] + 1·[1, 2].
    np.testing.assert_allclose(mixed, [[4.0, 5.0], [3.0, 4.0], [1.0, 2.0]])


def test_mix_latents_broadcasts_over_spatial_latents():
    latents = np.arange(2 * 2 * 1 * 3, dtype="float32").reshape(2, 2, 1, 3)
    mixed = ops.convert_to_numpy(mix_latents(latents, np.array([1.0, 0.5], "float32")))
    np.testing.assert_allclose(mixed[0], latents[0])
    np.testing.assert_allclose(mixed[1], (latents[0] + latents[1]) / 2)


def _mean_pixel_critic(images):
    return ops.mean(images, axis=(1, 2, 3))  # a stub critic: (batch,)


def test_losses_of_a_two_image_batch_by_hand():
    losses = ACAILosses(regularization=0.2)
    images = np.stack([np.full((2, 2, 1), 1.0), np.full((2, 2, 1), -0.5)]).astype("float32")
    reconstructions = np.stack([np.zeros((2, 2, 1)), np.full((2, 2, 1), 0.5)]).astype("float32")
    # ((1 - 0)² + (-0.5 - 0.5)²) / 2 = 1.
    np.testing.assert_allclose(losses.reconstruction_loss(images, reconstructions), 1.0)
    # The critic's "real" inputs: 0 + 0.2·(1 - 0) = 0.2 and 0.5 + 0.2·(-0.5 - 0.5) = 0.3.
    real = losses.regularized_reconstructions(images, reconstructions)
    np.testing.assert_allclose(_mean_pixel_critic(real), [0.2, 0.3], rtol=1e-6)
    # (0.2² + 0.3²) / 2 = 0.065.
    np.testing.assert_allclose(losses.critic_real_loss(_mean_pixel_critic(real)), 0.065,
                               rtol=1e-6)
    mix_scores = np.array([0.1, 0.7], "float32")
    alpha = np.array([0.25, 0.5], "float32")
    # ((0.1 - 0.25)² + (0.7 - 0.5)²) / 2 = (0.0225 + 0.04) / 2.
    np.testing.assert_allclose(losses.critic_loss(mix_scores, alpha), 0.03125, rtol=1e-6)
    # (0.1² + 0.7²) / 2.
    np.testing.assert_allclose(losses.autoencoder_adversarial_loss(mix_scores), 0.25, rtol=1e-6)


def test_regularization_zero_gives_the_reconstructions():
    images = np.ones((1, 2, 2, 1), "float32")
    reconstructions = np.zeros((1, 2, 2, 1), "float32")
    real = ACAILosses(regularization=0.0).regularized_reconstructions(images, reconstructions)
    np.testing.assert_array_equal(real, reconstructions)


def test_per_replica_losses_are_divided_by_the_replica_count(two_replicas):
    # (batch,) scores must still be scaled: a scalar left after Keras's last-axis mean
    # would escape the replica scaling.
    losses = ACAILosses()

    def step():
        scores = tf.constant([0.1, 0.7])
        return (losses.critic_loss(scores, tf.constant([0.25, 0.5])),
                losses.autoencoder_adversarial_loss(scores), losses.critic_real_loss(scores))

    results = two_replicas.run(tf.function(step))
    for value, expected in zip(results, (0.03125, 0.25, 0.25)):
        for local in two_replicas.experimental_local_results(value):
            np.testing.assert_allclose(local, expected / 2, rtol=1e-6)
