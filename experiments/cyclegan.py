"""CycleGAN summer↔winter (Zhu et al. 2017, https://arxiv.org/abs/1703.10593), as the
paper and its official code configure it.

    python experiments/cyclegan.py                     # smoke: synthetic seasons, 32², ~3 min
    python experiments/cyclegan.py --profile paper     # tfds cycle_gan/summer2winter_yosemite
    python experiments/cyclegan.py --profile paper --data horse2zebra
    python experiments/cyclegan.py --profile paper --data /path/with/trainA_trainB_testA_testB

Smoke result (2 CPU cores, seed 0): see README "CycleGAN". The translation score (share of
translated test images a separately trained domain classifier puts in the target domain)
rises from near 0 at initialisation, and the test cycle L1 falls.
"""

import dataclasses
import os
import re

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.unpaired_images import (
    from_unit_range,
    load_unpaired,
    random_jitter,
    to_unit_range,
)
from dlx_tf.export.image_translator import image_translator_endpoints
from dlx_tf.models.cyclegan import CycleGANGenerator, PatchGANDiscriminator
from dlx_tf.models.cyclegan.cyclegan import CycleGAN
from dlx_tf.models.cyclegan.translation_monitor import (
    TranslationMonitor,
    domain_accuracy,
    train_domain_classifier,
    translation_metrics,
)
from dlx_tf.training.job import ExperimentConfig, ExportSpec, Job
from dlx_tf.training.runner import run_experiment
from dlx_tf.training.schedules import LinearDecaySchedule


@dataclasses.dataclass(frozen=True)
class CycleGANConfig(ExperimentConfig):
    data: str = "summer2winter_yosemite"
    epochs: int = 200  # n_epochs + n_epochs_decay (§7.1: 100 constant + 100 decaying)
    decay_epochs: int = 100
    batch_size: int = 1
    load_size: int = 286  # resize, then random crop and flip (§7.1, official resize_and_crop)
    crop_size: int = 256
    filters: int = 64  # ngf = ndf
    residual_blocks: int = 9  # 9 for 256², 6 for 128² (appendix 7.2)
    discriminator_layers: int = 3  # 70×70 PatchGAN
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    cycle_weight: float = 10.0
    identity_weight: float = 0.5
    pool_size: int = 50
    test_images: int = 0  # test images per domain for metrics (0: all)
    classifier_epochs: int = 4
    synthetic_counts: tuple[int, ...] = (600, 600, 100, 100)  # trainA, trainB, testA, testB
    jit_compile: bool = False

CLASSIFIER_IMAGES = 500  # real training images per domain for the domain classifier

PROFILES = {
    "paper": CycleGANConfig(),
    "smoke": CycleGANConfig(
        data="synthetic", epochs=4, decay_epochs=2, batch_size=8, load_size=36, crop_size=32,
        filters=8, residual_blocks=3, test_images=64, synthetic_counts=(256, 256, 64, 64),
    ),
}


def build(config, env):
    data = load_unpaired(config.data, config.load_size, config.crop_size, seed=config.seed,
                         synthetic_counts=config.synthetic_counts)
    info = dict(data.info, pair=_pair_name(data.info))
    test_a = _as_unit_array(data.test_a, config.test_images)
    test_b = _as_unit_array(data.test_b, config.test_images)
    classifier = train_domain_classifier(
        _as_unit_array(data.train_a, CLASSIFIER_IMAGES, config.crop_size),
        _as_unit_array(data.train_b, CLASSIFIER_IMAGES, config.crop_size),
        seed=config.seed, epochs=config.classifier_epochs,
    )

    def generator(name):
        return CycleGANGenerator(filters=config.filters,
                                 num_residual_blocks=config.residual_blocks, name=name)

    def discriminator(name):
        return PatchGANDiscriminator(filters=config.filters,
                                     num_layers=config.discriminator_layers, name=name)

    gan = CycleGAN(generator("generator_a2b"), generator("generator_b2a"),
                   discriminator("discriminator_a"), discriminator("discriminator_b"),
                   cycle_weight=config.cycle_weight, identity_weight=config.identity_weight,
                   pool_size=config.pool_size, seed=config.seed, name="cyclegan")
    train_examples = max(info["train_a"], info["train_b"])
    schedule = LinearDecaySchedule(config.learning_rate, train_examples // config.batch_size,
                                   config.epochs - config.decay_epochs, config.decay_epochs)
    gan.compile(keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                keras.optimizers.Adam(schedule, beta_1=config.beta_1),
                jit_compile=config.jit_compile)
    # Measured before any training (the runner restores checkpoints after build).
    at_init = translation_metrics(gan, classifier, test_a, test_b)
    synthetic = " (synthetic data)" if info["synthetic"] else ""
    title = f"{info['domain_a']} ↔ {info['domain_b']}{synthetic}"
    monitor = TranslationMonitor(
        gan, classifier, test_a, test_b,
        plots_dir=env.plots_dir if env.is_chief else None,
        tensorboard_dir=os.path.join(env.run_dir, "tensorboard", "samples") if env.is_chief
        else None,
        title=title,
    )

    def augment(pair, seed):
        seed_a, seed_b = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        image_a, image_b = pair
        return (to_unit_range(random_jitter(image_a, config.crop_size, seed_a)),
                to_unit_range(random_jitter(image_b, config.crop_size, seed_b)))

    def evaluate(metrics):
        metrics = {f"{name}_at_init": value for name, value in at_init.items()}
        metrics["domain_classifier_test_accuracy"] = domain_accuracy(classifier, test_a, test_b)
        return metrics

    def plots():
        path = os.path.join(env.plots_dir, "translations.png")
        monitor.draw(path, f"{title}, after training")
        return {"translations": path}

    def exports(metrics):
        warmup = {"images": np.asarray(from_unit_range(test_a[:2]))}
        return [
            ExportSpec(f"cyclegan_{info['pair']}_{direction}", [generator_model],
                       image_translator_endpoints(generator_model), warmup)
            for direction, generator_model in (("a2b", gan.generator_a2b),
                                               ("b2a", gan.generator_b2a))
        ]

    pairs = tf.data.Dataset.zip(data.train_a.repeat(), data.train_b.repeat()).take(train_examples)
    return Job(
        model=gan,
        train_data=pairs,
        data_info=dict(info, train_examples=train_examples),
        augment=augment,
        shuffle_buffer=1000,
        submodels={"generator_a2b": gan.generator_a2b, "generator_b2a": gan.generator_b2a,
                   "discriminator_a": gan.discriminator_a, "discriminator_b": gan.discriminator_b,
                   "domain_classifier": classifier},
        callbacks=[monitor],
        evaluate=evaluate,
        plots=plots,
        exports=exports,
    )


def _as_unit_array(images, limit, size=None):
    """Unbatched uint8 images as one float32 array in [-1, 1] (resized to `size` if given)."""
    if limit:
        images = images.take(limit)
    if size is not None:
        images = images.map(lambda image: tf.image.resize(image, (size, size), antialias=True))
    return np.concatenate([np.asarray(to_unit_range(batch)) for batch in images.batch(256)])


def _pair_name(info):
    if info["synthetic"]:
        return "synthetic_seasons"
    name = os.path.basename(os.path.normpath(info["source"].split(":")[-1]))
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")


if __name__ == "__main__":
    run_experiment("cyclegan", PROFILES, build, description=__doc__)
