import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.acai.acai import ACAI
from dlx_tf.models.acai.acai_critic import ACAICritic
from dlx_tf.models.acai.acai_decoder import ACAIDecoder
from dlx_tf.models.acai.acai_encoder import ACAIEncoder

LOG_NAMES = ["reconstruction_loss", "autoencoder_adversarial_loss", "critic_loss",
             "critic_real_loss", "probe_loss", "probe_accuracy"]


class FixedAlphaACAI(ACAI):
    """α = 0.1, 0.4, 0.1, 0.4, ...: the same at each position on one device or two replicas."""

    def sample_alpha(self, batch_size):
        return tf.tile(tf.constant([0.1, 0.4]), [batch_size // 2])


def _acai(cls=ACAI, depth=4, scales=1, num_classes=3, optimizer=keras.optimizers.Adam,
          learning_rate=1e-3, **kwargs):
    acai = cls(ACAIEncoder(depth=depth, latent=3, scales=scales),
               ACAIDecoder(depth=depth, scales=scales),
               ACAICritic(depth=depth, latent=3, scales=scales), num_classes=num_classes,
               seed=5, **kwargs)
    acai.compile(*[optimizer(learning_rate) for _ in range(3)])
    return acai


def _paired_batch(seed, size=(8, 12)):
    # [a, b, c, b] with α = [0.1, 0.4, 0.1, 0.4]: one device reverses the whole batch and
    # mixes (a with b, 0.1), (b with c, 0.4), (c with b, 0.1), (b with a, 0.4); two replicas
    # reverse [a, b] and [c, b] and mix the same four (image, partner, α), in another order.
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(-1, 1, (3, *size, 3)).astype("float32")
    label_a, label_b, label_c = rng.integers(0, 3, 3)
    return np.stack([a, b, c, b]), np.array([label_a, label_b, label_c, label_b], "int32")


def _dataset(batch):
    return tf.data.Dataset.from_tensors(batch)


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


def _expected_logs(acai, images, labels, alpha):
    # acai.py's six quantities, from the untrained networks, in NumPy.
    latents = _numpy(acai.encode(images))
    reconstructions = _numpy(acai.decode(latents))
    weights = alpha[:, None, None, None]
    mixes = _numpy(acai.decode(weights * latents + (1 - weights) * latents[::-1]))
    mix_scores = _numpy(acai.estimate_alpha(mixes))
    real = reconstructions + acai.regularization * (images - reconstructions)
    logits = _numpy(acai.probe(latents)).astype("float64")
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return {
        "reconstruction_loss": np.mean((images - reconstructions) ** 2),
        "autoencoder_adversarial_loss": np.mean(mix_scores**2),
        "critic_loss": np.mean((mix_scores - alpha) ** 2),
        "critic_real_loss": np.mean(_numpy(acai.estimate_alpha(real)) ** 2),
        "probe_loss": -np.mean(log_probabilities[np.arange(len(labels)), labels]),
        "probe_accuracy": np.mean(logits.argmax(axis=1) == labels),
    }


def _players(acai):
    return {"autoencoder": acai.encoder.trainable_variables + acai.decoder.trainable_variables,
            "critic": acai.critic.trainable_variables,
            "probe": acai.probe.trainable_variables}


def _two_steps(strategy):
    # Two one-step fits (the second reuses the traced step), recording the first step. SGD,
    # not Adam: Adam's update hardly changes if every gradient is off by the replica count.
    first, second = _paired_batch(0), _paired_batch(1)
    keras.utils.set_random_seed(1)
    with strategy.scope():
        acai = _acai(FixedAlphaACAI, optimizer=keras.optimizers.SGD, learning_rate=0.1,
                     regularization=0.3)
        acai.build_for_training(first)
    run = {"acai": acai,
           "expected": _expected_logs(acai, *first, np.array([0.1, 0.4, 0.1, 0.4], "float32")),
           "before": {name: [np.asarray(v).copy() for v in variables]
                      for name, variables in _players(acai).items()}}
    run["logs"] = acai.fit(_dataset(first), epochs=1, verbose=0, shuffle=False).history
    run["after_first"] = {name: [np.asarray(v).copy() for v in variables]
                          for name, variables in _players(acai).items()}
    run["iterations"] = {name: int(optimizer.iterations.numpy())
                         for name, optimizer in acai.training_optimizers().items()}
    logs = acai.fit(_dataset(second), epochs=1, verbose=0, shuffle=False).history
    for name, values in logs.items():
        run["logs"][name] += values
    return run


@pytest.fixture(scope="module")
def one_device_run(one_device):
    return _two_steps(one_device)


def test_one_step_logs_acai_losses_and_updates_every_player(one_device_run):
    logs = one_device_run["logs"]
    assert sorted(logs) == sorted(LOG_NAMES)
    for name in LOG_NAMES:
        np.testing.assert_allclose(logs[name][0], one_device_run["expected"][name], rtol=1e-4,
                                   err_msg=name)
    for name, before in one_device_run["before"].items():
        after = one_device_run["after_first"][name]
        assert all(not np.array_equal(b, a) for b, a in zip(before, after)), name
    assert one_device_run["iterations"] == {"autoencoder": 1, "critic": 1, "probe": 1}


def test_plain_autoencoder_baseline_still_trains_its_critic(one_device):
    # λ = 0: the critic learns from the baseline's interpolations; the autoencoder's
    # adversarial term is logged but has no weight. Eager: one step, no tracing.
    batch = _paired_batch(0)
    keras.utils.set_random_seed(1)
    with one_device.scope():
        acai = _acai(adversarial_weight=0.0)
        acai.build_for_training(batch)
    acai.run_eagerly = True
    before = _numpy(acai.estimate_alpha(batch[0]))
    logs = acai.fit(_dataset(batch), epochs=1, verbose=0, shuffle=False).history
    assert not np.allclose(before, _numpy(acai.estimate_alpha(batch[0])))
    assert logs["autoencoder_adversarial_loss"][0] > 0


def test_alpha_is_folded_and_differs_per_replica(two_replicas):
    with two_replicas.scope():
        acai = _acai()
    draws = two_replicas.run(tf.function(lambda: acai.sample_alpha(64)))
    first, second = (np.asarray(d) for d in two_replicas.experimental_local_results(draws))
    for alpha in (first, second):
        assert alpha.shape == (64,) and alpha.min() >= 0 and alpha.max() <= 0.5
        assert 0.15 < alpha.mean() < 0.35  # folded U[0, 1] has mean 0.25
    assert not np.allclose(first, second)


def test_call_encode_decode_and_interpolate(one_device_run):
    acai = one_device_run["acai"]
    images, labels = _paired_batch(2)
    images[3] *= 0.5  # four different images
    reconstructions = _numpy(acai((images, labels)))
    assert reconstructions.shape == images.shape
    np.testing.assert_allclose(_numpy(acai(images)), reconstructions)
    assert acai.encode(images).shape == (4, 4, 6, 3)
    np.testing.assert_allclose(_numpy(acai.decode(acai.encode(images))), reconstructions,
                               atol=1e-6)
    other = images[::-1]
    for spherical in (False, True):
        np.testing.assert_allclose(_numpy(acai.interpolate(images, other, 0.0, spherical)),
                                   reconstructions, atol=1e-5)
        np.testing.assert_allclose(_numpy(acai.interpolate(images, other, 1.0, spherical)),
                                   reconstructions[::-1], atol=1e-5)
    per_example = _numpy(acai.interpolate(images, other, np.array([0, 1, 0, 1], "float32")))
    np.testing.assert_allclose(per_example[0], reconstructions[0], atol=1e-5)
    np.testing.assert_allclose(per_example[1], reconstructions[2], atol=1e-5)
    midpoint = _numpy(acai.interpolate(images, other, 0.5))
    assert not np.allclose(midpoint, reconstructions, atol=1e-3)
    assert acai.estimate_alpha(images).shape == (4,)


def test_two_replicas_train_like_one(one_device_run, two_replicas):
    # Both steps' logs and the trained networks; α is fixed per position so that both
    # runs draw the same mixes (real draws differ per replica by design).
    run = _two_steps(two_replicas)
    assert sorted(run["logs"]) == sorted(LOG_NAMES)
    for name in LOG_NAMES:
        np.testing.assert_allclose(run["logs"][name], one_device_run["logs"][name], rtol=1e-4,
                                   atol=1e-6, err_msg=name)
    images = _paired_batch(2)[0]
    single, mirrored = one_device_run["acai"], run["acai"]
    np.testing.assert_allclose(_numpy(mirrored(images)), _numpy(single(images)), atol=2e-5)
    np.testing.assert_allclose(_numpy(mirrored.estimate_alpha(images)),
                               _numpy(single.estimate_alpha(images)), atol=2e-5)
    np.testing.assert_allclose(_numpy(mirrored.probe(mirrored.encode(images))),
                               _numpy(single.probe(single.encode(images))), atol=2e-5)


def _patterns(count=64, size=16, classes=4, seed=0):
    # Smooth class-structured images in [-1, 1]: class k is a wave at angle kπ/4 with a
    # random phase, per-channel amplitudes and offset.
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    labels = rng.integers(0, classes, count)
    images = []
    for label in labels:
        angle = label * np.pi / classes
        wave = np.sin(2 * np.pi * (np.cos(angle) * x + np.sin(angle) * y) + rng.uniform(0, 6.3))
        amplitude = rng.uniform(0.4, 0.8, 3)
        images.append(np.clip(wave[..., None] * amplitude + rng.uniform(-0.2, 0.2), -1, 1))
    return np.asarray(images, "float32"), labels.astype("int32")


def test_reconstruction_improves(one_device):
    images, labels = _patterns()
    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(8, drop_remainder=True)
    keras.utils.set_random_seed(2)
    with one_device.scope():
        acai = _acai(depth=8, scales=2, num_classes=4)
        acai.build_for_training(next(iter(data)))
    logs = acai.fit(data, epochs=8, verbose=0, shuffle=False).history  # 64 steps
    assert logs["reconstruction_loss"][-1] < 0.6 * logs["reconstruction_loss"][0]
    assert logs["probe_loss"][-1] < logs["probe_loss"][0]
