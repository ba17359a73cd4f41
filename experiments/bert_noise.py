"""BERT under label noise: a text classifier fine-tuned with 0/20/40/50 % of its training
labels flipped, beside two noise-robust losses and early stopping.

    python experiments/bert_noise.py                    # smoke: synthetic topics, ~9 min
    python experiments/bert_noise.py --profile paper    # bert_base_en_uncased on ag_news_subset
    python experiments/bert_noise.py --set noise_rates=0.4 --set noise_kind=pair

One command runs the sweep over `noise_rates`: each rate trains, side by side on the same
batches, a classifier per loss in `losses` (cross-entropy; generalized cross-entropy,
Zhang & Sabuncu 2018; symmetric cross-entropy, Wang et al. 2019), in its own run folder
`noise_rate_<r>/`; the sweep folder gets the charts and a summary `run.json`.

Smoke result (2 CPU cores, seed 0): see docs/bert_noise.md.
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
    # A tfds text classification dataset (ag_news_subset, imdb_reviews), a .csv or .jsonl
    # file, a folder of <class>/*.txt, or synthetic.
    data: str = "ag_news_subset"
    epochs: int = 6
    batch_size: int = 32  # global (Devlin et al. §A.3: 16 or 32): 4 per core on a TPU v2-8/v3-8
    noise_rates: tuple[float, ...] = (0.0, 0.2, 0.4, 0.5)  # the sweep: a run per rate
    noise_rate: float = 0.0  # set by the sweep for each of its runs
    noise_kind: str = "symmetric"  # symmetric (to any other class) | pair (class k to k + 1)
    noisy_validation: bool = True  # the seed's setting: validation labels as noisy as training
    losses: tuple[str, ...] = setup.LOSSES  # classifiers trained side by side: ce, gce, sce
    gce_q: float = 0.7  # generalized cross-entropy's q (Zhang & Sabuncu 2018, §4)
    sce_alpha: float = 0.1  # symmetric CE's weight of CE (Wang et al. 2019, §4.1, CIFAR-10)
    sce_beta: float = 1.0  # symmetric CE's weight of reverse CE
    preset: str = "bert_base_en_uncased"  # KerasHub preset; "" builds the small BERT below
    sequence_length: int = 128  # WordPiece tokens per text, truncated or padded
    learning_rate: float = 2e-5  # AdamW peak (Devlin et al. 2019, §A.3: {5, 3, 2}e-5)
    weight_decay: float = 0.01  # AdamW, not on biases and layer-norm parameters
    clip_norm: float = 1.0  # global gradient norm limit, 0 off (official optimization.py: 1.0)
    warmup_fraction: float = 0.1  # of all steps, linear warmup before the linear decay
    dropout: float = 0.1  # before the classifier head (and in the small BERT's encoder)
    validation_fraction: float = 0.1  # of train, held out where the source has no validation
    test_fraction: float = 0.1  # of train, held out where the source has no test split
    max_train_examples: int = 0  # a seeded subsample of train; 0 keeps every example
    text_column: str = "text"  # the text column or feature of a table or tfds dataset
    label_column: str = "label"  # the label column or feature
    synthetic_counts: tuple[int, int, int] = (1000, 300, 300)  # synthetic train, validation, test
    vocabulary_size: int = 2000  # WordPiece vocabulary learnt from train (no preset only)
    num_layers: int = 2  # of the small BERT (no preset)
    num_heads: int = 2  # of the small BERT (no preset)
    hidden_dim: int = 64  # of the small BERT (no preset)
    intermediate_dim: int = 128  # of the small BERT (no preset)
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
        classifiers = {f"{name}_classifier": member.classifier
                       for name, member in model.members().items()}
        point.describe_models(classifiers)
        served = classifiers[f"{config.losses[0]}_classifier"]
        preprocessor = served.preprocessor
        train, validation, test = setup.tokenized_splits(data, noisy, preprocessor)
        point.fit(model, train, validation_data=validation, test_data=test, test_each_epoch=True,
                  shuffle_buffer=len(data.train))
        point.save_models(classifiers)
        point.save_presets(classifiers)
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
