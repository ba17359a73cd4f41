import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.layers import ConvNormActivation, SpectralNormalization

RNG = np.random.default_rng(0)
IMAGES = RNG.normal(size=(2, 20, 12, 3)).astype("float32")


def _torch_conv2d(x, kernel, bias, stride, padding, mode):
    """torch.nn.Conv2d(padding_mode=mode) in numpy; `kernel` is (kh, kw, in, out)."""
    pad = ((0, 0), (padding, padding), (padding, padding), (0, 0))
    x = np.pad(x, pad, mode="reflect" if mode == "reflect" else "constant")
    k = kernel.shape[0]
    out_h = (x.shape[1] - k) // stride + 1
    out_w = (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, i, j] = np.einsum("bhwc,hwco->bo", patch, kernel)
    return out + bias


def _torch_conv_transpose2d(x, kernel, bias, stride, padding, output_padding):
    """torch.nn.ConvTranspose2d in numpy; `kernel` is Keras's (kh, kw, out, in)."""
    batch, height, width, _ = x.shape
    k = kernel.shape[0]
    full = np.zeros((batch, (height - 1) * stride + k, (width - 1) * stride + k, kernel.shape[2]))
    for i in range(height):
        for j in range(width):
            full[:, i * stride:i * stride + k, j * stride:j * stride + k] += np.einsum(
                "bc,hwoc->bhwo", x[:, i, j], kernel
            )
    out_h = (height - 1) * stride - 2 * padding + k + output_padding
    out_w = (width - 1) * stride - 2 * padding + k + output_padding
    full = np.pad(full, ((0, 0), (0, output_padding), (0, output_padding), (0, 0)))
    return full[:, padding:padding + out_h, padding:padding + out_w] + bias


def _plain(**kwargs):
    """The block with neither norm nor activation, with a non-zero bias."""
    block = ConvNormActivation(normalization=None, activation=None, **kwargs)
    block.build(IMAGES.shape)
    block.conv.bias.assign(RNG.normal(size=block.conv.bias.shape))
    return block


@pytest.mark.parametrize(
    "kernel_size, strides, padding, mode",
    [(3, 2, 1, "zeros"), (4, 2, 1, "zeros"), (4, 1, 1, "zeros"), (7, 1, 3, "reflect")],
)
def test_convolution_matches_pytorch_padding(kernel_size, strides, padding, mode):
    block = _plain(filters=5, kernel_size=kernel_size, strides=strides, padding=padding,
                   padding_mode=mode)
    expected = _torch_conv2d(IMAGES, block.conv.kernel.numpy(), block.conv.bias.numpy(),
                             strides, padding, mode)
    out = keras.ops.convert_to_numpy(block(IMAGES))
    assert out.shape == expected.shape
    assert block.compute_output_shape(IMAGES.shape) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_transposed_convolution_doubles_sizes_aligned_like_pytorch():
    block = _plain(filters=5, kernel_size=3, strides=2, padding=1, output_padding=1,
                   transposed=True)
    expected = _torch_conv_transpose2d(IMAGES, block.conv.kernel.numpy(),
                                       block.conv.bias.numpy(), 2, 1, 1)
    out = keras.ops.convert_to_numpy(block(IMAGES))
    assert out.shape == expected.shape == (2, 40, 24, 5)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    assert block(keras.KerasTensor((None, None, 7, 3))).shape == (None, None, 14, 5)


def test_instance_norm_is_per_image_and_channel_without_weights():
    block = ConvNormActivation(6, 3, padding=1, activation=None)
    out = keras.ops.convert_to_numpy(block(IMAGES * 3.0 + 1.0))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-5)
    conv = keras.ops.convert_to_numpy(block.conv(block.pad(IMAGES * 3.0 + 1.0)))
    variance = conv.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out.var(axis=(1, 2)), (variance / (variance + 1e-5))[:, 0, 0],
                               rtol=1e-4)
    assert [w.path.split("/")[-1] for w in block.weights] == ["kernel", "bias"]
    assert block.non_trainable_weights == []


def test_initialization_and_leaky_relu_slope():
    block = ConvNormActivation(64, 3, normalization=None, activation="leaky_relu")
    block.build((None, 8, 8, 64))
    assert abs(float(np.std(block.conv.kernel.numpy())) - 0.02) < 0.001
    assert abs(float(np.mean(block.conv.kernel.numpy()))) < 0.001
    np.testing.assert_array_equal(block.conv.bias.numpy(), 0.0)
    # The official discriminator uses nn.LeakyReLU(0.2).
    np.testing.assert_allclose(block.act(np.array([-1.0, 2.0], "float32")), [-0.2, 2.0])


