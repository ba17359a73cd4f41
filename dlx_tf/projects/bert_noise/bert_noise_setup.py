"""What `experiments/bert_noise.py` assembles from its config: the noisy labels of a
point of the sweep, one classifier trainer per loss, and the tokenized datasets."""

import re

import keras
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.losses.noise_robust import GeneralizedCrossEntropy, SymmetricCrossEntropy
from dlx_tf.models.bert import bert_classifier_from_preset, bert_classifier_from_scratch
from dlx_tf.projects.bert_noise.label_noise import NOISE_KINDS, inject_label_noise, noise_summary
from dlx_tf.training.classifier_trainer import ClassifierTrainer
from dlx_tf.training.joint import JointTrainer
from dlx_tf.training.schedules import WarmupLinearDecaySchedule

LOSSES = ("ce", "gce", "sce")


def check_config(config):
    """One-line `UsageError`s for unknown losses and noise kinds."""
    unknown = sorted(set(config.losses) - set(LOSSES))
    if unknown or not config.losses:
        raise UsageError(f"losses: expected some of {', '.join(LOSSES)}, got "
                         f"{', '.join(config.losses) or 'none'}")
    if config.noise_kind not in NOISE_KINDS:
        raise UsageError(f"noise_kind: expected one of {', '.join(NOISE_KINDS)}, got "
                         f"{config.noise_kind!r}")


class NoisyLabels:
    """The training labels with `config.noise_rate` of them flipped, and the validation
    labels flipped the same way (from another seed) if `config.noisy_validation`."""

    def __init__(self, data, config):
        num_classes = data.info["num_classes"]
        self.train = inject_label_noise(data.train.labels, config.noise_rate, num_classes,
                                        config.noise_kind, config.seed)
        self.validation = data.validation.labels
        if config.noisy_validation:
            self.validation = inject_label_noise(data.validation.labels, config.noise_rate,
                                                 num_classes, config.noise_kind, config.seed + 1)
        self.info = dict(
            noise_rate=config.noise_rate, noise_kind=config.noise_kind,
            train_noise=noise_summary(data.train.labels, self.train, num_classes),
            validation_noise=noise_summary(data.validation.labels, self.validation,
                                           num_classes))


def make_trainer(config, num_classes, vocabulary, total_steps):
    """A `JointTrainer` of one `ClassifierTrainer` per loss, all from the same initial
    weights; `vocabulary` is None for a preset."""
    members = {}
    for name in config.losses:
        keras.utils.set_random_seed(config.seed)
        members[name] = ClassifierTrainer(make_classifier(config, num_classes, vocabulary),
                                          name=f"{name}_trainer")
        members[name].compile(make_optimizer(config, total_steps), loss=make_loss(name, config),
                              clip_norm=config.clip_norm)
    model = JointTrainer(members, name="bert_noise")
    model.compile(jit_compile=config.jit_compile)
    return model


def make_classifier(config, num_classes, vocabulary):
    if config.preset:
        return bert_classifier_from_preset(config.preset, num_classes, config.sequence_length,
                                           config.dropout)
    return bert_classifier_from_scratch(
        vocabulary, num_classes, config.sequence_length, config.num_layers, config.num_heads,
        config.hidden_dim, config.intermediate_dim, config.dropout)


def make_optimizer(config, total_steps):
    # Devlin et al. 2019 / official optimization.py: AdamW (eps 1e-6), decay off for
    # LayerNorm and biases; its global-norm clipping is the trainer's (`clip_norm`), since
    # Keras 3 would clip each replica's partial gradient (docs/keras3_notes.md).
    schedule = WarmupLinearDecaySchedule(config.learning_rate,
                                         int(config.warmup_fraction * total_steps), total_steps)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay,
                                       epsilon=1e-6)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def make_loss(name, config):
    if name == "gce":
        return GeneralizedCrossEntropy(q=config.gce_q)
    if name == "sce":
        return SymmetricCrossEntropy(alpha=config.sce_alpha, beta=config.sce_beta)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def tokenized_splits(data, noisy, preprocessor):
    """Train, validation and test `tokenized` datasets: training and validation with the
    `NoisyLabels` they are trained and chosen on, test with clean labels."""
    return (tokenized(data.train.texts, noisy.train, data.train.labels, preprocessor),
            tokenized(data.validation.texts, noisy.validation, data.validation.labels,
                      preprocessor),
            tokenized(data.test.texts, data.test.labels, data.test.labels, preprocessor))


def tokenized(texts, labels, clean_labels, preprocessor):
    """Unbatched `(token dict, label, clean label)`, tokenized once and cached."""
    dataset = tf.data.Dataset.from_tensor_slices((list(texts), labels, clean_labels))
    dataset = dataset.batch(256).map(
        lambda text, label, clean: (preprocessor(text), label, clean),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.unbatch().cache()


def export_name(noise_rate, source):
    """`bert_noise<percent>_<source>`, e.g. `bert_noise40_ag_news_subset`."""
    slug = re.sub(r"[^a-z0-9]+", "_", source.lower().removeprefix("tfds:"))[-40:].strip("_")
    return f"bert_noise{round(noise_rate * 100)}_{slug}"
