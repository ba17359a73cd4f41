import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.layers import ReflectionPadding2D

IMAGES = np.random.default_rng(0).normal(size=(2, 5, 4, 3)).astype("float32")


@pytest.mark.parametrize(
    "padding, numpy_padding",
    [(2, ((2, 2), (2, 2))), ((1, 3), ((1, 1), (3, 3))), (((1, 2), (3, 0)), ((1, 2), (3, 0)))],
)
def test_matches_numpy_reflect(padding, numpy_padding):
    expected = np.pad(IMAGES, ((0, 0), *numpy_padding, (0, 0)), mode="reflect")
    padded = keras.ops.convert_to_numpy(ReflectionPadding2D(padding)(IMAGES))
    np.testing.assert_array_equal(padded, expected)


def test_output_shape_keeps_unknown_sizes():
    layer = ReflectionPadding2D(((1, 2), (3, 0)))
    assert layer.compute_output_shape((None, 5, None, 3)) == (None, 8, None, 3)
    assert layer(keras.KerasTensor((None, 5, None, 3))).shape == (None, 8, None, 3)


def test_rejects_bad_padding():
    with pytest.raises(ValueError, match="non-negative ints"):
        ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match="non-negative ints"):
        ReflectionPadding2D(((1, 2, 3), (1, 1)))


def test_config_round_trip():
    check_config_round_trip(ReflectionPadding2D, {"padding": [[1, 2], [3, 0]]})


def test_keras_file_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((None, None, 3)), ReflectionPadding2D((2, 1))])
    check_keras_file_round_trip(model, IMAGES, tmp_path)
