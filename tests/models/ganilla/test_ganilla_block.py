import keras
import numpy as np
import pytest
from harness import check_config_round_trip

from dlx_tf.models.ganilla import GANILLABlock


@pytest.mark.parametrize("in_channels, filters, strides, projected, out_shape", [
    (8, 8, 1, False, (2, 12, 20, 8)),  # identity shortcut
    (4, 8, 1, True, (2, 12, 20, 8)),  # wider: a 1×1 projection
    (8, 8, 2, True, (2, 6, 10, 8)),  # strided: a strided 1×1 projection
])
def test_shortcut_is_projected_only_where_stride_or_width_changes(in_channels, filters, strides,
                                                                 projected, out_shape):
    block = GANILLABlock(filters, strides=strides)
    x = np.random.default_rng(0).normal(size=(2, 12, 20, in_channels)).astype("float32")
    out = np.asarray(block(x))
    assert out.shape == out_shape
    assert (block.projection is not None) == projected
    # No biases: 3×3 in → f, 3×3 f → f, the concatenation's 3×3 2f → f, projection in → f.
    convs = 9 * in_channels * filters + 9 * filters * filters + 9 * 2 * filters * filters
    assert block.count_params() == convs + (in_channels * filters if projected else 0)
    assert out.min() >= 0.0  # ends in ReLU


def test_config_round_trip():
    check_config_round_trip(GANILLABlock, {"filters": 6, "strides": 2})


def test_projection_computes_the_official_strided_one_by_one_convolution():
    # Subsampling, then a 1×1 convolution (which avoids a oneDNN gradient bug), equals the
    # official stride-2 1×1 convolution, odd sizes included.
    x = np.random.default_rng(1).normal(size=(1, 7, 10, 3)).astype("float32")
    block = GANILLABlock(5, strides=2)
    block(x)
    kernel = block.projection.conv.kernel
    strided = keras.ops.conv(x, kernel, strides=2, padding="valid")  # (1, 4, 5, 5)
    np.testing.assert_allclose(block.projection.conv(x[:, ::2, ::2]), strided, atol=1e-6)
