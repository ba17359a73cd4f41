import hashlib
import time

import numpy as np
import pytest

from dlx_tf.data.synthetic import seasons
from dlx_tf.data.synthetic.seasons import (
    LABEL_CLASSES,
    LABEL_COLOURS,
    generate_scenes,
    label_images,
    scene_labels,
)

SKY, MOUNTAIN, HILL, LAKE, TREE = range(5)


@pytest.mark.parametrize("case, digest", [
    ((4, 32, "summer", 0), "dbfd8522f6e33a6bea0b39e13d46aed8657f39fec7daee5f9e8f99692068c7b9"),
    ((4, 32, "winter", 1), "ce09498cd2ab099c383a853a7feb3184c544ace1976097c156ced90ae56ce199"),
])
def test_scenes_stay_bit_for_bit_what_the_cyclegan_results_were_measured_on(case, digest):
    # Hashes of the renderer before the label maps shared its geometry; NumPy 2.4.6, x86-64.
    assert hashlib.sha256(generate_scenes(*case).tobytes()).hexdigest() == digest


def test_labels_are_seeded_uint8_class_ids_and_every_class_occurs():
    labels = scene_labels(60, 32, seed=2)
    assert labels.shape == (60, 32, 32) and labels.dtype == np.uint8
    np.testing.assert_array_equal(labels, scene_labels(60, 32, seed=2))
    assert not np.array_equal(labels, scene_labels(60, 32, seed=3))
    assert LABEL_CLASSES == ("sky", "mountain", "hill", "lake", "tree")
    assert set(np.unique(labels)) == set(range(len(LABEL_CLASSES)))
    assert (labels[:, 0] == SKY).mean() > 0.95 and (labels[:, -1] != SKY).all()
    assert scene_labels(0, 16, seed=0).shape == (0, 16, 16)


@pytest.mark.parametrize("season", ["summer", "winter"])
def test_label_edges_are_where_the_painted_scene_changes(season):
    images = generate_scenes(100, 32, season, seed=6).astype(np.float32)
    labels = scene_labels(100, 32, seed=6).astype(np.int32)

    def contrast(labels):  # colour step across label edges over the step inside regions
        step = np.abs(np.diff(images, axis=1)).sum(-1)
        edge = np.diff(labels, axis=1) != 0
        return step[edge].mean() / step[~edge].mean()

    assert contrast(labels) > 2.3  # measured 2.8 summer, 3.0 winter
    assert contrast(np.roll(labels, 1, axis=1)) < 1.5  # one row off: measured 1.0, 1.2


def test_class_colours_in_the_scenes():
    summer = generate_scenes(100, 32, "summer", seed=4).astype(np.float32)
    winter = generate_scenes(100, 32, "winter", seed=4).astype(np.float32)
    labels = scene_labels(100, 32, seed=4)
    means = {season: np.stack([images[labels == c].mean(0) for c in range(5)])  # (class, rgb)
             for season, images in (("summer", summer), ("winter", winter))}
    brightness = means["summer"].sum(1)
    assert list(np.argsort(brightness)) == [TREE, HILL, MOUNTAIN, LAKE, SKY]
    blue = means["summer"][:, 2] - means["summer"][:, :2].mean(1)
    assert min(blue[SKY], blue[LAKE]) > max(blue[MOUNTAIN], blue[HILL], blue[TREE]) + 30
    green = means["summer"][:, 1] - means["summer"][:, [0, 2]].max(1)
    assert green[HILL] > 40 and green[TREE] > 40
    # Snow everywhere but under the dark conifers and trunks.
    winter_brightness = means["winter"].sum(1)
    assert winter_brightness[TREE] + 100 < np.delete(winter_brightness, TREE).min()


def test_tree_pixels_are_the_tree_paint():
    # Trees overwrite the scene with flat colours and no texture: labelled tree pixels are
    # one of the scene's trunk, conifer and leaf colours plus the plain pixel noise
    # (σ = 0.02 × 255 ≈ 5), unlike the textured hills in the same greens.
    _, style, _ = seasons._scene_draws(100, "summer", 2)
    images = generate_scenes(100, 32, "summer", seed=2).astype(np.float32)
    labels = scene_labels(100, 32, seed=2)
    paints = np.stack([style[name] for name in ("trunk", "conifer", "leaves")], 1)[..., 0, 0]
    paints *= style["light"][:, None, :, 0, 0] * 255  # (scenes, 3 paints, rgb)

    def distance_to_paint(label):
        scene, row, col = np.nonzero(labels == label)
        gap = np.abs(images[scene, row, col][:, None] - paints[scene]).max(-1).min(-1)
        return np.sqrt((gap**2).mean())

    assert distance_to_paint(TREE) < 6.5  # measured 5.4
    assert distance_to_paint(HILL) > 20  # measured 27.8


def test_label_images_are_flat_colours_unlike_the_scenes():
    labels = scene_labels(50, 32, seed=1)
    maps = label_images(labels)
    assert maps.shape == (50, 32, 32, 3) and maps.dtype == np.uint8
    np.testing.assert_array_equal(maps, LABEL_COLOURS[labels])
    assert len({tuple(colour) for colour in LABEL_COLOURS}) == len(LABEL_CLASSES)
    scenes = generate_scenes(50, 32, "summer", seed=1).astype(np.float32)
    for c in range(len(LABEL_CLASSES)):
        scene_colour = scenes[labels == c].mean(0)
        assert np.abs(LABEL_COLOURS[c] - scene_colour).max() > 100, LABEL_CLASSES[c]


def test_a_thousand_label_maps_are_fast():
    start = time.perf_counter()
    scene_labels(1000, 64, seed=0)
    assert time.perf_counter() - start < 2.0  # measured 0.07 s
