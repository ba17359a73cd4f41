import keras
import numpy as np
from harness import check_config_round_trip, check_keras_file_round_trip

from dlx_tf.models.acai.acai_critic import ACAICritic
from dlx_tf.models.acai.acai_encoder import ACAIEncoder

IMAGES = np.random.default_rng(0).uniform(-1, 1, (3, 8, 12, 3)).astype("float32")


def test_config_round_trip():
    check_config_round_trip(ACAICritic, {"depth": 8, "latent": 5, "scales": 2})


def test_keras_file_round_trip(tmp_path):
    check_keras_file_round_trip(ACAICritic(depth=4, latent=3, scales=2), IMAGES, tmp_path)


def test_one_scalar_per_image_the_mean_of_its_encoder():
    critic = ACAICritic(depth=4, latent=3, scales=2)
    scores = keras.ops.convert_to_numpy(critic(IMAGES))
    assert scores.shape == (3,)
    features = keras.ops.convert_to_numpy(critic.encoder(IMAGES))  # (3, 2, 3, 3)
    np.testing.assert_allclose(scores, features.mean(axis=(1, 2, 3)), rtol=1e-6, atol=1e-7)


def test_same_network_as_the_encoder_with_its_own_weights():
    critic = ACAICritic()
    critic.build((None, 32, 32, 3))
    encoder = ACAIEncoder()
    encoder.build((None, 32, 32, 3))
    assert critic.count_params() == encoder.count_params() == 2_434_704
    assert {id(v) for v in critic.weights}.isdisjoint(id(v) for v in encoder.weights)
