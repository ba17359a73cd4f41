"""The FCN-score's three numbers against confusion matrices worked out by hand."""

import numpy as np
import pytest

from dlx_tf.evaluation.segmentation import confusion_matrix, label_agreement

# Ten pixels of classes 0-2 (3 is never true, but predicted once):
#   class 0, t=4: 3 right, 1 read as 1;  class 1, t=2: 1 right, 1 read as 3;
#   class 2, t=4: 3 right, 1 read as 0.
LABELS = np.array([[0, 0, 0, 0, 1], [1, 2, 2, 2, 2]])
PREDICTED = np.array([[0, 0, 0, 1, 1], [3, 2, 2, 0, 2]])


def test_the_confusion_matrix_counts_true_rows_and_predicted_columns():
    expected = [[3, 1, 0, 0],
                [0, 1, 0, 1],
                [1, 0, 3, 0],
                [0, 0, 0, 0]]
    np.testing.assert_array_equal(confusion_matrix(PREDICTED, LABELS, 4), expected)


def test_pixel_class_accuracy_and_iou_follow_long_et_al():
    scores = label_agreement(PREDICTED, LABELS, num_classes=4)
    assert scores["pixel_accuracy"] == pytest.approx(7 / 10)
    assert scores["class_accuracy"] == pytest.approx((3 / 4 + 1 / 2 + 3 / 4) / 3)
    # IoU_i = n_ii / (t_i + predicted as i - n_ii): 3/(4+4-3), 1/(2+2-1), 3/(4+3-3).
    assert scores["class_iou"] == pytest.approx((3 / 5 + 1 / 3 + 3 / 4) / 3)


def test_a_class_absent_from_the_labels_is_left_out_of_the_means():
    # Class 3 was predicted but is never true: averaging its IoU of 0 would give 4 in the
    # denominator. The one pixel it took still costs class 1 its accuracy and IoU.
    scores = label_agreement(PREDICTED, LABELS, num_classes=4)
    assert scores["class_iou"] != pytest.approx((3 / 5 + 1 / 3 + 3 / 4) / 4)
    more_classes = label_agreement(PREDICTED, LABELS, num_classes=9)
    assert more_classes == pytest.approx(scores)


def test_counts_are_pooled_over_all_images_before_dividing():
    labels = np.zeros((2, 3, 3), np.int64)
    labels[1] = 1
    predicted = labels.copy()
    predicted[1, 0, :2] = 0  # 2 of image 1's 9 pixels of class 1 read as 0
    scores = label_agreement(predicted, labels, num_classes=2)
    assert scores["pixel_accuracy"] == pytest.approx(16 / 18)
    assert scores["class_accuracy"] == pytest.approx((1 + 7 / 9) / 2)
    assert scores["class_iou"] == pytest.approx((9 / 11 + 7 / 9) / 2)


def test_perfect_labels_score_one():
    labels = np.random.default_rng(0).integers(0, 5, (3, 8, 6))
    assert label_agreement(labels, labels, 5) == {"pixel_accuracy": 1.0,
                                                 "class_accuracy": 1.0, "class_iou": 1.0}


@pytest.mark.parametrize("predicted, labels, message", [
    (np.zeros((2, 4)), np.zeros((2, 4), int), "predicted: expected integer class ids"),
    (np.zeros((2, 4), int), np.full((2, 4), 5), r"labels: expected integer class ids in \[0, 5\)"),
    (np.zeros((2, 4), int), np.zeros((2, 5), int), "one shape; got"),
])
def test_bad_label_maps_say_what_was_expected(predicted, labels, message):
    with pytest.raises(ValueError, match=message):
        label_agreement(predicted, labels, 5)
