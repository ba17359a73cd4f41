import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.dcgan.dcgan import DCGAN, _global_noise
from dlx_tf.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator

LATENT_DIM = 4


def _gan(loss="non_saturating", n_critic=1, image_size=8, generator_norm="batch",
         discriminator_norm="batch", spectral_norm=False, learning_rate=2e-4, filters=4):
    generator = DCGANGenerator(latent_dim=LATENT_DIM, num_classes=2, embedding_dim=3,
                               filters=filters, image_size=image_size, channels=1,
                               normalization=generator_norm)
    discriminator = DCGANDiscriminator(num_classes=2, filters=filters, image_size=image_size,
                                       normalization=discriminator_norm,
                                       spectral_norm=spectral_norm)
    gan = DCGAN(generator, discriminator, loss=loss, n_critic=n_critic, seed=5)
    gan.compile(keras.optimizers.Adam(learning_rate, beta_1=0.5),
                keras.optimizers.Adam(learning_rate, beta_1=0.5))
    return gan


def _batches(steps, batch=4, image_size=8, seed=0):
    # Labels 0, 0, 1, 1, ...: every strided critic slice holds both classes, so every
    # class embedding and projection row gets a gradient.
    rng = np.random.default_rng(seed)
    labels = np.tile(np.repeat([0, 1], batch // 2), steps)
    images = ((2 * labels - 1) * 0.8)[:, None, None, None] + 0.05 * rng.normal(
        size=(steps * batch, image_size, image_size, 1))
    return tf.data.Dataset.from_tensor_slices(
        (images.astype("float32"), labels)).batch(batch, drop_remainder=True)


def _fit(strategy, make_gan, data):
    keras.utils.set_random_seed(1)
    with strategy.scope():
        gan = make_gan()
        gan.build_for_training(next(iter(data)))
    history = gan.fit(data, epochs=1, verbose=0, shuffle=False).history
    return gan, history


@pytest.mark.parametrize("loss, n_critic, kwargs", [
    ("non_saturating", 1, {}),
    ("hinge", 1, {"spectral_norm": True}),
    ("wgan_gp", 2, {"discriminator_norm": "layer"}),
])
def test_a_step_updates_every_player_and_logs_every_key(loss, n_critic, kwargs, one_device):
    keras.utils.set_random_seed(1)
    data = _batches(1)
    with one_device.scope():
        gan = _gan(loss, n_critic, **kwargs)
        gan.build_for_training(next(iter(data)))
    before = [np.asarray(v).copy() for v in gan.trainable_variables]
    logs = gan.fit(data, epochs=1, verbose=0, shuffle=False).history
    expected = {"generator_loss", "discriminator_loss", "real_score", "fake_score"}
    assert set(logs) == expected | ({"gradient_penalty"} if loss == "wgan_gp" else set())
    assert all(np.isfinite(values[0]) for values in logs.values())
    unchanged = [v.path for b, v in zip(before, gan.trainable_variables)
                 if np.allclose(b, np.asarray(v))]
    # The score bias shifts real and fake scores alike: in mean(fake) - mean(real) its
    # gradient is exactly -1 + 1 = 0 (also in the hinge loss while every margin is active).
    allowed = [] if loss != "wgan_gp" else [
        v.path for v in gan.discriminator.trainable_variables if v.path.endswith("score/bias")]
    assert unchanged == allowed
    assert len(gan.generator.trainable_variables) + len(
        gan.discriminator.trainable_variables) == len(before)
    assert gan.discriminator_optimizer.iterations.numpy() == n_critic
    assert gan.generator_optimizer.iterations.numpy() == 1
    assert set(gan.training_optimizers()) == {"generator", "discriminator"}


def test_call_takes_a_real_batch():
    gan = _gan()
    images, labels = next(iter(_batches(1)))
    scores, fakes = gan((images, labels))
    assert scores.shape == (4,) and fakes.shape == (4, 8, 8, 1)


def test_rejects_inconsistent_settings(one_device):
    with pytest.raises(ValueError, match="multiple of 4"):
        with one_device.scope():
            _gan("wgan_gp", n_critic=4, discriminator_norm=None).build_for_training(
                next(iter(_batches(1, batch=6))))
    with pytest.raises(ValueError, match="batch norm"):
        _gan("wgan_gp")
    with pytest.raises(ValueError, match="must be one of"):
        _gan("least_squares")
    generator = DCGANGenerator(latent_dim=LATENT_DIM, num_classes=2, filters=4, image_size=8)
    with pytest.raises(ValueError, match="classes"):
        DCGAN(generator, DCGANDiscriminator(num_classes=3, filters=4, image_size=8))
    with pytest.raises(ValueError, match="latent_dim"):
        DCGAN(generator, DCGANDiscriminator(num_classes=2, filters=4, image_size=8),
              latent_dim=LATENT_DIM + 1)


def test_noise_rows_are_distinct_per_replica_and_match_one_device(two_replicas):
    def draw(rows):
        return _global_noise(tf.random.stateless_normal, 3, 7, tf.constant(2), 0, rows)

    per_replica = two_replicas.experimental_local_results(
        two_replicas.run(tf.function(lambda: draw(2))))
    assert not np.allclose(per_replica[0], per_replica[1])
    # Each replica holds its rows of one device's draw for the global batch of 4.
    np.testing.assert_array_equal(np.concatenate(per_replica), draw(4).numpy())
    # Another purpose (ε, generator latents) or step gives another stream.
    other = _global_noise(tf.random.stateless_normal, 3, 7, tf.constant(2), 2, 4).numpy()
    assert not np.allclose(other, draw(4).numpy())
    assert not np.allclose(draw(4).numpy(), _global_noise(
        tf.random.stateless_normal, 3, 7, tf.constant(3), 0, 4).numpy())


def test_two_replicas_train_like_one(one_device, two_replicas):
    # Layer norm instead of batch norm: batch statistics are computed per replica, over
    # half the batch, so batch norm legitimately differs between 1 and 2 replicas. WGAN-GP
    # with 2 critic slices covers the per-replica noise, slicing and gradient penalty.
    def make_gan():
        return _gan("wgan_gp", n_critic=2, generator_norm="layer", discriminator_norm="layer")

    data = _batches(2, batch=8)
    gan_1, logs_1 = _fit(one_device, make_gan, data)
    gan_2, logs_2 = _fit(two_replicas, make_gan, data)
    assert sorted(logs_1) == sorted(logs_2)
    for name in logs_1:
        np.testing.assert_allclose(logs_1[name], logs_2[name], rtol=2e-4, atol=1e-6,
                                   err_msg=name)
    latents = np.random.default_rng(2).normal(size=(4, LATENT_DIM)).astype("float32")
    mixtures = np.eye(2, dtype="float32")[[0, 1, 0, 1]]
    np.testing.assert_allclose(gan_1.generator((latents, mixtures)),
                               gan_2.generator((latents, mixtures)), atol=2e-5)
    images, labels = next(iter(data))
    np.testing.assert_allclose(gan_1((images, labels))[0], gan_2((images, labels))[0],
                               rtol=1e-4, atol=2e-5)


def _mean_pixels(generator, latents, label):
    mixtures = keras.ops.one_hot(np.full(len(latents), label), 2)
    return keras.ops.convert_to_numpy(generator((latents, mixtures))).mean(axis=(1, 2, 3))


def _separated(generator, latents):
    # Every sample on its class's side of 0 with a margin: only the condition tells them apart.
    return (np.all(_mean_pixels(generator, latents, 0) < -0.4)
            and np.all(_mean_pixels(generator, latents, 1) > 0.4))


def test_generator_learns_the_class_conditional_images(one_device):
    # Class 0 is an image of -0.8 plus noise, class 1 of +0.8: the latent carries nothing
    # about the class, so the generator must read the condition to land on the right side.
    # A higher learning rate than the paper's keeps the test short (150 steps; seeds 0-8
    # all reached mean pixels beyond ±0.6).
    keras.utils.set_random_seed(0)
    data = _batches(150, batch=16, image_size=16).shuffle(64, seed=0)
    with one_device.scope():
        gan = _gan(image_size=16, learning_rate=1e-3, filters=8)
        gan.build_for_training(next(iter(data)))
    latents = np.random.default_rng(3).normal(size=(16, LATENT_DIM)).astype("float32")
    assert not _separated(gan.generator, latents)
    gan.fit(data, epochs=1, verbose=0, shuffle=False)
    assert _separated(gan.generator, latents), (_mean_pixels(gan.generator, latents, 0),
                                                _mean_pixels(gan.generator, latents, 1))
