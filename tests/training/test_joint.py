import keras
import numpy as np
from harness import train_under
from two_player import TwoPlayer, regression_data

from dlx_tf.training.checkpoint import TrainingCheckpoint
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
