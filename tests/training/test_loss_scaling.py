"""Under mixed_float16 the optimizers are LossScaleOptimizers; every wrapper must scale its
loss inside the GradientTape or its gradients are None (the GPU path, forced here on CPU)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.cyclegan import CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.models.cyclegan.cyclegan import CycleGAN
from dlx_tf.models.dcgan.dcgan import DCGAN
from dlx_tf.models.dcgan.dcgan_discriminator import DCGANDiscriminator
from dlx_tf.models.dcgan.dcgan_generator import DCGANGenerator
from dlx_tf.training.classifier_trainer import ClassifierTrainer


@pytest.fixture
def float16_policy():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _scaled_sgd():
    # A small initial scale: the default 2**15 overflows float16 on the first step, which
    # dynamic loss scaling then skips by design.
    return keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=8.0)


def _steps_change_every_variable(model, batch, unchanged=()):
    before = [np.asarray(v).copy() for v in model.trainable_variables]
    model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    for old, variable in zip(before, model.trainable_variables):
        new = np.asarray(variable)
        assert np.all(np.isfinite(new)), variable.path
        if not any(variable.path.endswith(name) for name in unchanged):
            assert not np.array_equal(old, new), variable.path


def test_classifier_trainer_scales_its_loss(one_device, float16_policy):
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    batch = (x, (x[:, 0] > 0).astype("int32"))
    with one_device.scope():
        trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(2)]))
        trainer.compile(_scaled_sgd())
        trainer.build_for_training(batch)
    assert isinstance(trainer.classifier_optimizer, keras.optimizers.LossScaleOptimizer)
    _steps_change_every_variable(trainer, batch)


def test_cyclegan_scales_both_losses(one_device, float16_policy):
    rng = np.random.default_rng(0)
    batch = tuple(rng.uniform(-1, 1, (2, 16, 16, 3)).astype("float32") for _ in range(2))
    with one_device.scope():
        gan = CycleGAN(CycleGANGenerator(filters=4, num_residual_blocks=1),
                       CycleGANGenerator(filters=4, num_residual_blocks=1),
                       PatchGANDiscriminator(filters=4, num_layers=2),
                       PatchGANDiscriminator(filters=4, num_layers=2), pool_size=0)
        gan.compile(_scaled_sgd(), _scaled_sgd())
        gan.build_for_training(batch)
    _steps_change_every_variable(gan, batch)


@pytest.mark.parametrize("loss", ["non_saturating", "wgan_gp"])
def test_dcgan_scales_both_losses(one_device, float16_policy, loss):
    rng = np.random.default_rng(0)
    batch = (rng.uniform(-1, 1, (4, 8, 8, 3)).astype("float32"), np.asarray([0, 1, 2, 1]))
    normalization = "layer" if loss == "wgan_gp" else "batch"
    with one_device.scope():
        gan = DCGAN(DCGANGenerator(latent_dim=4, num_classes=3, embedding_dim=2, filters=4,
                                   image_size=8),
                    DCGANDiscriminator(num_classes=3, filters=4, image_size=8,
                                       normalization=normalization),
                    loss=loss, n_critic=2 if loss == "wgan_gp" else 1)
        gan.compile(_scaled_sgd(), _scaled_sgd())
        gan.build_for_training(batch)
    _steps_change_every_variable(gan, batch, unchanged={"score/bias"} if loss == "wgan_gp"
                                 else set())
