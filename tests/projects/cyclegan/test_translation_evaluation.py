"""What a CycleGAN run measures on its test images: cycle L1, the domain judge's translation
score, realism and diversity against the target domain, and content preservation."""

import types

import keras
import numpy as np
import pytest

from dlx_tf.evaluation.feature_spaces import texture_statistics_space
from dlx_tf.projects.cyclegan.translation_evaluation import (
    EPOCH_METRICS,
    TranslationEvaluation,
    train_domain_classifier,
)


def _scenes(brightness, seed, height=16, width=24):
    """One image per value: a vertical ramp around that brightness, with a little noise,
    so every image has edges and texture."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(-0.3, 0.3, height, dtype=np.float32)[None, :, None, None]
    images = np.asarray(brightness, np.float32)[:, None, None, None] + ramp
    images = images + rng.normal(0, 0.05, (len(brightness), height, width, 3))
    return np.clip(images, -1, 1).astype(np.float32)


def _by_brightness(images):
    """A hand-made domain classifier: the mean pixel is the logit of "domain B"."""
    return np.asarray(images).mean(axis=(1, 2, 3))


def _gan(a2b, b2a):
    return types.SimpleNamespace(generator_a2b=lambda x, training=False: a2b(x),
                                 generator_b2a=lambda x, training=False: b2a(x))


@pytest.fixture(scope="module")
def domains():
    dark = np.linspace(-0.6, -0.4, 8)
    return _scenes(dark, 0), _scenes(-dark, 1)  # A dark, B bright


def _evaluation(domains, answers=False):
    test_a, test_b = domains
    return TranslationEvaluation(_by_brightness, texture_statistics_space(), test_a, test_b,
                                 -test_a if answers else None, -test_b if answers else None)


def test_doing_nothing_cycles_perfectly_but_fails_the_judge_and_realism(domains):
    metrics = _evaluation(domains).measure(_gan(lambda x: x, lambda x: x))
    assert metrics["test_cycle_l1"] == 0.0
    assert metrics["test_translation_score"] == 0.0
    assert metrics["test_structure_ssim"] == pytest.approx(1.0)
    assert metrics["test_precision"] == 0.0 and metrics["test_recall"] == 0.0


def test_the_right_translation_scores_well_on_every_measure(domains):
    # Negation maps the dark ramps onto bright ones and undoes itself: a perfect cycle.
    metrics = _evaluation(domains, answers=True).measure(_gan(np.negative, np.negative))
    assert metrics["test_cycle_l1"] == 0.0
    assert metrics["test_translation_score"] == 1.0
    assert metrics["test_content_ssim"] == pytest.approx(1.0)
    assert metrics["test_precision"] > 0.5 and metrics["test_recall"] > 0.5
    assert 0.5 < metrics["test_diversity"] < 2.0
    assert metrics["test_structure_ssim"] > 0.9


def test_noise_and_a_constant_image_score_badly_whatever_the_judge_says(domains):
    rng = np.random.default_rng(3)

    def noise(x):
        return rng.uniform(0.2, 1.0, x.shape).astype(np.float32)  # "bright": the judge's B

    def constant(x):
        return np.full(x.shape, 0.5, np.float32)

    right = _evaluation(domains, answers=True).measure(_gan(np.negative, np.negative))
    for name, generator in (("noise", noise), ("constant", constant)):
        metrics = _evaluation(domains, answers=True).measure(_gan(generator, np.negative))
        assert metrics["test_translation_score_a2b"] == 1.0, name  # the judge is fooled
        assert metrics["test_recall_a2b"] == 0.0, name
        assert metrics["test_kid_a2b"] > max(20 * abs(right["test_kid_a2b"]), 0.02), name
        assert metrics["test_content_ssim_a2b"] < 0.3, name
        assert metrics["test_structure_ssim_a2b"] < 0.3, name


def test_cycle_l1_is_the_mean_reconstruction_error_of_both_domains():
    test_a, test_b = _scenes([-0.5] * 4, 0), _scenes([0.5] * 4, 1)
    evaluation = TranslationEvaluation(_by_brightness, texture_statistics_space(), test_a,
                                       test_b)
    metrics = evaluation.measure(_gan(lambda x: x / 2, lambda x: x / 2))
    expected = np.mean([np.abs(test_a / 4 - test_a).mean(), np.abs(test_b / 4 - test_b).mean()])
    assert metrics["test_cycle_l1"] == pytest.approx(expected, rel=1e-5)


def test_per_direction_keys_and_the_epoch_subset(domains):
    evaluation = _evaluation(domains, answers=True)
    metrics = evaluation.measure(_gan(np.negative, np.negative))
    for name in ("kid", "kid_std", "precision", "recall", "diversity", "structure_ssim",
                 "content_l1", "content_psnr", "content_ssim", "cycle_l1",
                 "translation_score"):
        assert metrics[f"test_{name}"] == pytest.approx(
            (metrics[f"test_{name}_a2b"] + metrics[f"test_{name}_b2a"]) / 2), name
    epoch = evaluation.epoch_metrics(_gan(np.negative, np.negative))
    assert sorted(epoch) == sorted(f"test_{name}" for name in EPOCH_METRICS)
    unpaired = _evaluation(domains).epoch_metrics(_gan(np.negative, np.negative))
    assert "test_content_ssim" not in unpaired
    assert evaluation.feature_space["name"] == "texture_statistics"


def test_domain_accuracy_counts_a_at_or_below_zero_and_b_above(domains):
    test_a, test_b = domains
    wrong_b = np.concatenate([test_b[:2] - 2.0, test_b[2:]])
    evaluation = TranslationEvaluation(_by_brightness, texture_statistics_space(), test_a,
                                       np.clip(wrong_b, -1, 1))
    assert evaluation.domain_accuracy() == pytest.approx(14 / 16)


def test_a_domain_classifier_learns_dark_from_bright():
    keras.utils.set_random_seed(0)  # the initial weights
    rng = np.random.default_rng(0)

    def domain(low, high, count):
        return rng.uniform(low, high, (count, 16, 24, 3)).astype("float32")

    classifier = train_domain_classifier(domain(-1.0, -0.4, 32), domain(0.4, 1.0, 32), seed=0,
                                         epochs=6, batch_size=16)
    evaluation = TranslationEvaluation(classifier, texture_statistics_space(),
                                       domain(-1.0, -0.4, 20), domain(0.4, 1.0, 20))
    assert evaluation.domain_accuracy() == 1.0


def test_the_baselines_score_doing_nothing_and_noise(domains):
    evaluation = _evaluation(domains, answers=True)
    baselines = evaluation.baselines()
    assert baselines["baseline_identity_structure_ssim"] == pytest.approx(1.0)
    assert baselines["baseline_identity_translation_score"] == 0.0
    assert baselines["baseline_noise_structure_ssim"] < 0.2
    right = evaluation.measure(_gan(np.negative, np.negative))
    for name in ("identity", "noise"):
        assert baselines[f"baseline_{name}_recall"] < right["test_recall"], name
        assert baselines[f"baseline_{name}_kid"] > right["test_kid"], name
        assert baselines[f"baseline_{name}_content_ssim"] < right["test_content_ssim"], name
    assert not any(key.endswith(("_a2b", "_b2a")) for key in baselines)
