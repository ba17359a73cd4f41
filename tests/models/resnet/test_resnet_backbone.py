import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.errors import UsageError
from dlx_tf.models.resnet import ResNetBackbone

# Small and non-square on purpose: spectrograms are frames × mel bins, not 224 × 224.
IMAGES = np.random.default_rng(0).normal(size=(2, 40, 56, 3)).astype("float32")


def _parameters_by_formula(width, blocks, channels=3):
    """Trainable parameters of a basic-block ResNet: bias-free convolutions and batch
    norms with a scale and an offset per channel."""
    count = 7 * 7 * channels * width + 2 * width  # stem
    previous = width
    for stage, stage_blocks in enumerate(blocks):
        filters = width * 2**stage
        for block in range(stage_blocks):
            if stage > 0 and block == 0:
                count += previous * filters + 2 * filters  # 1×1 projection shortcut
            count += 9 * previous * filters + 2 * filters  # first 3×3
            count += 9 * filters * filters + 2 * filters  # second 3×3
            previous = filters
    return count


def _batch_norm_channels(width, blocks):
    channels = width  # stem
    for stage, stage_blocks in enumerate(blocks):
        channels += width * 2**stage * (2 * stage_blocks + (stage > 0))
    return channels


def test_resnet18_has_the_standard_parameter_count():
    backbone = ResNetBackbone()
    backbone.build((None, 224, 224, 3))
    trainable = sum(int(np.prod(w.shape)) for w in backbone.trainable_weights)
    assert trainable == 11_176_512 == _parameters_by_formula(64, (2, 2, 2, 2))
    # KerasHub's resnet_18_imagenet metadata counts the 9,600 batch-norm statistics too.
    assert backbone.count_params() == 11_186_112

    inputs = keras.Input((224, 224, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(backbone(inputs))
    classifier = keras.Model(inputs, keras.layers.Dense(1000)(pooled))
    trainable = sum(int(np.prod(w.shape)) for w in classifier.trainable_weights)
    assert trainable == 11_689_512  # torchvision's resnet18


def test_small_width_parameter_count_follows_the_formula():
    backbone = ResNetBackbone(stackwise_num_blocks=(1, 2, 1), width=16)
    backbone.build((None, None, None, 3))
    trainable = sum(int(np.prod(w.shape)) for w in backbone.trainable_weights)
    assert trainable == _parameters_by_formula(16, (1, 2, 1))
    statistics = sum(int(np.prod(w.shape)) for w in backbone.non_trainable_weights)
    assert statistics == 2 * _batch_norm_channels(16, (1, 2, 1))  # mean and variance


@pytest.mark.parametrize("height, width, expected", [(40, 56, (2, 2)), (33, 64, (2, 2)),
                                                     (97, 17, (4, 1))])
def test_output_shape_is_input_over_32_rounded_up(height, width, expected):
    backbone = ResNetBackbone(stackwise_num_blocks=(1, 1, 1, 1), width=4)
    features = backbone(np.zeros((1, height, width, 3), "float32"))
    assert features.shape == (1, *expected, 32)
    assert backbone.output_channels == 32


def test_three_stages_stop_at_one_sixteenth():
    backbone = ResNetBackbone(stackwise_num_blocks=(1, 1, 1), width=4)
    assert backbone(IMAGES).shape == (2, 3, 4, 16)


def test_layer_names_follow_keras_hub():
    backbone = ResNetBackbone(stackwise_num_blocks=(2, 1), width=4)
    backbone.build((None, None, None, 3))
    assert list(backbone.named_weight_layers()) == [
        "conv1_conv", "conv1_bn",
        "stack0_block0_1_conv", "stack0_block0_1_bn", "stack0_block0_2_conv", "stack0_block0_2_bn",
        "stack0_block1_1_conv", "stack0_block1_1_bn", "stack0_block1_2_conv", "stack0_block1_2_bn",
        # Only the first block of a later stage projects its shortcut (KerasHub's first_shortcut).
        "stack1_block0_0_conv", "stack1_block0_0_bn",
        "stack1_block0_1_conv", "stack1_block0_1_bn", "stack1_block0_2_conv", "stack1_block0_2_bn",
    ]


def test_training_mode_updates_batch_norm_statistics_and_inference_does_not():
    backbone = ResNetBackbone(stackwise_num_blocks=(1, 1), width=4)
    backbone(IMAGES)
    moving_mean = backbone.stem_bn.moving_mean
    before = np.asarray(moving_mean).copy()
    backbone(IMAGES, training=False)
    np.testing.assert_array_equal(np.asarray(moving_mean), before)
    backbone(IMAGES, training=True)
    assert not np.allclose(np.asarray(moving_mean), before)


def test_config_round_trip():
    check_config_round_trip(ResNetBackbone, {"stackwise_num_blocks": (1, 2), "width": 8})


def test_keras_file_round_trip(tmp_path):
    backbone = ResNetBackbone(stackwise_num_blocks=(1, 1), width=4)
    backbone(IMAGES, training=True)  # moves the batch-norm statistics off their defaults
    check_keras_file_round_trip(backbone, IMAGES, tmp_path)


def test_rejects_empty_stages():
    with pytest.raises(UsageError, match=r"stackwise_num_blocks.*got \[2, 0\]"):
        ResNetBackbone(stackwise_num_blocks=(2, 0))
