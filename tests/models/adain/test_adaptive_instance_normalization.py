import keras
import numpy as np
import pytest
from harness import check_config_round_trip

from dlx_tf.models.adain import AdaptiveInstanceNormalization

RNG = np.random.default_rng(0)
# Content and style of different sizes, non-square: statistics are per image and channel.
CONTENT = RNG.normal(1.0, 2.0, (3, 5, 4, 6)).astype("float32")
STYLE = RNG.normal(-3.0, 0.5, (3, 7, 3, 6)).astype("float32")


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_matches_a_hand_computation():
    # One 2×2 image, two channels; epsilon 1 so its place (inside the root, both sides) shows.
    content = np.array([[[[1, 0], [3, 0]], [[5, 0], [7, 4]]]], "float32")
    style = np.array([[[[2, 10], [2, 20]], [[6, 10], [6, 20]]]], "float32")
    # Biased variances. Channel 0: content [1, 3, 5, 7] mean 4, variance 5;
    # style [2, 2, 6, 6] mean 4, variance 4. Channel 1: content [0, 0, 0, 4] mean 1,
    # variance 3; style [10, 20, 10, 20] mean 15, variance 25.
    expected = np.stack([
        np.sqrt(4 + 1) * (content[..., 0] - 4) / np.sqrt(5 + 1) + 4,
        np.sqrt(25 + 1) * (content[..., 1] - 1) / np.sqrt(3 + 1) + 15,
    ], axis=-1)
    output = AdaptiveInstanceNormalization(epsilon=1.0)(content, style)
    np.testing.assert_allclose(_numpy(output), expected, rtol=1e-6)


def test_output_has_the_style_statistics():
    output = _numpy(AdaptiveInstanceNormalization()(CONTENT, STYLE))
    assert output.shape == CONTENT.shape
    np.testing.assert_allclose(output.mean(axis=(1, 2)), STYLE.mean(axis=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(output.std(axis=(1, 2)), STYLE.std(axis=(1, 2)), rtol=1e-4)


def test_alpha_zero_returns_the_content_exactly():
    np.testing.assert_array_equal(
        _numpy(AdaptiveInstanceNormalization()(CONTENT, STYLE, alpha=0.0)), CONTENT)


def test_alpha_per_image_blends_each_image_with_its_own_weight():
    adain = AdaptiveInstanceNormalization()
    target = _numpy(adain(CONTENT, STYLE))
    alpha = np.array([0.0, 0.25, 1.0], "float32")
    blended = _numpy(adain(CONTENT, STYLE, alpha=alpha))
    for image, weight in enumerate(alpha):
        np.testing.assert_allclose(
            blended[image], weight * target[image] + (1 - weight) * CONTENT[image],
            rtol=1e-6, atol=1e-6)
    # A scalar tensor is one weight for the whole batch.
    np.testing.assert_allclose(
        _numpy(adain(CONTENT, STYLE, alpha=keras.ops.convert_to_tensor(0.25))),
        0.25 * target + 0.75 * CONTENT, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("content_dtype, scale", [
    ("float16", 300.0),  # variance ~9e4 overflows float16 (max 65504)
    ("float32", 1e5),  # values themselves overflow float16: not cast on entry
])
def test_statistics_in_float32_under_mixed_precision(content_dtype, scale):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        adain = AdaptiveInstanceNormalization()
        output = adain(keras.ops.cast(CONTENT * scale, content_dtype),
                       keras.ops.cast(STYLE, "float16"))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert output.dtype == "float16"
    output = _numpy(output).astype("float32")
    np.testing.assert_allclose(output.mean(axis=(1, 2)), STYLE.mean(axis=(1, 2)), atol=1e-2)
    np.testing.assert_allclose(output.std(axis=(1, 2)), STYLE.std(axis=(1, 2)), rtol=1e-2)


def test_refuses_alpha_outside_zero_one():
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\]; got 1.5"):
        AdaptiveInstanceNormalization()(CONTENT, STYLE, alpha=1.5)


def test_config_round_trip():
    check_config_round_trip(AdaptiveInstanceNormalization, {"epsilon": 1e-3})
    assert AdaptiveInstanceNormalization().compute_output_shape(
        (None, 5, 4, 6), (None, 7, 3, 6)) == (None, 5, 4, 6)
