import keras
import numpy as np
import tensorflow as tf

from dlx_tf.models.cyclegan import CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.models.cyclegan.cyclegan import CycleGAN
from dlx_tf.models.ganilla import GANILLAGenerator

# Tiny generators of each kind CycleGAN trains, with small non-square images they take.
GENERATORS = {
    "resnet": (lambda: CycleGANGenerator(filters=4, num_residual_blocks=1), (20, 12)),
    "ganilla": (lambda: GANILLAGenerator(filters=4), (32, 48)),
}


def _gan(pool_size=3, generator=GENERATORS["resnet"][0]):
    def discriminator():
        return PatchGANDiscriminator(filters=4, num_layers=2)

    gan = CycleGAN(generator(), generator(), discriminator(), discriminator(),
                   pool_size=pool_size, seed=3)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


def _batches(count=4, batch=2, size=(20, 12)):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 0.2, (count * batch, *size, 3)).astype("float32")  # darker domain
    b = rng.uniform(-0.2, 1, (count * batch, *size, 3)).astype("float32")  # brighter domain
    return tf.data.Dataset.from_tensor_slices((a, b)).batch(batch, drop_remainder=True)


def _train(strategy, steps, kind="resnet"):
    generator, size = GENERATORS[kind]
    keras.utils.set_random_seed(1)
    data = _batches(steps, size=size)
    with strategy.scope():
        gan = _gan(pool_size=0, generator=generator)
        gan.build_for_training(next(iter(data)))
    history = gan.fit(data, epochs=1, verbose=0, shuffle=False).history
    return gan, history


def test_a_step_updates_every_player_and_logs_every_term(one_device):
    keras.utils.set_random_seed(1)
    data = _batches(1)
    with one_device.scope():
        gan = _gan()
        gan.build_for_training(next(iter(data)))
    before = [np.asarray(v).copy() for v in gan.trainable_variables]
    logs = gan.fit(data, epochs=1, verbose=0, shuffle=False).history
    assert sorted(logs) == sorted([
        "generator_loss", "adversarial_a2b", "adversarial_b2a", "cycle_a", "cycle_b",
        "identity_a", "identity_b", "discriminator_a_loss", "discriminator_b_loss"])
    total = sum(logs[k][0] for k in ("adversarial_a2b", "adversarial_b2a", "cycle_a", "cycle_b",
                                     "identity_a", "identity_b"))
    assert np.isclose(logs["generator_loss"][0], total, rtol=1e-5)
    changed = [not np.allclose(b, np.asarray(v)) for b, v in zip(before, gan.trainable_variables)]
    assert all(changed)
    assert gan.generator_optimizer.iterations.numpy() == 1
    assert gan.discriminator_optimizer.iterations.numpy() == 1
    assert int(gan.pool_a.count.numpy()) == 2 and int(gan.pool_b.count.numpy()) == 2


def test_two_replicas_train_like_one(one_device, two_replicas):
    # pool_size 0: with a pool, each replica keeps its own history by design.
    gan_1, logs_1 = _train(one_device, steps=2)
    gan_2, logs_2 = _train(two_replicas, steps=2)
    # Compared by what the networks compute, not weight by weight: a conv bias right before
    # an instance norm has no effect, so its gradient is float noise that Adam turns into
    # ±learning-rate steps (the official architecture keeps these biases too).
    a, b = next(iter(_batches(1)))
    for name in ("generator_a2b", "generator_b2a"):
        np.testing.assert_allclose(getattr(gan_1, name)(a), getattr(gan_2, name)(a), atol=2e-5,
                                   err_msg=name)
    for name in ("discriminator_a", "discriminator_b"):
        np.testing.assert_allclose(getattr(gan_1, name)(b), getattr(gan_2, name)(b), atol=2e-5,
                                   err_msg=name)
    for name in logs_1:
        np.testing.assert_allclose(logs_1[name], logs_2[name], rtol=2e-4, err_msg=name)


def test_ganilla_generators_train_under_two_replicas_with_one_replicas_losses(one_device,
                                                                             two_replicas):
    # Losses, not weights, are compared: Adam's first step moves every gradient entry by
    # about ±learning rate whatever its size, and in this tiny GANILLA 2–5 % of the kernel
    # entries have gradients at float-noise level (measured), so they step apart on one and
    # two replicas. Every loss of the first step agrees to 1e-6; the second step's, from
    # those weights, to 3e-4 (a replica-scaling slip would be off by a factor of 2).
    _, logs_1 = _train(one_device, steps=2, kind="ganilla")
    gan_2, logs_2 = _train(two_replicas, steps=2, kind="ganilla")
    assert type(gan_2.generator_a2b) is GANILLAGenerator
    assert gan_2.generator_optimizer.iterations.numpy() == 2
    for name in logs_1:
        np.testing.assert_allclose(logs_1[name], logs_2[name], rtol=1e-3, err_msg=name)


def test_several_steps_per_call_keep_the_pools_working(one_device):
    # A distributed iterator read inside Keras' multi-step loop yields batches of unknown
    # size; the pools loop over a static one.
    keras.utils.set_random_seed(1)
    data = _batches(4, batch=4)
    with one_device.scope():
        gan = _gan(pool_size=3)
        gan.build_for_training(next(iter(data)))
    gan.steps_per_execution = 2
    gan.fit(data, epochs=1, verbose=0, shuffle=False)
    assert gan.generator_optimizer.iterations.numpy() == 4
    assert int(gan.pool_a.count.numpy()) == 3 and int(gan.pool_b.count.numpy()) == 3
