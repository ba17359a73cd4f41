import keras
import numpy as np

from dlx_tf.evaluation.attribute_net import AttributeNet
from tests.harness import check_config_round_trip, check_keras_file_round_trip


def test_config_round_trip():
    check_config_round_trip(AttributeNet, {"num_classes": 3, "num_attributes": 5, "filters": 4,
                                           "feature_dim": 12, "seed": 7})


def test_keras_file_round_trip(tmp_path):
    net = AttributeNet(num_classes=3, num_attributes=5, filters=4, feature_dim=12, seed=7)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 20, 12, 3)).astype(np.float32)
    check_keras_file_round_trip(net, images, tmp_path)


def test_outputs_at_any_size_and_seeded_weights():
    net = AttributeNet(num_classes=3, num_attributes=5, filters=4, feature_dim=12, seed=7)
    for shape in ((2, 32, 32, 3), (1, 45, 17, 3)):
        outputs = net(keras.ops.zeros(shape))
        assert {key: tuple(value.shape) for key, value in outputs.items()} == {
            "features": (shape[0], 12), "class_logits": (shape[0], 3),
            "attributes": (shape[0], 5)}
    same = AttributeNet(num_classes=3, num_attributes=5, filters=4, feature_dim=12, seed=7)
    other = AttributeNet(num_classes=3, num_attributes=5, filters=4, feature_dim=12, seed=8)
    for model in (same, other):
        model(keras.ops.zeros((1, 8, 8, 3)))
    weights = [model.get_weights() for model in (net, same, other)]
    assert len(weights[0]) == len(weights[1]) == 4 * 2 + 3 * 2  # kernels and biases
    assert all(np.array_equal(a, b) for a, b in zip(weights[0], weights[1]))
    assert not np.array_equal(weights[0][0], weights[2][0])
    assert len(net.convs) == 4  # 32 → 2 pixels: four stride-2 convolutions
