import numpy as np
import pytest
from harness import check_any_size_export, check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.cyclegan import PatchGANDiscriminator

# Small and non-square on purpose: nothing may assume 256×256.
IMAGES = np.random.default_rng(0).uniform(-1, 1, (2, 64, 40, 3)).astype("float32")


def _model():
    model = PatchGANDiscriminator(filters=4, num_layers=3)
    model(IMAGES)
    return model


def test_config_round_trip():
    check_config_round_trip(PatchGANDiscriminator,
                            {"filters": 4, "num_layers": 2, "normalization": "batch"})


@pytest.mark.parametrize(
    "num_layers, size, patches",
    [
        (3, (256, 256), (30, 30)),  # 256 → 128 → 64 → 32 → 31 → 30
        (3, (128, 128), (14, 14)),  # 128 → 64 → 32 → 16 → 15 → 14
        (3, (64, 40), (6, 3)),  # 64 → 32 → 16 → 8 → 7 → 6; 40 → 20 → 10 → 5 → 4 → 3
        (2, (20, 12), (3, 1)),  # 20 → 10 → 5 → 4 → 3; 12 → 6 → 3 → 2 → 1
    ],
)
def test_patch_map_size(num_layers, size, patches):
    # out = floor((in + 2 - 4) / stride) + 1 per layer; filters do not change sizes.
    model = PatchGANDiscriminator(filters=2, num_layers=num_layers)
    assert model(np.zeros((1, *size, 3), "float32")).shape == (1, *patches, 1)


def test_unknown_height_and_width():
    model = PatchGANDiscriminator(filters=4, num_layers=3)
    model.build((None, None, None, 3))
    assert model(IMAGES).shape == (2, 6, 3, 1)


def test_official_parameter_count():
    model = PatchGANDiscriminator()
    model.build((None, 256, 256, 3))
    assert model.count_params() == 2_764_737
    # Instance norm without affine parameters or running statistics: only 5 convolutions.
    names = [w.path.split("/")[-1] for w in model.trainable_weights]
    assert sorted(names) == ["bias"] * 5 + ["kernel"] * 5
    assert model.non_trainable_weights == []


def test_pix2pix_batch_norm_parameter_count():
    # netD basic, --norm batch, 6 input channels (input and output side by side):
    #   block_0 4·4·6·64 + 64 (bias, no norm)            =     6,208
    #   block_1 4·4·64·128 (no bias) + BN 2·128           =   131,328
    #   block_2 4·4·128·256 + BN 2·256                    =   524,800
    #   block_3 4·4·256·512 (stride 1) + BN 2·512         = 2,098,176
    #   scores  4·4·512·1 + 1                             =     8,193
    #   total trainable                                    2,768,705
    model = PatchGANDiscriminator(normalization="batch")
    model.build((None, 256, 256, 6))
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == 2_768_705
    biases = [w.path.split("/")[-3] for w in model.weights if w.path.endswith("conv/bias")]
    assert biases == ["block_0", "scores"]
    # Keras keeps BN's moving mean and variance as non-trainable weights (PyTorch buffers).
    assert model.count_params() - 2_768_705 == 2 * (128 + 256 + 512)


def test_rejects_unknown_normalization():
    with pytest.raises(ValueError, match="normalization must be one of.*'layer'"):
        PatchGANDiscriminator(normalization="layer")


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(_model(), IMAGES, tmp_path)


def test_saved_model_serves_any_size_like_the_live_model(tmp_path):
    other = np.random.default_rng(1).uniform(-1, 1, (1, 48, 56, 3)).astype("float32")
    served = check_any_size_export("patchgan_discriminator", _model(), "scores", IMAGES, other,
                                   tmp_path)
    assert served.shape == (1, 4, 5, 1)  # 48 → … → 6 → 5 → 4; 56 → … → 7 → 6 → 5
