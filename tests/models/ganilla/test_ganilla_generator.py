import keras
import numpy as np
import pytest
from harness import (
    check_any_size_export,
    check_config_round_trip,
    check_keras_file_round_trip,
    check_size_rule,
)

from dlx_tf.models.ganilla import GANILLAGenerator

# Small and non-square on purpose: nothing may assume 256×256.
IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 64, 96, 3)).astype("float32")


def _model(**kwargs):
    model = GANILLAGenerator(filters=4, **kwargs)
    model(IMAGES)
    return model


def test_official_parameter_count():
    # The official resnet_fpn generator (depth 18, ngf 64) layer by layer. Blocks have no
    # bias: conv1 9·in·p, conv2 9·p², a 1×1 projection in·p where the stride or width
    # changes, the fusing conv 9·2p·p.
    stem = 7 * 7 * 3 * 64 + 64  # 9,472
    layer1 = 2 * (9 * 64 * 64 + 9 * 64 * 64 + 9 * 128 * 64)  # 294,912
    layer2 = (9 * 64 * 128 + 9 * 128 * 128 + 64 * 128 + 9 * 256 * 128
              + 9 * 128 * 128 + 9 * 128 * 128 + 9 * 256 * 128)  # 1,114,112
    layer3 = (9 * 128 * 128 + 9 * 128 * 128 + 128 * 128 + 9 * 256 * 128
              + 9 * 128 * 128 + 9 * 128 * 128 + 9 * 256 * 128)  # 1,196,032
    layer4 = (9 * 128 * 256 + 9 * 256 * 256 + 128 * 256 + 9 * 512 * 256
              + 9 * 256 * 256 + 9 * 256 * 256 + 9 * 512 * 256)  # 4,456,448
    # Laterals from C5 (256), C4 (128), C3 (128), C2 (64) to 128 with bias; 3×3 128 → 64.
    fpn = (256 + 128 + 128 + 64) * 128 + 4 * 128 + 9 * 128 * 64 + 64  # 148,032
    head = 7 * 7 * 64 * 3 + 3  # 9,411
    assert stem + layer1 + layer2 + layer3 + layer4 + fpn + head == 7_228_419
    model = GANILLAGenerator()
    model.build((None, 256, 256, 3))
    assert model.count_params() == 7_228_419
    # Instance norm without affine parameters or running statistics: only convolutions.
    assert model.non_trainable_weights == []
    names = [w.path.split("/")[-1] for w in model.trainable_weights]
    assert names.count("bias") == 1 + 4 + 1 + 1  # stem, laterals, FPN output, head
    assert names.count("kernel") == 1 + 8 * 3 + 3 + 4 + 1 + 1  # 3 blocks have a projection


def test_output_has_the_input_size_and_tanh_range():
    images = keras.ops.convert_to_numpy(_model(output_channels=2)(IMAGES))
    assert images.shape == (2, 64, 96, 2)
    assert np.all(np.abs(images) <= 1.0)


def test_the_encoder_halves_sizes_down_to_a_sixteenth():
    model = _model()
    x = model.stem(IMAGES)
    assert x.shape == (2, 64, 96, 4)
    x = model.stem_pool(model.stem_pad(x))  # PyTorch MaxPool2d(3, 2): floor((66 - 3) / 2) + 1
    assert x.shape == (2, 32, 48, 4)
    shapes = []
    for block in model.blocks:
        x = block(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(32, 48, 4), (32, 48, 4), (16, 24, 8), (16, 24, 8),
                      (8, 12, 8), (8, 12, 8), (4, 6, 16), (4, 6, 16)]


def test_unknown_height_and_width():
    model = GANILLAGenerator(filters=4)
    model.build((None, None, None, 3))
    assert model(IMAGES).shape == (2, 64, 96, 3)
    assert model(IMAGES[:1, :32, :48]).shape == (1, 32, 48, 3)


def test_size_rule():
    model = _model()
    assert (model.size_multiple, model.min_side) == (16, 32)
    check_size_rule(model)
    with pytest.raises(ValueError, match="multiples of 16.*width 40"):
        GANILLAGenerator(filters=4).build((None, 64, 40, 3))


def test_config_round_trip():
    check_config_round_trip(GANILLAGenerator, {"filters": 4, "output_channels": 1})


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(), IMAGES, tmp_path)


def test_saved_model_serves_any_size_like_the_live_model(tmp_path):
    check_any_size_export("ganilla_generator", _model(), "translated", IMAGES,
                          IMAGES[:1, :32, :48], tmp_path)
