import keras
import numpy as np
from harness import check_keras_file_round_trip

from dlx_tf.models.pix2pix import PerImageBatchNormalization

FEATURES = np.random.default_rng(0).normal(3, 2, (3, 5, 4, 2)).astype("float32")


def _norm():
    norm = PerImageBatchNormalization()
    norm.build(FEATURES.shape)
    norm.gamma.assign([2.0, 0.5])
    norm.beta.assign([1.0, -1.0])
    return norm


def _by_hand(x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-5) * [2.0, 0.5] + [1.0, -1.0]


def test_inference_uses_each_images_own_statistics():
    norm = _norm()
    np.testing.assert_allclose(norm(FEATURES), _by_hand(FEATURES, (1, 2)), atol=1e-5)
    np.testing.assert_allclose(norm(FEATURES[1:2]), _by_hand(FEATURES, (1, 2))[1:2], atol=1e-5)


def test_training_uses_the_batch_statistics_and_updates_moving_averages():
    norm = _norm()
    np.testing.assert_allclose(norm(FEATURES, training=True), _by_hand(FEATURES, (0, 1, 2)),
                               atol=1e-5)
    # PyTorch's momentum 0.1: the moving mean moves a tenth of the way from 0.
    np.testing.assert_allclose(norm.moving_mean, 0.1 * FEATURES.mean(axis=(0, 1, 2)),
                               rtol=1e-5)


def test_keras_file_round_trip(tmp_path):
    model = keras.Sequential([keras.Input(FEATURES.shape[1:]), _norm()])
    check_keras_file_round_trip(model, FEATURES, tmp_path)
    assert model.layers[0].get_config()["epsilon"] == 1e-5
