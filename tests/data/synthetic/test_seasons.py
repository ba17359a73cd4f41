import numpy as np
import pytest

from dlx_tf.data.synthetic.seasons import generate_scenes


def test_scenes_are_seeded_uint8_and_all_different():
    scenes = generate_scenes(24, 32, "summer", seed=3)
    assert scenes.shape == (24, 32, 32, 3) and scenes.dtype == np.uint8
    np.testing.assert_array_equal(scenes, generate_scenes(24, 32, "summer", seed=3))
    assert not np.array_equal(scenes, generate_scenes(24, 32, "summer", seed=4))
    # 8×8 block means average the pixel noise away: what is left is the layout.
    blocks = scenes.reshape(24, 4, 8, 4, 8, 3).mean((2, 4)).reshape(24, -1)
    distance = np.abs(blocks[:, None] - blocks[None]).mean(-1)
    assert distance[~np.eye(24, dtype=bool)].min() > 3


def test_winter_is_brighter_and_less_green_and_scenes_vary_within_a_season():
    summer = generate_scenes(48, 32, "summer", seed=0).mean((1, 2))  # (scenes, rgb)
    winter = generate_scenes(48, 32, "winter", seed=1).mean((1, 2))
    assert summer.mean(1).max() + 15 < winter.mean(1).min()  # every scene on its side

    def greenness(means):
        return means[:, 1] - (means[:, 0] + means[:, 2]) / 2

    assert greenness(summer).mean() > greenness(winter).mean() + 20
    assert summer.mean(1).std() > 4 and winter.mean(1).std() > 4


def test_larger_scenes_and_empty_requests_work():
    assert generate_scenes(3, 64, "winter", seed=0).shape == (3, 64, 64, 3)
    assert generate_scenes(0, 16, "summer", seed=0).shape == (0, 16, 16, 3)


def test_unknown_season_is_refused():
    with pytest.raises(ValueError, match="season must be one of"):
        generate_scenes(2, 16, "autumn", seed=0)
