"""What `experiments/pegasus.py` assembles from its config: the four players trained side
by side (conditional DCGAN, ACAI, its λ = 0 baseline, the judge) and the test arrays."""

import keras
import numpy as np

from dlx_tf.data.synthetic.cifar import synthetic_cifar_with_attributes
from dlx_tf.data.unpaired_images import to_unit_range
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.batched import batched_call
from dlx_tf.evaluation.feature_spaces import (
    attribute_feature_space,
    inception_feature_space,
    texture_statistics_space,
)
from dlx_tf.losses.adversarial import ADVERSARIAL_LOSSES
from dlx_tf.models.acai import ACAI, ACAICritic, ACAIDecoder, ACAIEncoder
from dlx_tf.models.dcgan import DCGAN, DCGANDiscriminator, DCGANGenerator
from dlx_tf.projects.pegasus.judge_classifier import JudgeClassifier
from dlx_tf.training.classifier_trainer import ClassifierTrainer

NORMALIZATIONS = ("batch", "layer", "none")
_FEATURE_SEED = 1_000_003  # images for the feature network: a stream no split uses


def check_config(config, replicas):
    """One-line `UsageError`s for settings the players cannot train with."""
    if config.loss not in ADVERSARIAL_LOSSES:
        raise UsageError(f"--set loss={config.loss}: expected one of "
                         f"{', '.join(ADVERSARIAL_LOSSES)}")
    if config.discriminator_normalization not in NORMALIZATIONS:
        raise UsageError(f"--set discriminator_normalization={config.discriminator_normalization}"
                         ": expected batch, layer or none")
    if config.batch_size % (config.n_critic * replicas):
        raise UsageError(f"batch_size {config.batch_size} must split into n_critic "
                         f"{config.n_critic} critic batches on each of {replicas} replicas")


class PegasusPlayers:
    """The four players trained side by side, each a compiled training wrapper: the
    conditional DCGAN, ACAI, ACAI with λ = 0 (the paper's plain-autoencoder baseline) and
    the judge classifier on real images.

    Args:
        config: the experiment's config (`experiments/pegasus.py`).
        num_classes: classes of the data.
    """

    def __init__(self, config, num_classes):
        generator = DCGANGenerator(latent_dim=config.latent_dim, num_classes=num_classes,
                                   embedding_dim=config.embedding_dim, filters=config.filters,
                                   name="generator")
        discriminator = DCGANDiscriminator(
            num_classes=num_classes, filters=config.filters, spectral_norm=config.spectral_norm,
            normalization=None if config.discriminator_normalization == "none"
            else config.discriminator_normalization, name="discriminator")
        self.dcgan = DCGAN(generator, discriminator, loss=config.loss, n_critic=config.n_critic,
                           gradient_penalty_weight=config.gradient_penalty_weight,
                           seed=config.seed, name="dcgan")
        self.dcgan.compile(*[keras.optimizers.Adam(
            config.gan_learning_rate, beta_1=config.gan_beta_1, beta_2=config.gan_beta_2)
            for _ in range(2)])
        self.acai = _acai(config, num_classes, "acai", config.adversarial_weight)
        self.baseline = _acai(config, num_classes, "baseline", 0.0)
        self.judge_trainer = ClassifierTrainer(
            JudgeClassifier(num_classes=num_classes, filters=config.judge_filters, name="judge"),
            name="judge_trainer")
        self.judge_trainer.compile(keras.optimizers.Adam(config.judge_learning_rate))

    @property
    def trainers(self):
        """`{name: training wrapper}` for a `JointTrainer`."""
        return {"dcgan": self.dcgan, "acai": self.acai, "baseline": self.baseline,
                "judge": self.judge_trainer}

    @property
    def generator(self):
        return self.dcgan.generator

    @property
    def discriminator(self):
        return self.dcgan.discriminator

    @property
    def judge(self):
        return self.judge_trainer.classifier

    @property
    def autoencoders(self):
        return {"acai": self.acai, "baseline": self.baseline}

    @property
    def networks(self):
        """Every network inside the players, by the names `run.json` and the report use."""
        named = {"generator": self.generator, "discriminator": self.discriminator}
        for name, autoencoder in self.autoencoders.items():
            named.update({f"{name}_encoder": autoencoder.encoder,
                          f"{name}_decoder": autoencoder.decoder,
                          f"{name}_critic": autoencoder.critic})
        return dict(named, judge=self.judge)


def feature_space(data_info, config):
    """Where realism and diversity are measured. On the synthetic stand-in: a network
    trained on `config.feature_images` fresh images to predict their class and every
    attribute the generator drew. On CIFAR-10: Inception-v3 with `config.feature_weights`
    (`imagenet` or a local file), or texture statistics where none are given."""
    if not data_info["synthetic"]:
        if config.feature_weights:
            return inception_feature_space(config.feature_weights)
        return texture_statistics_space()
    images, labels, attributes, mask = synthetic_cifar_with_attributes(
        config.feature_images, seed=_FEATURE_SEED + config.seed)
    return attribute_feature_space(images.astype(np.float32) / 127.5 - 1.0, labels,
                                   attributes, mask, seed=config.seed,
                                   epochs=config.feature_epochs)


def unit_arrays(images, limit):
    """float32 images in [-1, 1] and int labels, the first `limit` of a dataset."""
    batches = [(np.asarray(to_unit_range(x)), np.asarray(y))
               for x, y in images.take(limit).batch(512)]
    return (np.concatenate([x for x, _ in batches]),
            np.concatenate([y for _, y in batches]))


def accuracy(classifier, images, labels):
    """The share of `images` a logits `classifier` labels right."""
    predicted = batched_call(lambda x: classifier(x, training=False), images).argmax(1)
    return float(np.mean(predicted == labels))


def _acai(config, num_classes, name, adversarial_weight):
    def encoder(role):
        return ACAIEncoder(depth=config.acai_depth, latent=config.acai_latent,
                           scales=config.acai_scales, name=f"{name}_{role}")

    model = ACAI(encoder("encoder"),
                 ACAIDecoder(depth=config.acai_depth, scales=config.acai_scales,
                             name=f"{name}_decoder"),
                 ACAICritic(depth=config.acai_depth, latent=config.acai_latent,
                            scales=config.acai_scales, name=f"{name}_critic"),
                 num_classes=num_classes, adversarial_weight=adversarial_weight,
                 regularization=config.regularization, seed=config.seed, name=name)
    model.compile(*[keras.optimizers.Adam(config.acai_learning_rate) for _ in range(3)])
    return model
