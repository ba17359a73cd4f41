"""What the BERT label-noise experiment assembles from its config: the checks, the noisy
labels of a sweep point, the losses and optimizer, the tokenized data and export names."""

import dataclasses
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.losses.noise_robust import GeneralizedCrossEntropy, SymmetricCrossEntropy
from dlx_tf.projects.bert_noise import bert_noise_setup as setup
from dlx_tf.training.schedules import WarmupLinearDecaySchedule
from experiments.bert_noise import PROFILES

SMOKE = PROFILES["smoke"]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_profiles_pass_the_checks(profile):
    setup.check_config(PROFILES[profile])


@pytest.mark.parametrize("changes, message", [
    ({"losses": ("ce", "focal")}, "losses: expected some of ce, gce, sce, got ce, focal"),
    ({"losses": ()}, "losses: expected some of ce, gce, sce, got none"),
    ({"noise_kind": "asymmetric"},
     "noise_kind: expected one of symmetric, pair, got 'asymmetric'"),
])
def test_unknown_losses_and_noise_kinds_are_one_line_errors(changes, message):
    with pytest.raises(UsageError) as error:
        setup.check_config(dataclasses.replace(SMOKE, **changes))
    assert str(error.value) == message


def _data(train=25, validation=10, num_classes=4):
    return types.SimpleNamespace(
        info={"num_classes": num_classes},
        train=types.SimpleNamespace(labels=np.arange(train) % num_classes),
        validation=types.SimpleNamespace(labels=np.arange(validation) % num_classes))


def test_the_noisy_labels_flip_the_rate_of_training_labels_and_keep_validation_clean():
    data = _data()
    config = dataclasses.replace(SMOKE, noise_rate=0.2, noise_kind="symmetric",
                                 noisy_validation=False, seed=5)
    noisy = setup.NoisyLabels(data, config)
    assert np.count_nonzero(noisy.train != data.train.labels) == round(0.2 * 25)
    np.testing.assert_array_equal(data.train.labels, np.arange(25) % 4)  # left untouched
    np.testing.assert_array_equal(noisy.validation, data.validation.labels)
    assert (noisy.info["noise_rate"], noisy.info["noise_kind"]) == (0.2, "symmetric")
    assert noisy.info["train_noise"]["flipped"] == 5
    assert noisy.info["train_noise"]["rate"] == pytest.approx(0.2)
    assert noisy.info["validation_noise"]["flipped"] == 0


def test_noisy_validation_flips_validation_labels_the_same_way():
    data = _data(train=40, validation=40)
    config = dataclasses.replace(SMOKE, noise_rate=0.25, noise_kind="pair",
                                 noisy_validation=True, seed=5)
    noisy = setup.NoisyLabels(data, config)
    for clean, labels in ((data.train.labels, noisy.train),
                          (data.validation.labels, noisy.validation)):
        flipped = labels != clean
        assert np.count_nonzero(flipped) == 10
        np.testing.assert_array_equal(labels[flipped], (clean[flipped] + 1) % 4)  # pair kind
    # Another seed for validation: not the training positions again.
    assert not np.array_equal(noisy.train != data.train.labels,
                              noisy.validation != data.validation.labels)
    assert noisy.info["validation_noise"]["flipped"] == 10


@pytest.mark.parametrize("rate, source, name", [
    (0.4, "ag_news_subset", "bert_noise40_ag_news_subset"),
    (0.0, "synthetic", "bert_noise0_synthetic"),
    (0.2, "tfds:imdb_reviews", "bert_noise20_imdb_reviews"),
    (0.5, "/data/My Reviews.csv", "bert_noise50_data_my_reviews_csv"),
    (0.5, "/data/" + "x" * 50, "bert_noise50_" + "x" * 40),
    # Cut to 40 characters first, so no separator is left at the cut.
    (0.4, "a" * 10 + " " + "b" * 39, "bert_noise40_" + "b" * 39),
])
def test_export_name_holds_the_percentage_and_the_source(rate, source, name):
    assert setup.export_name(rate, source) == name


