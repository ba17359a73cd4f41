"""The FCN-score's judge: a small fully convolutional net that labels every pixel of the
synthetic scenes, trained on real scenes in seconds."""

import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.data.synthetic.seasons import LABEL_CLASSES, generate_scenes, scene_labels
from dlx_tf.evaluation.batched import batched_call
from dlx_tf.evaluation.segmentation import label_agreement
from dlx_tf.projects.pix2pix.segmentation_judge import (
    SegmentationJudge,
    train_segmentation_judge,
)

SIZE = 32
IMAGES = np.random.default_rng(0).uniform(-1, 1, (3, 12, 20, 3)).astype("float32")


def _scenes(count, seed):
    return generate_scenes(count, SIZE, "summer", seed) / np.float32(127.5) - 1.0


def test_config_round_trip():
    check_config_round_trip(SegmentationJudge, {"num_classes": 3, "filters": 4, "seed": 7})


def test_keras_file_round_trip_gives_per_pixel_logits(tmp_path):
    judge = SegmentationJudge(num_classes=3, filters=4, seed=0)
    assert tuple(judge(IMAGES).shape) == (3, 12, 20, 3)
    check_keras_file_round_trip(judge, IMAGES, tmp_path)


def test_the_same_seed_gives_the_same_judge():
    outputs = [np.asarray(SegmentationJudge(num_classes=3, filters=4, seed=5)(IMAGES))
               for _ in range(2)]
    np.testing.assert_array_equal(*outputs)


def test_labels_must_match_the_images():
    with pytest.raises(ValueError, match=r"labels \[n, h, w\].*got \(3, 12, 20, 3\) and "
                                         r"\(3, 12, 19\)"):
        train_segmentation_judge(IMAGES, np.zeros((3, 12, 19), int), 3, seed=0)


def test_it_learns_to_label_real_scenes_it_never_saw():
    judge = train_segmentation_judge(_scenes(300, seed=11), scene_labels(300, SIZE, seed=11),
                                     len(LABEL_CLASSES), seed=0, epochs=6)
    test_labels = scene_labels(100, SIZE, seed=12)
    predicted = batched_call(lambda batch: np.argmax(judge(batch, training=False), -1),
                             _scenes(100, seed=12))
    scores = label_agreement(predicted, test_labels, len(LABEL_CLASSES))
    # Sky and hills alone make up ~80% of the pixels: a judge must get far past that.
    assert scores["pixel_accuracy"] > 0.9
    assert scores["class_iou"] > 0.55
