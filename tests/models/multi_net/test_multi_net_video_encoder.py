import numpy as np
import pytest
from harness import check_config_round_trip

from dlx_tf.errors import DataError
from dlx_tf.models.multi_net import MultiNetVideoEncoder


def test_one_token_per_frame_and_parameters_from_the_layer_shapes(clips):
    encoder = MultiNetVideoEncoder(token_dim=10, filters=(4, 8))
    tokens = encoder(clips["frames"])
    assert tuple(tokens.shape) == (3, 3, 10)
    convolutions = 9 * 3 * 4 + 9 * 4 * 8  # no biases: batch norm follows
    batch_norms = 4 * (4 + 8)  # gamma, beta, moving mean and variance
    assert encoder.count_params() == convolutions + batch_norms + 8 * 10 + 10


def test_frames_are_encoded_independently(clips):
    encoder = MultiNetVideoEncoder(token_dim=10, filters=(4, 8))
    first = np.asarray(encoder(clips["frames"]))
    changed = clips["frames"].copy()
    changed[:, 2] = 255 - changed[:, 2]
    second = np.asarray(encoder(changed))
    np.testing.assert_allclose(second[:, :2], first[:, :2], rtol=1e-5, atol=1e-6)
    assert not np.allclose(second[:, 2], first[:, 2])


def test_config_round_trip():
    check_config_round_trip(MultiNetVideoEncoder, {"token_dim": 10, "filters": (4, 8)})


def test_images_without_a_frame_axis_are_refused():
    with pytest.raises(DataError, match=r"\[batch, frames, height, width, 3\]"):
        MultiNetVideoEncoder(token_dim=10)(np.zeros((2, 20, 28, 3), "uint8"))