def test_initializers_can_be_chosen():
    block = ConvNormActivation(8, 3, kernel_initializer="ones",
                               bias_initializer=keras.initializers.Constant(0.5))
    block.build((None, 8, 8, 2))
    np.testing.assert_array_equal(block.conv.kernel.numpy(), 1.0)
    np.testing.assert_array_equal(block.conv.bias.numpy(), 0.5)


def test_batch_norm_uses_pytorch_defaults():
    block = ConvNormActivation(4, 3, normalization="batch")
    block.build((None, 8, 8, 3))
    assert (block.norm.momentum, block.norm.epsilon) == (0.9, 1e-5)


def test_layer_norm_is_per_image_over_all_axes_with_per_channel_weights():
    # Gulrajani et al.'s tflib Layernorm: moments over (C, H, W), scale/offset per channel.
    block = ConvNormActivation(6, 3, padding=1, normalization="layer", activation=None)
    out = keras.ops.convert_to_numpy(block(IMAGES * 3.0 + 1.0))
    conv = keras.ops.convert_to_numpy(block.conv(block.pad(IMAGES * 3.0 + 1.0)))
    variance = conv.var(axis=(1, 2, 3))
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(1, 2, 3)), variance / (variance + 1e-5), rtol=1e-4)
    assert not np.allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-3)  # not per channel
    assert block.norm.epsilon == 1e-5
    assert sorted(tuple(w.shape) for w in block.norm.weights) == [(6,), (6,)]
    # Independent of the image size, like the rest of the block.
    assert block(keras.KerasTensor((None, None, 7, 3))).shape == (None, None, 7, 6)


def test_spectral_norm_divides_by_the_largest_singular_value_and_keeps_the_free_weight():
    block = ConvNormActivation(5, 3, strides=2, padding=1, normalization=None,
                               activation="leaky_relu", spectral_norm=True)
    block.build(IMAGES.shape)
    assert isinstance(block.conv, SpectralNormalization)
    kernel = block.conv.layer.kernel
    kernel.assign(kernel.numpy() * 50.0)
    before = kernel.numpy().copy()
    for _ in range(30):  # one power iteration per training call
        block(IMAGES, training=True)
    np.testing.assert_array_equal(kernel.numpy(), before)  # the free weight W is untouched
    normalized = keras.ops.convert_to_numpy(block.conv.normalized_kernel())
    sigma = np.linalg.svd(normalized.reshape(-1, 5), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-3
    assert [w.path.split("/")[-1] for w in block.trainable_weights] == ["kernel", "bias"]


def test_spectral_norm_refuses_transposed_convolutions():
    with pytest.raises(ValueError, match="wraps Dense or Conv2D layers; got Conv2DTranspose"):
        ConvNormActivation(4, 4, strides=2, padding=1, transposed=True,
                           normalization="layer", spectral_norm=True)


def test_rejects_inconsistent_arguments():
    with pytest.raises(ValueError, match="normalization"):
        ConvNormActivation(4, 3, normalization="group")
    with pytest.raises(ValueError, match="padding_mode"):
        ConvNormActivation(4, 3, padding_mode="circular")
    with pytest.raises(ValueError, match="crops instead of padding"):
        ConvNormActivation(4, 3, padding=1, padding_mode="reflect", transposed=True)
    with pytest.raises(ValueError, match="output_padding"):
        ConvNormActivation(4, 3, padding=1, output_padding=1)


def test_config_round_trip():
    check_config_round_trip(ConvNormActivation, {
        "filters": 4, "kernel_size": 5, "strides": 2, "padding": 2, "padding_mode": "reflect",
        "normalization": "batch", "activation": "leaky_relu", "use_bias": False,
        "spectral_norm": True,
        "kernel_initializer": keras.initializers.serialize(keras.initializers.HeUniform()),
        "bias_initializer": keras.initializers.serialize(keras.initializers.Constant(0.1)),
    })
    check_config_round_trip(ConvNormActivation, {
        "filters": 4, "kernel_size": 3, "strides": 2, "padding": 1, "output_padding": 1,
        "transposed": True, "normalization": None, "activation": None,
    })


def test_keras_file_round_trip(tmp_path):
    model = keras.Sequential([
        keras.Input((None, None, 3)),
        ConvNormActivation(4, 3, strides=2, padding=1, padding_mode="reflect"),
        ConvNormActivation(3, 3, strides=2, padding=1, output_padding=1, transposed=True,
                           activation="tanh"),
    ])
    check_keras_file_round_trip(model, IMAGES, tmp_path)


def test_keras_file_round_trip_with_layer_and_spectral_norm(tmp_path):
    model = keras.Sequential([
        keras.Input((None, None, 3)),
        ConvNormActivation(4, 4, strides=2, padding=1, normalization="layer",
                           activation="leaky_relu", spectral_norm=True),
    ])
    model(IMAGES, training=True)  # moves the power-iteration vector off its initial value
    check_keras_file_round_trip(model, IMAGES, tmp_path)
