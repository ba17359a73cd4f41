"""What a pix2pix run measures on synthetic label map → scene pairs: paired content,
realism and the FCN-score, each honest against generators that learned nothing."""

import numpy as np
import pytest

from dlx_tf.data.synthetic.seasons import (
    LABEL_CLASSES,
    generate_scenes,
    label_images,
    scene_labels,
)
from dlx_tf.evaluation.feature_spaces import texture_statistics_space
from dlx_tf.projects.pix2pix.paired_evaluation import EPOCH_METRICS, PairedEvaluation
from dlx_tf.projects.pix2pix.segmentation_judge import train_segmentation_judge

SIZE = 48
TEST_PAIRS = 120
BASELINES = ("noise", "constant", "input_copy", "one_image")
FCN = ("fcn_pixel_accuracy", "fcn_class_accuracy", "fcn_class_iou")


def _unit(images):
    return images.astype(np.float32) / 127.5 - 1.0


def _pairs(seed):
    labels = scene_labels(TEST_PAIRS, SIZE, seed)
    return (_unit(label_images(labels)), _unit(generate_scenes(TEST_PAIRS, SIZE, "summer", seed)),
            labels)


@pytest.fixture(scope="module")
def judge():
    """Trained once for the file, on scenes of seeds the test pairs never use."""
    return train_segmentation_judge(_unit(generate_scenes(300, SIZE, "summer", 21)),
                                    scene_labels(300, SIZE, 21), len(LABEL_CLASSES), seed=0,
                                    epochs=6)


@pytest.fixture(scope="module")
def evaluation(judge):
    inputs, targets, labels = _pairs(seed=22)
    held_out = _unit(generate_scenes(TEST_PAIRS, SIZE, "summer", 23))
    return PairedEvaluation(texture_statistics_space(), inputs, targets, labels, judge,
                            held_out=held_out)


@pytest.fixture(scope="module")
def real(evaluation):
    return evaluation.real_bounds()


@pytest.fixture(scope="module")
def baselines(evaluation):
    return evaluation.baselines(seed=0)


class PerfectGenerator:
    """Returns each input's real target; checks it is called as a Keras model in batches."""

    def __init__(self, inputs, targets):
        self.answers = {image.tobytes(): target for image, target in zip(inputs, targets)}
        self.batch_sizes = []

    def __call__(self, batch, training=True):
        assert training is False
        self.batch_sizes.append(len(batch))
        return np.stack([self.answers[np.asarray(image).tobytes()] for image in batch])


def test_the_judge_labels_real_scenes_well(real):
    assert real["real_fcn_pixel_accuracy"] > 0.85
    assert real["real_fcn_class_iou"] > 0.5


def test_a_perfect_generator_reaches_the_real_bound(evaluation, real):
    generator = PerfectGenerator(evaluation.inputs, evaluation.targets)
    metrics = evaluation.measure(generator)
    assert sum(generator.batch_sizes) == TEST_PAIRS and max(generator.batch_sizes) < TEST_PAIRS
    for name in FCN:
        assert metrics[f"test_{name}"] == real[f"real_{name}"], name
    assert metrics["test_l1"] == 0.0 and metrics["test_psnr"] == 100.0
    assert metrics["test_ssim"] == pytest.approx(1.0)
    assert metrics["test_kid"] < real["real_kid"] + 3 * real["real_kid_std"]
    assert metrics["test_precision"] == 1.0 and metrics["test_recall"] == 1.0


def test_every_baseline_scores_clearly_worse_than_real_scenes(real, baselines):
    # Held-out real scenes' KID is 0 within its spread; the worst baseline's is far above.
    kid_floor = real["real_kid"] + 20 * real["real_kid_std"]
    for name in BASELINES:
        score = {key.removeprefix(f"baseline_{name}_"): value
                 for key, value in baselines.items() if key.startswith(f"baseline_{name}_")}
        # The scenes share a layout (sky above, hills below), so one real scene for all
        # still gets ~80% of the pixels right; its classes are far off.
        assert score["fcn_pixel_accuracy"] < real["real_fcn_pixel_accuracy"] - 0.1, name
        assert score["fcn_class_accuracy"] < real["real_fcn_class_accuracy"] - 0.2, name
        assert score["fcn_class_iou"] < real["real_fcn_class_iou"] / 1.5, name
        assert score["ssim"] < 0.3, name  # a perfect generator scores 1
        assert score["kid"] > kid_floor, name
        assert score["recall"] < 0.1, name


def test_the_copied_label_map_is_not_read_as_its_classes(baselines):
    # Its flat colours are unlike any scene's: a judge fooled by them would give the copy
    # near-perfect FCN-scores for doing nothing. Sky alone covers ~40% of the pixels.
    assert baselines["baseline_input_copy_fcn_pixel_accuracy"] < 0.6
    assert baselines["baseline_input_copy_fcn_class_iou"] < 0.25


def test_baselines_have_every_measure(evaluation, baselines):
    measured = evaluation.measure(PerfectGenerator(evaluation.inputs, evaluation.targets))
    expected = sorted(f"baseline_{name}_{key.removeprefix('test_')}"
                      for name in BASELINES for key in measured)
    assert sorted(baselines) == expected


def test_the_epoch_subset(evaluation):
    epoch = evaluation.epoch_metrics(PerfectGenerator(evaluation.inputs, evaluation.targets))
    assert sorted(epoch) == sorted(f"test_{name}" for name in EPOCH_METRICS)


def test_without_a_judge_there_is_no_fcn_score():
    inputs, targets, _ = _pairs(seed=24)
    evaluation = PairedEvaluation(texture_statistics_space(), inputs[:16], targets[:16])
    metrics = evaluation.measure(PerfectGenerator(inputs, targets))
    assert not any("fcn" in key for key in metrics)
    assert {"test_l1", "test_psnr", "test_ssim", "test_kid", "test_precision", "test_recall",
            "test_diversity"} <= set(metrics)
    assert evaluation.real_bounds() == {}


def test_bad_pairs_say_what_was_expected(judge):
    inputs, targets, labels = (array[:4] for array in _pairs(seed=25))
    space = texture_statistics_space()
    with pytest.raises(ValueError, match=r"\[n, h, w, 3\] pairs of one shape; "
                                         r"got \(3, 48, 48, 3\) and \(4, 48, 48, 3\)"):
        PairedEvaluation(space, inputs[:3], targets)
    with pytest.raises(ValueError, match=r"labels \[n, h, w\] of the targets"):
        PairedEvaluation(space, inputs, targets, judge=judge)
    with pytest.raises(ValueError, match=r"labels \[n, h, w\] of the targets"):
        PairedEvaluation(space, inputs, targets, labels[:, :-1], judge=judge)
