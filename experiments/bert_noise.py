"""BERT under label noise: a text classifier fine-tuned with 0/20/40/50 % of its training
labels flipped, beside two noise-robust losses and early stopping.

    python experiments/bert_noise.py                    # smoke: synthetic topics, ~8 min
    python experiments/bert_noise.py --profile paper    # bert_base_en_uncased on ag_news_subset
    python experiments/bert_noise.py --set noise_rates=0.4 --set noise_kind=pair

One command runs the sweep over `noise_rates`: each rate trains, side by side on the same
batches, a classifier per loss in `losses` (cross-entropy; generalized cross-entropy,
Zhang & Sabuncu 2018; symmetric cross-entropy, Wang et al. 2019), in its own run folder
`noise_rate_<r>/`; the sweep folder gets the charts and a summary `run.json`.

Smoke result (2 CPU cores, seed 0): see README "BERT under label noise".
"""

import dataclasses
import re

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.label_noise import NOISE_KINDS, inject_label_noise, noise_summary
from dlx_tf.data.text_classification import load_text_classification
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.early_stopping import early_stopping_choice
from dlx_tf.export.text_classifier import text_classifier_endpoints
from dlx_tf.losses.noise_robust import GeneralizedCrossEntropy, SymmetricCrossEntropy
from dlx_tf.models.bert import (
    bert_classifier_from_preset,
    bert_classifier_from_scratch,
    wordpiece_vocabulary,
)
from dlx_tf.training.classifier_trainer import ClassifierTrainer
from dlx_tf.training.job import ExperimentConfig, ExportSpec, Job
from dlx_tf.training.joint import JointTrainer
from dlx_tf.training.schedules import WarmupLinearDecaySchedule
from dlx_tf.training.sweep import run_sweep
from dlx_tf.viz.noise_sweep import plot_accuracy_vs_noise, plot_noise_curves

LOSSES = ("ce", "gce", "sce")


@dataclasses.dataclass(frozen=True)
class BertNoiseConfig(ExperimentConfig):
    data: str = "ag_news_subset"
    epochs: int = 6
    batch_size: int = 32
    noise_rates: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5)
    noise_rate: float = 0.0  # set by the sweep for each of its runs
    noise_kind: str = "symmetric"
    noisy_validation: bool = True  # the seed's setting: validation labels as noisy as training
    losses: tuple[str, ...] = LOSSES
    gce_q: float = 0.7  # Zhang & Sabuncu 2018, §4
    sce_alpha: float = 0.1  # Wang et al. 2019, §4.1 (CIFAR-10)
    sce_beta: float = 1.0
    preset: str = "bert_base_en_uncased"  # "" builds a small BERT from the fields below
    sequence_length: int = 128
    learning_rate: float = 2e-5  # Devlin et al. 2019, §A.3: {5, 3, 2}e-5
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    dropout: float = 0.1
    validation_fraction: float = 0.1
    test_fraction: float = 0.1
    max_train_examples: int = 0  # 0 keeps every training example
    text_column: str = "text"
    label_column: str = "label"
    synthetic_counts: tuple[int, int, int] = (1000, 300, 300)
    vocabulary_size: int = 2000
    num_layers: int = 2
    num_heads: int = 2
    hidden_dim: int = 64
    intermediate_dim: int = 128
    jit_compile: bool = True  # XLA: 2-4× faster steps on CPU, needed on TPU; ~40 s to compile


PROFILES = {
    "paper": BertNoiseConfig(),
    # A tiny BERT from scratch: without dropout it escapes its initial plateau reliably
    # within 6 epochs on 2 CPU cores; with 0.1 it did so for some seeds only.
    "smoke": BertNoiseConfig(data="synthetic", epochs=6, preset="", sequence_length=64,
                             learning_rate=2e-3, dropout=0.0),
}


