import numpy as np
import pytest
from harness import check_config_round_trip

from dlx_tf.errors import UsageError
from dlx_tf.models.multi_net import MultiNetFusion

RNG = np.random.default_rng(0)
FRAME_TOKENS = RNG.normal(size=(2, 3, 8)).astype("float32")
AUDIO_TOKENS = RNG.normal(size=(2, 5, 8)).astype("float32")


def _fusion(mode="fusion"):
    return MultiNetFusion(hidden_dim=8, num_layers=2, num_heads=2, intermediate_dim=12,
                          max_video_tokens=4, max_audio_tokens=6, mode=mode)


def test_parameters_from_the_layer_shapes():
    fusion = _fusion()
    assert tuple(fusion(FRAME_TOKENS, AUDIO_TOKENS).shape) == (2, 8)
    d, ff = 8, 12
    block = 4 * (d * d + d) + 2 * (2 * d) + (d * ff + ff) + (ff * d + d)  # q k v o, 2 norms, MLP
    tables = d + 2 * d + (4 + 6) * d  # [CLS], modalities, positions
    token_norms = 2 * (2 * d)  # video and audio
    assert fusion.count_params() == 2 * block + tables + token_norms + 2 * d


@pytest.mark.parametrize("mode, audio_matters", [("fusion", True), ("video_only", False),
                                                 ("video_mean_pool", False)])
def test_audio_reaches_the_clip_vector_only_when_fused(mode, audio_matters):
    fusion = _fusion(mode)
    first = np.asarray(fusion(FRAME_TOKENS, AUDIO_TOKENS))
    # A random change: the blocks' layer norms would cancel a constant shift of every token.
    second = np.asarray(fusion(FRAME_TOKENS, AUDIO_TOKENS[::-1]))
    assert not np.allclose(first, second) if audio_matters else np.allclose(first, second)


def test_audio_only_ignores_the_frames():
    fusion = _fusion("audio_only")
    first = np.asarray(fusion(FRAME_TOKENS, AUDIO_TOKENS))
    np.testing.assert_allclose(np.asarray(fusion(FRAME_TOKENS[::-1], AUDIO_TOKENS)), first)


def test_video_mean_pool_is_the_mean_of_the_frame_tokens():
    pooled = np.asarray(_fusion("video_mean_pool")(FRAME_TOKENS, AUDIO_TOKENS))
    np.testing.assert_allclose(pooled, FRAME_TOKENS.mean(axis=1), rtol=1e-6)


def test_config_round_trip():
    check_config_round_trip(MultiNetFusion, {
        "hidden_dim": 8, "num_layers": 2, "num_heads": 2, "intermediate_dim": 12,
        "max_video_tokens": 4, "max_audio_tokens": 6, "mode": "video_only", "dropout": 0.1})


def test_bad_settings_are_refused():
    with pytest.raises(UsageError, match="mode must be one of"):
        _fusion("late")
    with pytest.raises(UsageError, match="max_audio_tokens is 6; got 7"):
        _fusion()(FRAME_TOKENS, np.zeros((2, 7, 8), "float32"))
    with pytest.raises(UsageError, match="'audio_only' needs audio tokens"):
        _fusion("audio_only")(FRAME_TOKENS)
