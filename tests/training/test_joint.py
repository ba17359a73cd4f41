import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import train_under
from two_player import TwoPlayer, regression_data

from dlx_tf.training.checkpoint import TrainingCheckpoint
from dlx_tf.training.classifier_trainer import ClassifierTrainer
from dlx_tf.training.joint import JointTrainer


def _batches():
    return regression_data(count=64).batch(16)


def _compiled_two_player(name):
    model = TwoPlayer(name=name)
    model.compile(keras.optimizers.Adam(0.01), keras.optimizers.Adam(0.02))
    return model


def _joint():
    joint = JointTrainer({"left": _compiled_two_player("left"),
                          "right": _compiled_two_player("right")}, name="joint")
    joint.compile()
    return joint


def test_every_member_trains_as_it_would_alone(one_device):
    data = _batches()
    with one_device.scope():
        alone = _compiled_two_player("alone")
        alone.build_for_training(next(iter(data)))
        joint = _joint()
        joint.build_for_training(next(iter(data)))
    joint.left.set_weights(alone.get_weights())
    alone_history = alone.fit(data, epochs=2, verbose=0, shuffle=False).history
    joint_history = joint.fit(data, epochs=2, verbose=0, shuffle=False).history

    assert sorted(joint_history) == ["left_first_loss", "left_second_loss",
                                     "right_first_loss", "right_second_loss"]
    np.testing.assert_allclose(joint_history["left_first_loss"], alone_history["first_loss"],
                               rtol=1e-6)
    for left, single in zip(joint.left.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(left, single, rtol=1e-6, atol=1e-7)
    assert not np.allclose(joint.left.get_weights()[0], joint.right.get_weights()[0])


def test_optimizers_are_named_per_member_and_checkpointed(one_device, tmp_path):
    data = _batches()
    with one_device.scope():
        joint = _joint()
        joint.build_for_training(next(iter(data)))
    assert sorted(joint.training_optimizers()) == ["left_first", "left_second",
                                                  "right_first", "right_second"]
    joint.fit(data, epochs=1, verbose=0, shuffle=False)
    checkpoint = TrainingCheckpoint(str(tmp_path), joint)
    checkpoint.save(epoch=1, metadata={})
    expected = [np.asarray(w) for w in joint.get_weights()]

    with one_device.scope():
        restored = _joint()
        restored.build_for_training(next(iter(data)))
    assert TrainingCheckpoint(str(tmp_path), restored).restore()["epoch"] == 1
    for got, want in zip(restored.get_weights(), expected):
        np.testing.assert_array_equal(got, want)
    assert int(restored.right.second_optimizer.iterations.numpy()) == 4


def test_two_replicas_train_the_joint_model_like_one(one_device, two_replicas):
    data = _batches().take(3)

    def make():
        return _joint()

    def compile_model(model):
        pass

    one, one_history = train_under(one_device, make, compile_model, data, epochs=1)
    two, two_history = train_under(two_replicas, make, compile_model, data, epochs=1)
    for key in one_history:
        np.testing.assert_allclose(two_history[key], one_history[key], rtol=1e-5, err_msg=key)
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)


def _classifier_batches(count=96):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(count, 3)).astype("float32")
    labels = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0.5).astype("int32")
    noisy = np.where(rng.random(count) < 0.25, (labels + 1) % 3, labels).astype("int32")
    return tf.data.Dataset.from_tensor_slices((x, noisy, labels)).batch(32)


def _compiled_classifier(width, learning_rate):
    trainer = ClassifierTrainer(keras.Sequential([keras.layers.Dense(width, activation="relu"),
                                                  keras.layers.Dense(3)]))
    trainer.compile(keras.optimizers.Adam(learning_rate))
    return trainer


def test_evaluate_prefixes_every_member_and_matches_its_own_evaluate(one_device):
    data = _classifier_batches()
    with one_device.scope():
        joint = JointTrainer({"wide": _compiled_classifier(16, 0.05),
                              "narrow": _compiled_classifier(4, 0.01)}, name="joint")
        joint.compile()
        joint.build_for_training(next(iter(data)))
    joint.fit(data, epochs=2, verbose=0, shuffle=False)

    # float(): Keras 3.10 returns tensors here, later versions floats.
    results = {k: float(v) for k, v in joint.evaluate(data, return_dict=True,
                                                      verbose=0).items()}
    assert sorted(results) == sorted(f"{member}_{key}" for member in ("wide", "narrow")
                                     for key in ("loss", "accuracy", "clean_accuracy"))
    assert results["wide_loss"] != pytest.approx(results["narrow_loss"])
    for member in ("wide", "narrow"):
        alone = getattr(joint, member).evaluate(data, return_dict=True, verbose=0)
        for key, value in alone.items():
            assert results[f"{member}_{key}"] == pytest.approx(float(value), rel=1e-6), (
                member, key)
