import numpy as np
import pytest

from dlx_tf.data.synthetic.seasons import ATTRIBUTE_NAMES, generate_scenes, scene_attributes


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


def test_attributes_are_seeded_and_shared_by_both_seasons_but_the_style():
    summer, winter = scene_attributes(40, 7, "summer"), scene_attributes(40, 7, "winter")
    assert summer.shape == (40, len(ATTRIBUTE_NAMES)) == (40, 26) and summer.dtype == np.float32
    np.testing.assert_array_equal(summer, scene_attributes(40, 7, "summer"))
    column = {name: i for i, name in enumerate(ATTRIBUTE_NAMES)}
    assert (summer[:, column["season"]] == 0).all() and (winter[:, column["season"]] == 1).all()
    layout = slice(column["horizon"], column["tree_mean_x"] + 1)  # same seed, same layout
    np.testing.assert_array_equal(summer[:, layout], winter[:, layout])
    style = slice(column["snow_line"], None)
    assert not np.allclose(summer[:, style], winter[:, style])
    snow_line = column["snow_line"]
    assert (summer[:, snow_line] == 0).all() and (winter[:, snow_line] > 0).all()
    assert scene_attributes(0, 0, "winter").shape == (0, 26)
    with pytest.raises(ValueError, match="season must be one of"):
        scene_attributes(2, 0, "autumn")


def test_attributes_describe_the_drawn_scenes():
    images = generate_scenes(300, 64, "summer", seed=5).astype(np.int32)
    values = dict(zip(ATTRIBUTE_NAMES, scene_attributes(300, 5, "summer").T))
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    sun, lake = values["sun"] == 1, values["lake"] == 1
    assert 0.2 < sun.mean() < 0.8 and 0.2 < lake.mean() < 0.6
    # A summer sun is the only yellow in the upper sky (y < 0.375), glow included.
    yellow = ((red - blue > 90) & (red > 200))[:, :24].any((1, 2))
    assert (yellow == sun).mean() > 0.98  # measured 1.0
    # Lakes are the only strong blue below the sky.
    water = ((blue - green > 40) & (blue - red > 60))[:, 36:].sum((1, 2)) > 3
    assert (water == lake).mean() > 0.97  # measured 0.99
    scenes = np.arange(300)

    def at(x, y):
        return images[scenes, np.clip((y * 64).astype(int), 0, 63),
                      np.clip((x * 64).astype(int), 0, 63)]  # (300, 3)

    sun_pixel = at(values["sun_x"], values["sun_y"])  # unless a cloud or peak covers it
    assert (sun_pixel[sun, 0] - sun_pixel[sun, 2] > 90).mean() > 0.9  # measured 0.96
    lake_pixel = at(values["lake_x"], values["lake_y"])  # unless a tree stands in front
    assert (lake_pixel[lake, 2] - lake_pixel[lake, 1] > 30).mean() > 0.85  # measured 0.90
    absent = ("sun_x", "sun_y", "sun_radius")
    assert all((values[name][~sun] == 0).all() for name in absent)
    assert ((values["trees"] == 0) == (values["tree_mean_x"] == 0)).all()
