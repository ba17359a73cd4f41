import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.losses.style import (
    adain_style_loss,
    channel_statistics,
    content_loss,
    gram_matrix,
    style_loss,
    total_variation_loss,
)

RNG = np.random.default_rng(0)
# One image, 1×2 positions, 2 channels: F (positions × channels) = [[1, 2], [3, 4]].
TWO_POSITIONS = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], "float32")


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_gram_matrix_by_hand():
    # FᵀF = [[1·1 + 3·3, 1·2 + 3·4], [2·1 + 4·3, 2·2 + 4·4]] = [[10, 14], [14, 20]]
    np.testing.assert_allclose(_numpy(gram_matrix(TWO_POSITIONS)), [[[10, 14], [14, 20]]])


def test_gram_matrix_is_symmetric_with_shape_batch_channels_channels():
    features = RNG.normal(size=(2, 3, 5, 4)).astype("float32")
    gram = _numpy(gram_matrix(features))
    assert gram.shape == (2, 4, 4)
    np.testing.assert_allclose(gram, np.transpose(gram, (0, 2, 1)))
    flat = features.reshape(2, 15, 4)
    np.testing.assert_allclose(gram, flat.transpose(0, 2, 1) @ flat, rtol=1e-5)


def test_style_loss_by_hand():
    # Layer a: G = [[10, 14], [14, 20]], A = [[9, 14], [14, 21]]: Σ(G - A)² = 1 + 1 = 2;
    # N = 2 channels, M = 2 positions: E = 2 / (4·2²·2²) = 1/32; weight 0.5 → 1/64.
    # Layer b: one position, one channel of value 3: G = 9, A = 5: E = 16 / (4·1·1) = 4;
    # weight 0.25 → 1. Total 1 + 1/64.
    features = {"a": TWO_POSITIONS, "b": np.full((1, 1, 1, 1), 3.0, "float32")}
    grams = {"a": np.array([[[9.0, 14.0], [14.0, 21.0]]], "float32"),
             "b": np.full((1, 1, 1), 5.0, "float32")}
    value = style_loss(features, grams, {"a": 0.5, "b": 0.25})
    np.testing.assert_allclose(_numpy(value), [1 + 1 / 64])


def test_style_loss_is_zero_on_the_style_images_own_grams():
    features = {"relu1_1": RNG.normal(size=(2, 4, 6, 3)).astype("float32")}
    grams = {"relu1_1": gram_matrix(features["relu1_1"])}
    np.testing.assert_allclose(_numpy(style_loss(features, grams, {"relu1_1": 1.0})), [0, 0])


def test_content_loss_by_hand():
    # Differences 1, 0, 0, -2: ½ Σ squares = ½·5 = 2.5 (Gatys); mean of squares 5/4.
    target = np.array([[[[0.0, 2.0], [3.0, 6.0]]]], "float32")
    np.testing.assert_allclose(_numpy(content_loss(TWO_POSITIONS, target)), [2.5])
    np.testing.assert_allclose(_numpy(content_loss(TWO_POSITIONS, target, "mean")), [1.25])
    with pytest.raises(ValueError, match="reduction"):
        content_loss(TWO_POSITIONS, target, "sum")


def test_total_variation_by_hand_and_against_tf_image():
    # Rows [1, 2, 4] and [0, 3, 9]. Vertical differences -1, 1, 5; horizontal 1, 2, 3, 6.
    # Absolute: 7 + 12 = 19. Squared: (1 + 1 + 25) + (1 + 4 + 9 + 36) = 77.
    image = np.array([[1.0, 2.0, 4.0], [0.0, 3.0, 9.0]], "float32")[None, :, :, None]
    np.testing.assert_allclose(_numpy(total_variation_loss(image)), [19])
    np.testing.assert_allclose(_numpy(total_variation_loss(image, squared=True)), [77])
    images = RNG.uniform(size=(2, 5, 7, 3)).astype("float32")
    np.testing.assert_allclose(_numpy(total_variation_loss(images)),
                               tf.image.total_variation(tf.constant(images)).numpy(), rtol=1e-5)


def test_channel_statistics_by_hand_and_against_numpy():
    # Channel 0 holds 1, 3, 5, 7: mean 4, variance (9 + 1 + 1 + 9)/4 = 5.
    # Channel 1 holds 2 everywhere: mean 2, variance 0, so σ = sqrt(ε) = 0.1 for ε = 0.01.
    features = np.stack([np.array([[1.0, 3.0], [5.0, 7.0]]), np.full((2, 2), 2.0)], -1)
    mean, std = channel_statistics(features[None].astype("float32"), epsilon=0.01)
    np.testing.assert_allclose(_numpy(mean), [[4, 2]])
    np.testing.assert_allclose(_numpy(std), [[np.sqrt(5.01), 0.1]], rtol=1e-6)
    features = RNG.normal(size=(3, 4, 5, 6)).astype("float32")
    mean, std = channel_statistics(features, epsilon=1e-5)
    np.testing.assert_allclose(_numpy(mean), features.mean(axis=(1, 2)), atol=1e-6)
    np.testing.assert_allclose(_numpy(std), np.sqrt(features.var(axis=(1, 2)) + 1e-5),
                               rtol=1e-5)


def test_adain_style_loss_by_hand():
    # Generated: channel 0 = 1, 3, 5, 7 (μ 4, σ √5), channel 1 = 2, 2, 2, 2 (μ 2, σ 0).
    # Style: channel 0 = 0 everywhere (μ 0, σ 0), channel 1 = 1, 3, 1, 3 (μ 2, σ 1).
    # With ε = 0: mean gaps (4, 0), std gaps (√5, -1).
    # Eq. 12 norms: ‖(4, 0)‖ + ‖(√5, -1)‖ = 4 + √6. Squared: 16 + 6 = 22. Two layers: ×2.
    generated = np.stack([np.array([[1.0, 3.0], [5.0, 7.0]]), np.full((2, 2), 2.0)], -1)
    style = np.stack([np.zeros((2, 2)), np.array([[1.0, 3.0], [1.0, 3.0]])], -1)
    generated = {name: generated[None].astype("float32") for name in ("a", "b")}
    style = {name: style[None].astype("float32") for name in ("a", "b")}
    value = adain_style_loss(generated, style, epsilon=0.0)
    np.testing.assert_allclose(_numpy(value), [2 * (4 + np.sqrt(6))], rtol=1e-6)
    squared = adain_style_loss(generated, style, distance="squared", epsilon=0.0)
    np.testing.assert_allclose(_numpy(squared), [44], rtol=1e-6)
    with pytest.raises(ValueError, match="distance"):
        adain_style_loss(generated, style, distance="mse")


def test_adain_style_loss_compares_statistics_across_sizes_with_finite_gradients():
    style = {"relu1_1": RNG.normal(size=(2, 6, 4, 3)).astype("float32")}
    tiled = tf.Variable(np.tile(style["relu1_1"], (1, 2, 3, 1)))  # same μ and σ, 12×12
    with tf.GradientTape() as tape:
        value = adain_style_loss({"relu1_1": tiled}, style)
    gradient = tape.gradient(value, tiled).numpy()
    np.testing.assert_allclose(value.numpy(), [0, 0], atol=1e-5)
    assert np.all(np.isfinite(gradient))
