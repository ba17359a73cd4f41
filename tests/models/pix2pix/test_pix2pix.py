import keras
import numpy as np
import tensorflow as tf

from dlx_tf.models.cyclegan import PatchGANDiscriminator
from dlx_tf.models.pix2pix import Pix2Pix, Pix2PixGenerator


def _gan(num_downsamplings=6, filters=2, normalization="batch", learning_rate=2e-4):
    generator = Pix2PixGenerator(filters=filters, num_downsamplings=num_downsamplings)
    discriminator = PatchGANDiscriminator(filters=filters, num_layers=2,
                                          normalization=normalization)
    gan = Pix2Pix(generator, discriminator)
    gan.compile(keras.optimizers.Adam(learning_rate, beta_1=0.5),
                keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


def _smooth_images(count, size, seed):
    # Low-frequency colour fields: a U-Net has no full-resolution skip connection.
    coarse = np.random.default_rng(seed).uniform(-1, 1, (count, 4, 4, 3)).astype("float32")
    return keras.ops.convert_to_numpy(keras.ops.image.resize(coarse, (size, size)))


def _pairs(count, size=64, seed=0):
    inputs = _smooth_images(count, size, seed)
    targets = np.stack([inputs[..., 1], -inputs[..., 0], inputs[..., 2]], axis=-1)  # recoloured
    return inputs, targets


def _batches(steps, batch=2, size=64):
    inputs, targets = _pairs(steps * batch, size)
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(batch, drop_remainder=True)


def _train(strategy, steps):
    keras.utils.set_random_seed(1)
    data = _batches(steps)
    with strategy.scope():
        # Instance-norm discriminator: Keras batch norm would see each replica's half batch.
        gan = _gan(normalization="instance")
        gan.build_for_training(next(iter(data)))
    history = gan.fit(data, epochs=1, verbose=0, shuffle=False).history
    return gan, history


def test_a_step_updates_both_players_and_logs_every_term(one_device):
    keras.utils.set_random_seed(1)
    data = _batches(1)
    with one_device.scope():
        gan = _gan()
        gan.build_for_training(next(iter(data)))
    before = [np.asarray(v).copy() for v in gan.trainable_variables]
    logs = {name: values[0] for name, values in
            gan.fit(data, epochs=1, verbose=0, shuffle=False).history.items()}
    assert sorted(logs) == sorted(["generator_loss", "adversarial", "l1_loss", "discriminator_loss",
                                   "discriminator_real", "discriminator_fake"])
    assert np.isclose(logs["generator_loss"], logs["adversarial"] + logs["l1_loss"], rtol=1e-5)
    assert np.isclose(logs["discriminator_loss"],
                      logs["discriminator_real"] + logs["discriminator_fake"], rtol=1e-5)
    # Fresh discriminator: scores near 0, so each half is ½ · ln 2 and G's BCE is near ln 2.
    assert np.isclose(logs["discriminator_real"], 0.5 * np.log(2), atol=0.05)
    assert np.isclose(logs["adversarial"], np.log(2), atol=0.1)
    inputs, targets = next(iter(data))
    fakes = gan.generator(inputs, training=True)  # the training-mode output of this batch
    assert logs["l1_loss"] > 10 and np.isclose(logs["l1_loss"] / 100,
                                               np.abs(fakes - targets).mean(), rtol=0.2)
    changed = [not np.allclose(b, np.asarray(v)) for b, v in zip(before, gan.trainable_variables)]
    assert all(changed)
    assert gan.generator_optimizer.iterations.numpy() == 1
    assert gan.discriminator_optimizer.iterations.numpy() == 1
    assert gan((inputs, targets)).shape == inputs.shape


def test_two_replicas_train_like_one(one_device, two_replicas):
    # Synchronized batch norm and per-image dropout masks in the generator: one image per
    # replica computes what two images on one device do.
    gan_1, logs_1 = _train(one_device, steps=2)
    gan_2, logs_2 = _train(two_replicas, steps=2)
    inputs, targets = next(iter(_batches(1)))
    np.testing.assert_allclose(gan_1.generator(inputs), gan_2.generator(inputs), atol=2e-5)
    pairs = np.concatenate([inputs, targets], axis=-1)
    np.testing.assert_allclose(gan_1.discriminator(pairs), gan_2.discriminator(pairs),
                               atol=2e-5)
    for name in logs_1:
        np.testing.assert_allclose(logs_1[name], logs_2[name], rtol=2e-4, err_msg=name)


def test_learns_a_paired_recolouring(one_device):
    keras.utils.set_random_seed(2)
    inputs, targets = _pairs(32, size=16)
    data = tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(4, drop_remainder=True)
    test_inputs, test_targets = _pairs(8, size=16, seed=1)
    with one_device.scope():
        gan = _gan(num_downsamplings=4, filters=8, learning_rate=2e-3)
        gan.build_for_training(next(iter(data)))

    def test_l1():
        return float(np.abs(gan.generator(test_inputs) - test_targets).mean())

    before = test_l1()
    gan.fit(data, epochs=15, verbose=0, shuffle=False)
    assert test_l1() < 0.4 * before, (before, test_l1())
