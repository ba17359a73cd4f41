import keras
import numpy as np
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.projects.cyclegan.domain_classifier import DomainClassifier

IMAGES = np.random.default_rng(0).uniform(-1, 1, (3, 24, 16, 3)).astype("float32")


def test_config_round_trip():
    check_config_round_trip(DomainClassifier, {"filters": 4})


def test_keras_file_round_trip_of_a_compiled_classifier(tmp_path):
    # As the CycleGAN run saves it: compiled and fitted.
    classifier = DomainClassifier(filters=4)
    classifier.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    classifier.fit(IMAGES, np.array([0.0, 1.0, 1.0]), epochs=1, verbose=0)
    assert tuple(classifier(IMAGES).shape) == (3,)
    check_keras_file_round_trip(classifier, IMAGES, tmp_path)
