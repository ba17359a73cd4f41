import keras
import numpy as np
import pytest
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.acai.acai_encoder import ACAIEncoder

# Small and non-square on purpose: 16×8 with 2 scales gives a 4×2 latent grid.
IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 16, 8, 3)).astype("float32")


def test_config_round_trip():
    check_config_round_trip(ACAIEncoder, {"depth": 8, "latent": 5, "scales": 2})


def test_keras_file_round_trip(tmp_path):
    model = ACAIEncoder(depth=4, latent=3, scales=2)
    check_keras_file_round_trip(model, IMAGES, tmp_path)


@pytest.mark.parametrize("size, scales, latent_size", [((32, 32), 3, (4, 4)),
                                                       ((16, 16), 2, (4, 4)),
                                                       ((16, 8), 2, (4, 2))])
def test_latent_shape(size, scales, latent_size):
    model = ACAIEncoder(depth=4, latent=6, scales=scales)
    assert model(np.zeros((2, *size, 3), "float32")).shape == (2, *latent_size, 6)


def test_official_parameter_count():
    # depth 64, latent 16, 3 scales on RGB, by hand (kernel + bias per convolution):
    # 1×1 3→64: 256; 64→64 ×2: 2·36,928; 64→128: 73,856; 128→128: 147,584;
    # 128→256: 295,168; 256→256: 590,080; 256→512: 1,180,160; 512→16: 73,744.
    model = ACAIEncoder()
    model.build((None, 32, 32, 3))
    assert model.count_params() == 2_434_704


def test_he_modified_initializer_and_zero_biases():
    keras.utils.set_random_seed(0)
    model = ACAIEncoder(depth=32, latent=4, scales=2)
    model.build((None, 8, 8, 3))
    kernel = np.asarray(model.get_layer("scale_1_b").kernel)  # (3, 3, 64, 64): 36,864 draws
    fan_in = 3 * 3 * 64
    assert kernel.shape == (3, 3, 64, 64)
    # lib/layers.py: std = 1 / sqrt((1 + 0.2²) · fan_in); a 1% sample-std error is ~5 sigma.
    np.testing.assert_allclose(kernel.std(), 1 / np.sqrt(1.04 * fan_in), rtol=0.01)
    assert abs(kernel.mean()) < 3 * kernel.std() / np.sqrt(kernel.size)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            assert layer.padding == "same" and layer.use_bias
            np.testing.assert_array_equal(np.asarray(layer.bias), 0.0)


def test_activations_follow_the_reference():
    model = ACAIEncoder(depth=4, latent=3, scales=2)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    # The 1×1 stem and the latent head are linear; everything between is leaky ReLU 0.2.
    assert [conv.kernel_size for conv in convs] == [(1, 1)] + [(3, 3)] * 6
    assert convs[0].activation is keras.activations.linear
    assert convs[-1].activation is keras.activations.linear
    x = np.array([-1.0, 2.0], "float32")
    for conv in convs[1:-1]:
        np.testing.assert_allclose(conv.activation(x), [-0.2, 2.0])


def test_rejects_sizes_not_multiples_of_the_downsampling():
    with pytest.raises(ValueError, match="multiples of 4.*height 18"):
        ACAIEncoder(depth=4, latent=3, scales=2)(np.zeros((1, 18, 8, 3), "float32"))
    with pytest.raises(ValueError, match="multiples of 8.*width 4"):
        ACAIEncoder(depth=4, latent=3, scales=3).build((None, 16, 4, 3))
