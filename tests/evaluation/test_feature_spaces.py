import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_keras_file_round_trip

from dlx_tf.data.synthetic.cifar import synthetic_cifar_with_attributes
from dlx_tf.data.synthetic.seasons import ATTRIBUTE_NAMES, generate_scenes, scene_attributes
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.attribute_net import AttributeNet
from dlx_tf.evaluation.feature_spaces import (
    FeatureSpace,
    attribute_feature_space,
    inception_feature_space,
    texture_statistics_space,
)


def _unit(images):
    return images.astype(np.float32) / 127.5 - 1


def _scenes(count, seed):
    """`count` 32×32 scenes, half summer, half winter: images, season labels, attributes."""
    half = count // 2
    images = np.concatenate([generate_scenes(half, 32, "summer", seed),
                             generate_scenes(half, 32, "winter", seed + 1)])
    attributes = np.concatenate([scene_attributes(half, seed, "summer"),
                                 scene_attributes(half, seed + 1, "winter")])
    return _unit(images), attributes[:, 0].astype(np.int32), attributes


@pytest.fixture(scope="module")
def scenes():
    return {"train": _scenes(3000, 10), "held_out": _scenes(600, 20), "fresh": _scenes(600, 30)}


@pytest.fixture(scope="module")
def seasons_space(scenes):
    images, labels, attributes = scenes["train"]
    return attribute_feature_space(images, labels, attributes, seed=0)


@pytest.fixture(scope="module")
def cifar():
    train = synthetic_cifar_with_attributes(1500, seed=40)
    held_out = synthetic_cifar_with_attributes(500, seed=41)
    return [(_unit(images), *rest) for images, *rest in (train, held_out)]


@pytest.fixture(scope="module")
def cifar_space(cifar):
    images, labels, attributes, mask = cifar[0]
    return attribute_feature_space(images, labels, attributes, mask, seed=0, epochs=8)


def _r2(train_features, train_targets, features, targets):
    """Held-out R² of a least-squares linear fit, per target column."""
    design = np.c_[train_features, np.ones(len(train_features))]
    weights = np.linalg.lstsq(design, train_targets, rcond=None)[0]
    predicted = np.c_[features, np.ones(len(features))] @ weights
    return 1 - ((predicted - targets) ** 2).mean(0) / targets.var(0)


def _nearest(query, reference):
    """Euclidean distance from each query row to its nearest reference row."""
    squared = ((query**2).sum(1)[:, None] + (reference**2).sum(1)[None]
               - 2 * query @ reference.T)
    return np.sqrt(np.maximum(squared.min(1), 0))


def _impostors(count, rng):
    """Uniform noise and constant images of random colours, 32×32."""
    noise = rng.uniform(-1, 1, (count, 32, 32, 3)).astype(np.float32)
    constant = np.broadcast_to(rng.uniform(-1, 1, (count, 1, 1, 3)), noise.shape)
    return noise, constant.astype(np.float32)


def test_attribute_features_predict_held_out_attributes(seasons_space, scenes):
    (train, _, train_attributes), (held_out, labels, attributes) = (scenes["train"],
                                                                    scenes["held_out"])
    varied = train_attributes.std(0) > 1e-6  # every column varies over both seasons
    assert varied.all()
    trained = _r2(seasons_space(train), train_attributes, seasons_space(held_out), attributes)
    net = AttributeNet(num_classes=2, num_attributes=len(ATTRIBUTE_NAMES), seed=0)
    untrained = FeatureSpace("untrained", "the same net before training",
                             lambda batch: keras.ops.convert_to_numpy(net(batch)["features"]))
    baseline = _r2(untrained(train), train_attributes, untrained(held_out), attributes)
    assert trained.mean() > 0.5  # measured 0.63; 0.74 from 10,000 images
    assert trained.mean() > baseline.mean() + 0.2  # measured 0.32 before training
    logits = keras.ops.convert_to_numpy(seasons_space.network(held_out)["class_logits"])
    assert (logits.argmax(1) == labels).mean() > 0.98
    assert seasons_space.name == "synthetic_attributes"
    assert "3000 real images" in seasons_space.description


def test_attribute_features_separate_classes_and_predict_shared_draws(cifar_space, cifar):
    (train, train_labels, train_attributes, _), (held_out, labels, attributes, _) = cifar
    features, held_out_features = cifar_space(train), cifar_space(held_out)
    assert features.shape == (1500, 128)
    means = np.stack([features[train_labels == k].mean(0) for k in range(10)])
    distance = ((held_out_features[:, None] - means[None]) ** 2).sum(-1)
    accuracy = (distance.argmin(1) == labels).mean()
    # The first draws mean the same in every class: x shift, y shift, scale.
    shared = _r2(features, train_attributes[:, :3], held_out_features, attributes[:, :3])
    assert accuracy > 0.95
    assert shared[:2].min() > 0.85 and shared[2] > 0.5  # measured 0.94, 0.92 and 0.68