def test_each_loss_name_makes_its_loss_with_the_configs_settings():
    config = dataclasses.replace(SMOKE, gce_q=0.6, sce_alpha=0.2, sce_beta=0.8)
    ce, gce, sce = (setup.make_loss(name, config) for name in ("ce", "gce", "sce"))
    assert isinstance(ce, keras.losses.SparseCategoricalCrossentropy)
    assert ce.get_config()["from_logits"] is True
    assert isinstance(gce, GeneralizedCrossEntropy) and gce.q == 0.6
    assert isinstance(sce, SymmetricCrossEntropy) and (sce.alpha, sce.beta) == (0.2, 0.8)


def test_the_optimizer_warms_up_over_the_fraction_of_the_steps():
    config = dataclasses.replace(SMOKE, learning_rate=1e-3, warmup_fraction=0.1,
                                 weight_decay=0.02)
    optimizer = setup.make_optimizer(config, total_steps=205)
    schedule = keras.saving.deserialize_keras_object(optimizer.get_config()["learning_rate"])
    assert isinstance(schedule, WarmupLinearDecaySchedule)
    assert (schedule.warmup_steps, schedule.total_steps) == (20, 205)
    assert optimizer.weight_decay == pytest.approx(0.02)
    assert optimizer.epsilon == pytest.approx(1e-6)


def test_weight_decay_spares_biases_and_layer_norm_parameters():
    config = dataclasses.replace(SMOKE, learning_rate=0.1, warmup_fraction=0.0,
                                 weight_decay=0.5)
    optimizer = setup.make_optimizer(config, total_steps=10)
    names = ("kernel", "bias", "gamma", "beta")
    variables = [keras.Variable(np.ones(2, "float32"), name=name) for name in names]
    optimizer.apply([tf.zeros(2) for _ in names], variables)  # zero gradients: only the decay
    values = {name: float(v.numpy()[0]) for name, v in zip(names, variables)}
    assert values == pytest.approx({"kernel": 1 - 0.1 * 0.5, "bias": 1.0, "gamma": 1.0,
                                    "beta": 1.0})


def _characters(texts):
    """A stand-in preprocessor: the first 4 bytes of each text as ids, and its length."""
    ids = tf.strings.unicode_decode(texts, "UTF-8").to_tensor(shape=[None, 4])
    return {"token_ids": ids, "lengths": tf.strings.length(texts)}


def test_tokenized_gives_tokens_label_and_clean_label_in_order():
    texts = [f"t{i}" for i in range(300)]  # more than one batch of 256
    labels, clean = np.arange(300) % 3, np.arange(300) % 5
    examples = list(setup.tokenized(texts, labels, clean, _characters).as_numpy_iterator())
    assert len(examples) == 300
    tokens, label, clean_label = examples[271]
    np.testing.assert_array_equal(tokens["token_ids"], [ord(c) for c in "t271"])
    assert tokens["lengths"] == 4
    assert (label, clean_label) == (271 % 3, 271 % 5)
    assert [int(example[1]) for example in examples] == labels.tolist()


def test_tokenized_splits_train_and_choose_on_noisy_labels_and_test_on_clean_ones():
    data = types.SimpleNamespace(**{
        name: types.SimpleNamespace(texts=[f"{name}{i}" for i in range(4)],
                                    labels=np.arange(4) % 2)
        for name in ("train", "validation", "test")})
    noisy = types.SimpleNamespace(train=np.array([1, 1, 1, 1]),
                                  validation=np.array([0, 0, 0, 0]))
    train, validation, test = setup.tokenized_splits(data, noisy, _characters)
    for dataset, seen in ((train, [1, 1, 1, 1]), (validation, [0, 0, 0, 0]),
                          (test, [0, 1, 0, 1])):
        examples = list(dataset.as_numpy_iterator())
        assert [int(e[1]) for e in examples] == seen
        assert [int(e[2]) for e in examples] == [0, 1, 0, 1]
    assert examples[3][0]["lengths"] == len("test3")
