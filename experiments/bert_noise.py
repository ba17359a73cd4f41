"""BERT under label noise: a text classifier fine-tuned with 0/20/40/50 % of its training
labels flipped, beside two noise-robust losses and early stopping.

    python experiments/bert_noise.py                    # smoke: synthetic topics, ~3 min
    python experiments/bert_noise.py --profile paper    # bert_base_en_uncased on ag_news_subset
    python experiments/bert_noise.py --set noise_rates=0.4 --set noise_kind=pair

One command runs the sweep over `noise_rates`: each rate trains, side by side on the same
batches, a classifier per loss in `losses` (cross-entropy; generalized cross-entropy,
Zhang & Sabuncu 2018; symmetric cross-entropy, Wang et al. 2019), in its own run folder
`noise_rate_<r>/`; the sweep folder gets the charts and a summary `run.json`.

Smoke result (2 CPU cores, seed 0): see README "BERT under label noise".
"""

import dataclasses

import numpy as np

from dlx_tf.data.text_classification import load_text_classification
from dlx_tf.export.text_classifier import TEXT_CLASSIFIER_LIMITS, text_classifier_endpoints
from dlx_tf.models.bert import wordpiece_vocabulary
from dlx_tf.projects.bert_noise import bert_noise_setup as setup
from dlx_tf.projects.bert_noise.noise_sweep_summary import summarize_noise_sweep
from dlx_tf.ranges import FRACTION, NON_NEGATIVE, POSITIVE, RATE, Range, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class BertNoiseConfig(ExperimentConfig):
    data: str = "ag_news_subset"
    epochs: int = 6
    batch_size: int = 32
    noise_rates: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5)
    noise_rate: float = 0.0  # set by the sweep for each of its runs
    noise_kind: str = "symmetric"
    noisy_validation: bool = True  # the seed's setting: validation labels as noisy as training
    losses: tuple[str, ...] = setup.LOSSES
    gce_q: float = 0.7  # Zhang & Sabuncu 2018, §4
    sce_alpha: float = 0.1  # Wang et al. 2019, §4.1 (CIFAR-10)
    sce_beta: float = 1.0
    preset: str = "bert_base_en_uncased"  # "" builds a small BERT from the fields below
    sequence_length: int = 128
    learning_rate: float = 2e-5  # Devlin et al. 2019, §A.3: {5, 3, 2}e-5
    weight_decay: float = 0.01
    clip_norm: float = 1.0  # official optimization.py: clip_by_global_norm(grads, 1.0)
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

    RANGES = {**ExperimentConfig.RANGES, "noise_rates": within(0, 1, high_open=True),
              "noise_rate": within(0, 1, high_open=True), "gce_q": Range(0, 1, low_open=True),
              "sce_alpha": NON_NEGATIVE, "sce_beta": NON_NEGATIVE, "sequence_length": at_least(8),
              "learning_rate": RATE, "weight_decay": NON_NEGATIVE, "clip_norm": NON_NEGATIVE,
              "warmup_fraction": FRACTION, "dropout": within(0, 1, high_open=True),
              "validation_fraction": within(0, 1, high_open=True),
              "test_fraction": within(0, 1, high_open=True), "max_train_examples": NON_NEGATIVE,
              "synthetic_counts": POSITIVE, "vocabulary_size": at_least(16),
              "num_layers": POSITIVE, "num_heads": POSITIVE, "hidden_dim": POSITIVE,
              "intermediate_dim": POSITIVE}


PROFILES = {
    "paper": BertNoiseConfig(),
    # A tiny BERT from scratch: without dropout it escapes its initial plateau reliably
    # within 6 epochs on 2 CPU cores; with 0.1 it did so for some seeds only. Clipping at
    # 1.0 (or 5.0) held it on the plateau too: clean test accuracy 0.52 (0.61) vs 0.96.
    "smoke": BertNoiseConfig(data="synthetic", epochs=6, preset="", sequence_length=64,
                             learning_rate=2e-3, dropout=0.0, clip_norm=0.0),
}


def main(config, run):
    setup.check_config(config)
    data = load_text_classification(
        config.data, seed=config.seed, validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction, max_train_examples=config.max_train_examples or None,
        text_column=config.text_column, label_column=config.label_column,
        synthetic_counts=config.synthetic_counts)
    vocabulary = None if config.preset else wordpiece_vocabulary(data.train.texts,
                                                                 config.vocabulary_size)
    steps = config.epochs * (len(data.train) // config.batch_size)
    for point in run.sweep("noise_rate", config.noise_rates):
        noisy = setup.NoisyLabels(data, point.config)
        point.describe_data(dict(data.info, **noisy.info,
                                 vocabulary_tokens=len(vocabulary) if vocabulary else None))
        with point.scope():
            model = setup.make_trainer(point.config, data.info["num_classes"], vocabulary, steps)
        classifiers = {name: member.classifier for name, member in model.members().items()}
        point.describe_models({f"{name}_classifier": classifier
                               for name, classifier in classifiers.items()})
        served = classifiers[config.losses[0]]
        preprocessor = served.preprocessor
        train, validation, test = setup.tokenized_splits(data, noisy, preprocessor)
        point.fit(model, train, validation_data=validation, test_data=test, test_each_epoch=True,
                  shuffle_buffer=len(data.train))
        point.export(setup.export_name(point.config.noise_rate, config.data),
                     resources=[served, preprocessor],
                     endpoints=text_classifier_endpoints(served, preprocessor),
                     warmup_inputs={"texts": np.array(data.test.texts[:4], dtype=object)},
                     limits=TEXT_CLASSIFIER_LIMITS)

    metrics, figures = summarize_noise_sweep(run.points)
    run.log(metrics)
    for name, figure in figures.items():
        run.save_figure(name, figure)


if __name__ == "__main__":
    launch("bert_noise", PROFILES, main, description=__doc__)
