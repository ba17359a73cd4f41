import keras
import numpy as np
import pytest
from harness import (
    check_any_size_export,
    check_config_round_trip,
    check_keras_file_round_trip,
    check_size_rule,
)

from dlx_tf.models.cyclegan import CycleGANGenerator

# Small and non-square on purpose: nothing may assume 256×256.
IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 20, 12, 3)).astype("float32")


def _model(**kwargs):
    model = CycleGANGenerator(filters=4, num_residual_blocks=1, **kwargs)
    model(IMAGES)
    return model


def test_config_round_trip():
    check_config_round_trip(
        CycleGANGenerator, {"filters": 4, "num_residual_blocks": 2, "output_channels": 1}
    )


def test_output_shape_and_range():
    images = keras.ops.convert_to_numpy(_model(output_channels=2)(IMAGES))
    assert images.shape == (2, 20, 12, 2)
    assert np.all(np.abs(images) <= 1.0)


def test_unknown_height_and_width():
    model = CycleGANGenerator(filters=4, num_residual_blocks=1)
    model.build((None, None, None, 3))
    assert model(IMAGES).shape == (2, 20, 12, 3)
    assert model(IMAGES[:1, :8, :8]).shape == (1, 8, 8, 3)


def test_upsampling_doubles_sizes_exactly():
    model = _model()
    x = np.zeros((1, 5, 3, 16), "float32")  # the residual blocks' size for a 20×12 image
    x = model.upsampling[0](x)
    assert x.shape == (1, 10, 6, 8)
    assert model.upsampling[1](x).shape == (1, 20, 12, 4)


def test_rejects_sizes_not_multiples_of_four():
    with pytest.raises(ValueError, match="multiples of 4.*height 22"):
        _model()(np.zeros((1, 22, 12, 3), "float32"))
    with pytest.raises(ValueError, match="multiples of 4.*width 10"):
        CycleGANGenerator(filters=4, num_residual_blocks=1).build((None, 20, 10, 3))


def test_size_rule():
    model = _model()
    assert (model.size_multiple, model.min_side) == (4, 8)
    check_size_rule(model)


@pytest.mark.parametrize(
    "num_residual_blocks, size, parameters", [(9, 256, 11_378_179), (6, 128, 7_837_699)]
)
def test_official_parameter_count(num_residual_blocks, size, parameters):
    model = CycleGANGenerator(num_residual_blocks=num_residual_blocks)
    model.build((None, size, size, 3))
    assert model.count_params() == parameters
    # Instance norm without affine parameters or running statistics: only convolutions.
    num_convs = 1 + 2 + 2 * num_residual_blocks + 2 + 1
    names = [w.path.split("/")[-1] for w in model.trainable_weights]
    assert sorted(names) == ["bias"] * num_convs + ["kernel"] * num_convs
    assert model.non_trainable_weights == []


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(), IMAGES, tmp_path)


def test_saved_model_serves_any_size_like_the_live_model(tmp_path):
    check_any_size_export("cyclegan_generator", _model(), "translated", IMAGES,
                          IMAGES[:1, :8, :12], tmp_path)
