import keras
import keras_hub
import numpy as np
import pytest
from harness import check_keras_file_round_trip

from dlx_tf.errors import UsageError
from dlx_tf.models.multi_net import (
    CLIP_MEAN,
    CLIP_STD,
    MultiNetBackboneVideoEncoder,
    frame_backbone_from_preset,
)
from dlx_tf.models.resnet import keras_hub_resnet_config

FRAMES = np.random.default_rng(0).integers(0, 256, size=(2, 3, 24, 24, 3), dtype="uint8")


def _clip_vision_tower():
    return keras_hub.models.CLIPVisionEncoder(patch_size=8, hidden_dim=8, num_layers=1,
                                              num_heads=2, intermediate_dim=16,
                                              image_shape=(24, 24, 3))


def test_a_local_resnet_preset_encodes_each_frame_with_its_weights(tmp_path):
    # A one-stage ResNet with random weights stands in for resnet_18_imagenet.
    hub = keras_hub.models.ResNetBackbone(**keras_hub_resnet_config((1,)),
                                          image_shape=(None, None, 3))
    hub.save_to_preset(str(tmp_path / "preset"))
    backbone = frame_backbone_from_preset(str(tmp_path / "preset"))
    for ours, theirs in zip(backbone.weights, hub.weights):
        np.testing.assert_array_equal(ours, theirs)
    encoder = MultiNetBackboneVideoEncoder(backbone, token_dim=10)
    tokens = np.asarray(encoder(FRAMES))
    assert tokens.shape == (2, 3, 10)
    assert encoder.count_params() == hub.count_params() + 64 * 10 + 10
    changed = FRAMES.copy()
    changed[1, 0] = 0
    np.testing.assert_allclose(np.asarray(encoder(changed))[0], tokens[0], rtol=1e-5, atol=1e-6)


def test_a_clip_preset_gives_its_vision_tower_and_the_cls_token_per_frame(tmp_path):
    text = keras_hub.models.CLIPTextEncoder(vocabulary_size=20, embedding_dim=8, hidden_dim=8,
                                            num_layers=1, num_heads=2, intermediate_dim=16,
                                            max_sequence_length=6)
    keras_hub.models.CLIPBackbone(_clip_vision_tower(), text, projection_dim=8).save_to_preset(
        str(tmp_path / "clip"))
    backbone = frame_backbone_from_preset(str(tmp_path / "clip"))
    assert isinstance(backbone, keras_hub.models.CLIPVisionEncoder)
    encoder = MultiNetBackboneVideoEncoder(backbone, 10, CLIP_MEAN, CLIP_STD)
    assert tuple(encoder(FRAMES).shape) == (2, 3, 10)
    assert encoder.count_params() == backbone.count_params() + 8 * 10 + 10


def test_keras_file_round_trip(tmp_path):
    encoder = MultiNetBackboneVideoEncoder(_clip_vision_tower(), 10, CLIP_MEAN, CLIP_STD)
    encoder(FRAMES)
    check_keras_file_round_trip(encoder, FRAMES, tmp_path)
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert restored.pixel_std == CLIP_STD


def test_a_missing_preset_is_reported_by_name(tmp_path):
    with pytest.raises(UsageError, match="no_such_preset"):
        frame_backbone_from_preset(str(tmp_path / "no_such_preset"))