def build(config, env):
    _check(config)
    data = load_text_classification(
        config.data, seed=config.seed, validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction, max_train_examples=config.max_train_examples or None,
        text_column=config.text_column, label_column=config.label_column,
        synthetic_counts=config.synthetic_counts)
    num_classes = data.info["num_classes"]
    noisy_train = _noisy(data.train.labels, config, num_classes, config.seed)
    noisy_validation = (_noisy(data.validation.labels, config, num_classes, config.seed + 1)
                        if config.noisy_validation else data.validation.labels)

    vocabulary = None if config.preset else wordpiece_vocabulary(data.train.texts,
                                                                 config.vocabulary_size)
    steps = config.epochs * (len(data.train) // config.batch_size)
    model = make_trainer(config, num_classes, vocabulary, steps)
    classifiers = {name: member.classifier for name, member in model.members().items()}
    preprocessor = classifiers[config.losses[0]].preprocessor

    info = dict(data.info, noise_rate=config.noise_rate, noise_kind=config.noise_kind,
                train_noise=noise_summary(data.train.labels, noisy_train, num_classes),
                validation_noise=noise_summary(data.validation.labels, noisy_validation,
                                               num_classes),
                vocabulary_tokens=len(vocabulary) if vocabulary else None)
    test_texts = data.test.texts[:4]

    def exports(metrics):
        served = config.losses[0]
        return [ExportSpec(
            model_name=f"bert_noise{round(config.noise_rate * 100)}_{_slug(config.data)}",
            resources=[classifiers[served], preprocessor],
            endpoints=text_classifier_endpoints(classifiers[served], preprocessor),
            warmup_inputs={"texts": np.array(test_texts, dtype=object)},
        )]

    return Job(
        model=model,
        train_data=_tokenized(data.train.texts, noisy_train, data.train.labels, preprocessor),
        validation_data=_tokenized(data.validation.texts, noisy_validation,
                                   data.validation.labels, preprocessor),
        test_data=_tokenized(data.test.texts, data.test.labels, data.test.labels, preprocessor),
        test_each_epoch=True,
        data_info=info,
        shuffle_buffer=len(data.train),
        submodels={f"{name}_classifier": classifier for name, classifier in classifiers.items()},
        exports=exports,
    )


def summarize(records, sweep_dir):
    """Charts over the sweep and, per rate and method, final and early-stopped test
    accuracy (early stopping picks the epoch of best validation accuracy)."""
    config = records[0]["config"]
    rates = [record["config"]["noise_rate"] for record in records]
    histories = [record["history"] for record in records]
    suffix = " (synthetic data)" if records[0]["data"]["synthetic"] else ""
    table = {}
    for name in config["losses"]:
        table[name] = [record["metrics"][f"test_{name}_accuracy"] for record in records]
        table[f"{name}_early_stopping"] = [
            early_stopping_choice(history, f"val_{name}_accuracy", f"test_{name}_accuracy")
            for history in histories]
    paths = {"curves": f"{sweep_dir}/plots/noise_curves.png",
             "test_vs_noise": f"{sweep_dir}/plots/test_accuracy_vs_noise.png"}
    validation = "noisy" if config["noisy_validation"] else "clean"
    plot_noise_curves(histories, rates, config["losses"], paths["curves"],
                      f"{config['noise_kind']} label noise: accuracy per epoch{suffix}",
                      validation)
    finals = {name: values for name, values in table.items() if "early" not in name}
    finals["ce + early stopping"] = [choice["value"]
                                     for choice in table.get("ce_early_stopping", [])]
    plot_accuracy_vs_noise(rates, {k: v for k, v in finals.items() if v}, paths["test_vs_noise"],
                           f"Clean test accuracy vs {config['noise_kind']} noise{suffix}")
    return {"metrics": {"noise_rates": rates, "test_accuracy": table}, "artifacts": paths}


def _check(config):
    unknown = sorted(set(config.losses) - set(LOSSES))
    if unknown or not config.losses:
        raise UsageError(f"losses: expected some of {', '.join(LOSSES)}, got "
                         f"{', '.join(config.losses) or 'none'}")
    if config.noise_kind not in NOISE_KINDS:
        raise UsageError(f"noise_kind: expected one of {', '.join(NOISE_KINDS)}, got "
                         f"{config.noise_kind!r}")


def _noisy(labels, config, num_classes, seed):
    return inject_label_noise(labels, config.noise_rate, num_classes, config.noise_kind, seed)


def make_trainer(config, num_classes, vocabulary, total_steps):
    """A `JointTrainer` of one `ClassifierTrainer` per loss, all from the same initial
    weights; `vocabulary` is None for a preset."""
    members = {}
    for name in config.losses:
        keras.utils.set_random_seed(config.seed)
        members[name] = ClassifierTrainer(make_classifier(config, num_classes, vocabulary),
                                          name=f"{name}_trainer")
        members[name].compile(make_optimizer(config, total_steps), loss=make_loss(name, config))
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
    # LayerNorm and biases. Its global-norm clipping is left out: Keras 3 clips each
    # replica's partial gradient before the all-reduce (README, "Notes").
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


def _tokenized(texts, labels, clean_labels, preprocessor):
    """Unbatched `(token dict, label, clean label)`, tokenized once and cached."""
    dataset = tf.data.Dataset.from_tensor_slices((list(texts), labels, clean_labels))
    dataset = dataset.batch(256).map(
        lambda text, label, clean: (preprocessor(text), label, clean),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.unbatch().cache()


def _slug(source):
    return re.sub(r"[^a-z0-9]+", "_", source.lower().removeprefix("tfds:")).strip("_")[-40:]


if __name__ == "__main__":
    run_sweep("bert_noise", PROFILES, build, "noise_rates", "noise_rate", summarize,
              description=__doc__)