def test_attribute_features_put_noise_and_constant_images_far_from_real(seasons_space,
                                                                          cifar_space, scenes,
                                                                          cifar):
    noise, constant = _impostors(300, np.random.default_rng(0))
    for space, reference, real, again in (
            (seasons_space, scenes["train"][0], scenes["held_out"][0], scenes["fresh"][0]),
            (cifar_space, cifar[0][0], cifar[1][0][:250], cifar[1][0][250:])):
        reference = space(reference)
        real, again, noise_distance, constant_distance = (
            _nearest(space(images), reference) for images in (real, again, noise, constant))
        close = np.median(real)
        assert abs(np.median(again) - close) < 0.2 * close  # two fresh draws: equally close
        assert noise_distance.min() > real.max()  # measured 6.6 over 3.3 (seasons), 4.0 over 3.2
        # Some flat colours resemble a plain scene, so only most constant images are far.
        assert np.median(constant_distance) > 2 * close  # measured 4.7× and 2.4×


def test_attribute_space_is_seeded_and_its_trained_net_saves(scenes, tmp_path):
    images, labels, attributes = (part[1400:1600] for part in scenes["train"])  # both seasons
    first, again, other = (attribute_feature_space(images, labels, attributes, seed=seed,
                                                   epochs=1)
                           for seed in (5, 5, 6))
    np.testing.assert_array_equal(first(images[:50]), again(images[:50]))
    assert not np.allclose(first(images[:50]), other(images[:50]))
    check_keras_file_round_trip(first.network, images[:4], tmp_path)  # compiled, loss and all


def test_a_space_with_an_image_size_embeds_larger_images_as_their_resized_selves():
    images, labels, attributes = _scenes(64, 40)
    space = attribute_feature_space(images, labels, attributes, seed=0, epochs=1,
                                     image_size=16)
    assert "(resized to 16×16)" in space.description
    large = _unit(generate_scenes(6, 64, "winter", 41))
    small = tf.image.resize(large, (16, 16), antialias=True).numpy()
    np.testing.assert_allclose(space(large), space(small), rtol=1e-5, atol=1e-6)


def test_texture_statistics_separate_noise_constant_and_colour_shifted_images(scenes):
    space = texture_statistics_space()
    reference = space(scenes["train"][0])
    real, again = scenes["held_out"][0], scenes["fresh"][0]
    shifted = np.clip(real + np.array([0.3, 0.0, -0.3], np.float32), -1, 1)
    noise, constant = _impostors(300, np.random.default_rng(1))
    real, again, *impostors = (_nearest(space(images), reference)
                               for images in (real, again, noise, constant, shifted))
    close = np.median(real)
    assert abs(np.median(again) - close) < 0.2 * close
    for distance, factor in zip(impostors, (5, 5, 3)):  # measured 11×, 13× and 3.9×
        assert distance.min() > real.max() and np.median(distance) > factor * close


def test_texture_statistics_are_deterministic_at_any_size():
    space = texture_statistics_space()
    images = np.random.default_rng(2).uniform(-1, 1, (3, 20, 28, 3)).astype(np.float32)
    features = space(images)
    assert features.shape == (3, 26)
    np.testing.assert_array_equal(features, space(images))
    flat = np.zeros((1, 20, 28, 3), np.float32)
    np.testing.assert_allclose(space(flat)[0], 0.0, atol=1e-7)
    assert space.name == "texture_statistics" and "offline fallback" in space.description
    with pytest.raises(ValueError, match="at least 12 pixels"):
        space(np.zeros((1, 8, 32, 3), np.float32))


def test_feature_space_batches_and_checks_its_input():
    space = texture_statistics_space()
    images = np.random.default_rng(3).uniform(-1, 1, (300, 16, 16, 3)).astype(np.float32)
    whole = space(images)  # three batches: 128, 128 and 44
    np.testing.assert_allclose(whole[200:], space(images[200:]), rtol=1e-6)
    assert space(images[:0]).shape == (0, 26)
    with pytest.raises(ValueError, match="uint8"):
        space(np.zeros((1, 16, 16, 3), np.uint8))
    with pytest.raises(ValueError, match=r"in \[-1, 1\]; got values in \[0, 255\]"):
        space(np.linspace(0, 255, 16 * 16 * 3).reshape(1, 16, 16, 3))
    with pytest.raises(ValueError, match="got shape"):
        space(np.zeros((16, 16, 3), np.float32))


def test_inception_weights_file_round_trip(tmp_path):
    random = inception_feature_space(None)
    assert random.name == "inception_v3_random" and "random weights" in random.description
    path = tmp_path / "inception.weights.h5"
    random.network.save_weights(str(path))
    loaded = inception_feature_space(str(path))
    images = np.random.default_rng(4).uniform(-1, 1, (2, 24, 40, 3)).astype(np.float32)
    features = random(images)
    assert features.shape == (2, 2048)
    np.testing.assert_array_equal(loaded(images), features)
    assert loaded.name == "inception_v3_imagenet" and str(path) in loaded.description


def test_inception_weights_that_cannot_be_had_are_usage_errors(tmp_path, monkeypatch):
    missing = tmp_path / "missing.h5"
    with pytest.raises(UsageError, match=f"{missing} does not exist"):
        inception_feature_space(str(missing))
    junk = tmp_path / "junk.h5"
    junk.write_text("not a weights file")
    with pytest.raises(UsageError, match=f"could not load Inception-v3 weights from {junk}"):
        inception_feature_space(str(junk))

    def offline(**kwargs):
        raise Exception("URL fetch failure on https://storage.googleapis.com/...")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(UsageError, match="pass its local path"):
        inception_feature_space("imagenet")
