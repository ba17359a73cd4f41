import keras
import keras_hub
import numpy as np
import pytest

from dlx_tf.errors import UsageError
from dlx_tf.models.resnet import (
    ResNetBackbone,
    copy_weights_by_name,
    keras_hub_resnet_config,
    load_backbone_weights,
)

IMAGES = np.random.default_rng(0).normal(size=(2, 40, 56, 3)).astype("float32")


def _random_keras_hub_backbone(blocks, seed=1):
    """A KerasHub ResNet whose every weight, batch-norm statistics included, is random,
    so a weight copied to the wrong place or a statistic not copied shows."""
    source = keras_hub.models.ResNetBackbone(**keras_hub_resnet_config(blocks),
                                             image_shape=(None, None, 3))
    rng = np.random.default_rng(seed)
    for weight in source.weights:
        name = weight.path.split("/")[-1]
        if name in ("gamma", "moving_variance"):
            value = rng.uniform(0.5, 1.5, weight.shape)
        elif name in ("beta", "moving_mean"):
            value = rng.normal(0, 0.2, weight.shape)
        else:  # He-initialised convolution kernels keep activations around 1
            fan_in = np.prod(weight.shape[:-1])
            value = rng.normal(0, np.sqrt(2 / fan_in), weight.shape)
        weight.assign(value.astype("float32"))
    return source


def test_loaded_preset_computes_what_keras_hub_computes(tmp_path):
    source = _random_keras_hub_backbone((2, 2, 2, 2))
    source.save_to_preset(str(tmp_path / "preset"))
    backbone = ResNetBackbone()

    copied = load_backbone_weights(backbone, str(tmp_path / "preset"))

    # 20 layers' batch norms (4 tensors each) + 20 convolution kernels.
    assert copied == 20 * 4 + 20 == len(backbone.weights)
    expected = keras.ops.convert_to_numpy(source(IMAGES, training=False))
    features = keras.ops.convert_to_numpy(backbone(IMAGES, training=False))
    assert features.shape == expected.shape == (2, 2, 2, 512)
    assert np.abs(expected).mean() > 0.1  # not all zeros after the last ReLU
    np.testing.assert_allclose(features, expected, atol=1e-4, rtol=1e-4)


def test_a_preset_of_another_architecture_is_refused(tmp_path):
    small = keras_hub.models.ResNetBackbone(**keras_hub_resnet_config((1, 1)),
                                            image_shape=(None, None, 3))
    small.save_to_preset(str(tmp_path / "small"))
    with pytest.raises(UsageError, match=r"stackwise_num_blocks expected \[2, 2\], got \[1, 1\]"):
        load_backbone_weights(ResNetBackbone(stackwise_num_blocks=(2, 2)), str(tmp_path / "small"))
    with pytest.raises(UsageError, match="width 64.*width 16"):
        load_backbone_weights(ResNetBackbone(stackwise_num_blocks=(1, 1), width=16),
                              str(tmp_path / "small"))
    with pytest.raises(UsageError, match="no config.json"):
        load_backbone_weights(ResNetBackbone(stackwise_num_blocks=(1, 1)), str(tmp_path))


def test_a_missing_layer_or_other_shapes_are_named():
    inputs = keras.Input((None, None, 3))
    narrow = keras.Model(inputs, keras.layers.Conv2D(4, 7, use_bias=False,
                                                     name="conv1_conv")(inputs))
    with pytest.raises(UsageError, match=r"conv1_conv, kernel: expected shape \(7, 7, 3, 8\), "
                                         r"got \(7, 7, 3, 4\)"):
        copy_weights_by_name(ResNetBackbone(stackwise_num_blocks=(1,), width=8), narrow)
    with pytest.raises(UsageError, match="layer conv1_bn of the backbone is missing"):
        copy_weights_by_name(ResNetBackbone(stackwise_num_blocks=(1,), width=4), narrow)
