import numpy as np
import pytest
from harness import check_config_round_trip

from dlx_tf.errors import DataError
from dlx_tf.models.multi_net import MultiNetAudioEncoder


def _encoder():
    return MultiNetAudioEncoder(token_dim=10, width=4, stackwise_num_blocks=(1, 1),
                                num_mel_bins=16)


def test_time_stays_as_the_token_axis(clips):
    tokens = _encoder()(clips["audio"], clips["has_audio"])
    # 8000 samples: 1 + (8000 - 400) // 160 = 48 log-mel frames, /8 by the 2-stage ResNet.
    assert tuple(tokens.shape) == (3, 6, 10)


def test_silent_clips_get_the_learned_no_audio_token(clips):
    encoder = _encoder()
    encoder(clips["audio"], clips["has_audio"])
    encoder.no_audio_token.assign(np.arange(10, dtype="float32"))
    tokens = np.asarray(encoder(clips["audio"], clips["has_audio"]))
    np.testing.assert_array_equal(tokens[1], np.tile(np.arange(10), (6, 1)))
    assert not np.allclose(tokens[0], tokens[1])


def test_config_round_trip():
    check_config_round_trip(MultiNetAudioEncoder, {
        "token_dim": 10, "width": 4, "stackwise_num_blocks": (1, 2), "num_mel_bins": 16,
        "sample_rate": 8000, "input_mean": -3.0, "input_std": 2.0})


def test_a_waveform_without_a_batch_axis_is_refused():
    with pytest.raises(DataError, match=r"\[batch, samples\]"):
        _encoder()(np.zeros((8000,), "float32"), np.ones((1,), bool))
