import json

import keras
import numpy as np
import pytest
from two_player import TwoPlayer, regression_data

from dlx_tf.errors import UsageError
from dlx_tf.training.checkpoint import TrainingCheckpoint


def _trained(one_device, steps, seed=0):
    keras.utils.set_random_seed(seed)
    with one_device.scope():
        model = TwoPlayer()
        model.build_for_training(next(iter(regression_data().batch(32))))
    if steps:
        model.fit(regression_data().batch(32).take(steps), verbose=0, shuffle=False)
    return model


def test_restore_brings_back_weights_and_both_optimizers(one_device, tmp_path):
    trained = _trained(one_device, steps=3)
    checkpoint = TrainingCheckpoint(tmp_path, trained)
    checkpoint.save(1, {"history": [{"epoch": 1}]})

    fresh = _trained(one_device, steps=0, seed=1)
    pointer = TrainingCheckpoint(tmp_path, fresh).restore()
    assert pointer["epoch"] == 1 and pointer["metadata"] == {"history": [{"epoch": 1}]}
    for a, b in zip(trained.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    for name in ("first", "second"):
        before = trained.training_optimizers()[name]
        after = fresh.training_optimizers()[name]
        assert int(after.iterations.numpy()) == int(before.iterations.numpy()) == 3
        for a, b in zip(before.variables, after.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_only_the_newest_checkpoints_are_kept_and_the_pointer_is_last(one_device, tmp_path):
    model = _trained(one_device, steps=1)
    checkpoint = TrainingCheckpoint(tmp_path, model, keep=2)
    for epoch in range(1, 5):
        checkpoint.save(epoch, {})
    assert sorted(p.name for p in tmp_path.glob("epoch-*")) == ["epoch-00003.npz",
                                                                "epoch-00004.npz"]
    assert json.loads((tmp_path / "latest.json").read_text())["file"] == "epoch-00004.npz"
    assert not list(tmp_path.glob("*.tmp"))


def test_a_checkpoint_of_another_model_is_refused(one_device, tmp_path):
    TrainingCheckpoint(tmp_path, _trained(one_device, steps=1)).save(1, {})
    with one_device.scope():
        other = keras.Sequential([keras.layers.Dense(2)])
        other.build((None, 3))
    other.training_optimizers = dict
    with pytest.raises(UsageError, match="written by a different model"):
        TrainingCheckpoint(tmp_path, other).restore()


def test_no_checkpoint_restores_nothing(one_device, tmp_path):
    assert TrainingCheckpoint(tmp_path / "empty", _trained(one_device, steps=0)).restore() is None
