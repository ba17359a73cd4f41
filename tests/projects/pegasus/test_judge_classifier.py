import numpy as np
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.projects.pegasus.judge_classifier import JudgeClassifier

IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 32, 24, 3)).astype("float32")


def test_config_round_trip():
    check_config_round_trip(JudgeClassifier, {"num_classes": 4, "filters": 4, "dropout": 0.1})


def test_logits_and_features():
    judge = JudgeClassifier(num_classes=4, filters=4)
    assert tuple(judge(IMAGES).shape) == (2, 4)
    assert tuple(judge.features(IMAGES).shape) == (2, 16)  # filters · 4


def test_keras_file_round_trip(tmp_path):
    judge = JudgeClassifier(num_classes=4, filters=4)
    judge(IMAGES)
    check_keras_file_round_trip(judge, IMAGES, tmp_path)
