"""Spectral normalization as Miyato et al. 2018 define it: the free weight W, a persistent
u, one power iteration per training call, and gradients through σ(W)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_keras_file_round_trip

from dlx_tf.layers import SpectralNormalization

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3)).astype("float32")
WEIGHTS = RNG.normal(size=(2, 2)).astype("float32")  # of the outputs in the loss


def _dense(kernel, u):
    layer = SpectralNormalization(keras.layers.Dense(2, use_bias=False))
    layer.build((None, 3))
    layer.layer.kernel.assign(kernel)
    layer.u.assign(u)
    return layer


def _unit(x):
    return x / np.linalg.norm(x)


def test_the_gradient_flows_through_sigma_as_computed_by_hand():
    kernel = RNG.normal(size=(3, 2)).astype("float32")
    u0 = np.array([0.6, -0.8], "float32")
    layer = _dense(kernel, u0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(X, training=True) * WEIGHTS)
    gradient = tape.gradient(loss, layer.layer.kernel).numpy()
    # One power iteration on W = kernel (inputs × outputs), then σ = vᵀ W u.
    v = _unit(kernel @ u0)
    u1 = _unit(v @ kernel)
    sigma = v @ kernel @ u1
    a = X.T @ WEIGHTS  # loss = <a, W> / σ
    expected = a / sigma - (a * kernel).sum() / sigma**2 * np.outer(v, u1)
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.u.numpy(), u1, rtol=1e-6)  # u kept for the next call
    np.testing.assert_allclose(loss, ((X @ kernel) / sigma * WEIGHTS).sum(), rtol=1e-5)


def test_training_calls_converge_to_the_largest_singular_value_and_keep_the_free_weight():
    kernel = RNG.normal(size=(3, 2)).astype("float32") * 5
    layer = _dense(kernel, np.array([1.0, 0.0], "float32"))
    layer(X)  # inference: u stays
    np.testing.assert_array_equal(layer.u.numpy(), [1.0, 0.0])
    for _ in range(50):
        layer(X, training=True)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), kernel)
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(layer(X), X @ kernel / sigma, rtol=1e-4, atol=1e-5)


def test_a_convolution_computes_with_the_normalized_kernel_and_its_bias():
    conv = keras.layers.Conv2D(4, 3, strides=2, padding="same", bias_initializer="ones")
    layer = SpectralNormalization(conv)
    images = RNG.normal(size=(2, 9, 7, 3)).astype("float32")
    layer(images, training=True)
    outputs = layer(images)  # inference computes with what `normalized_kernel` returns
    reference = keras.layers.Conv2D(4, 3, strides=2, padding="same")
    reference.build(images.shape)
    reference.set_weights([keras.ops.convert_to_numpy(layer.normalized_kernel()),
                           conv.bias.numpy()])
    np.testing.assert_allclose(outputs, reference(images), rtol=1e-5, atol=1e-5)


def test_only_dense_and_conv2d_without_activation_are_wrapped():
    with pytest.raises(ValueError, match="got Embedding"):
        SpectralNormalization(keras.layers.Embedding(4, 2))
    with pytest.raises(ValueError, match="without an activation"):
        SpectralNormalization(keras.layers.Dense(2, activation="relu"))


def test_keras_file_round_trip_keeps_u(tmp_path):
    model = keras.Sequential([keras.Input((3,)), SpectralNormalization(keras.layers.Dense(2)),
                              keras.layers.Dense(1)])
    model(X, training=True)
    check_keras_file_round_trip(model, X, tmp_path)


def _make():
    model = keras.Sequential([SpectralNormalization(keras.layers.Dense(4)),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    return model


def test_two_replicas_train_like_one(one_device, two_replicas):
    data = tf.data.Dataset.from_tensor_slices(
        (RNG.normal(size=(32, 3)).astype("float32"),
         RNG.normal(size=(32, 1)).astype("float32"))).batch(16)
    results = []
    for strategy in (one_device, two_replicas):
        keras.utils.set_random_seed(0)
        with strategy.scope():
            model = _make()
            model.build((None, 3))
        model.fit(data, epochs=2, verbose=0, shuffle=False)
        results.append([np.asarray(v) for v in model.variables])
    for one, two in zip(*results):
        np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-6)
