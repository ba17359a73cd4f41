import keras
import numpy as np
from harness import check_config_round_trip

from dlx_tf.models.pix2pix.input_seeded_dropout import InputSeededDropout, image_seeds

IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 8, 6, 3)).astype("float32")
FEATURES = np.ones((2, 16, 16, 8), "float32")


def _masks(dropout, images, training=False):
    return keras.ops.convert_to_numpy(dropout(FEATURES[: len(images)], image_seeds(images),
                                              training=training))


def test_config_round_trip():
    check_config_round_trip(InputSeededDropout, {"rate": 0.25, "seed": 3})


def test_image_seeds_are_exact_per_image_sums():
    seeds = keras.ops.convert_to_numpy(image_seeds(IMAGES))
    pixels = np.round((IMAGES + 1) * 127.5).astype(np.int64).reshape(2, -1)
    np.testing.assert_array_equal(seeds[:, 0], pixels.sum(axis=1))
    np.testing.assert_array_equal(seeds[:, 1], (pixels * np.arange(1, 145)).sum(axis=1))
    np.testing.assert_array_equal(image_seeds(IMAGES[1:]), seeds[1:])


def test_inference_masks_depend_only_on_the_image():
    dropout = InputSeededDropout(0.5, seed=1)
    masks = _masks(dropout, IMAGES)
    assert set(np.unique(masks)) == {0.0, 2.0}  # kept units are scaled by 1 / (1 - rate)
    assert abs((masks == 0).mean() - 0.5) < 0.05
    assert (masks[0] != masks[1]).mean() > 0.4  # two images: independent masks
    np.testing.assert_array_equal(_masks(dropout, IMAGES), masks)  # same request, same answer
    np.testing.assert_array_equal(_masks(dropout, IMAGES[1:]), masks[1:])  # batch mates
    other_layer = _masks(InputSeededDropout(0.5, seed=2), IMAGES)
    assert (other_layer != masks).mean() > 0.4


def test_training_draws_fresh_masks_every_step():
    dropout = InputSeededDropout(0.5, seed=1)
    first, second = _masks(dropout, IMAGES, True), _masks(dropout, IMAGES, True)
    assert (first != second).mean() > 0.4
    assert (first != _masks(dropout, IMAGES)).mean() > 0.4


def test_rate_zero_is_the_identity():
    np.testing.assert_array_equal(_masks(InputSeededDropout(0.0), IMAGES), FEATURES[:2])
