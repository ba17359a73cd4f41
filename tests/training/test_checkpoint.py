import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from two_player import TwoPlayer, regression_data

from dlx_tf.errors import UsageError
from dlx_tf.training.checkpoint import TrainingCheckpoint
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


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


def _two_epochs(one_device, folder):
    """Checkpoints after epoch 1 (one step) and epoch 2 (two more); returns the weights
    of epoch 1."""
    model = _trained(one_device, steps=1)
    checkpoint = TrainingCheckpoint(folder, model)
    checkpoint.save(1, {"history": [{"epoch": 1}]})
    first = [w.copy() for w in model.get_weights()]
    model.fit(regression_data().batch(32).take(2), verbose=0, shuffle=False)
    checkpoint.save(2, {"history": [{"epoch": 1}, {"epoch": 2}]})
    return first


def _damage_newest(folder):
    newest = folder / "epoch-00002.npz"
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])


def _damage_pointer(folder):
    (folder / "latest.json").write_text("")


def _remove_newest(folder):
    (folder / "epoch-00002.npz").unlink()


@pytest.mark.parametrize("damage, skipped, reason", [
    (_damage_newest, ["epoch-00002.npz"], "BadZipFile"),
    (_remove_newest, ["latest.json"], "names epoch-00002.npz, which is missing"),
])
def test_a_damaged_or_missing_newest_checkpoint_falls_back_to_the_one_before(
        one_device, tmp_path, damage, skipped, reason):
    first = _two_epochs(one_device, tmp_path)
    damage(tmp_path)
    pointer, skipped_files = TrainingCheckpoint.find_latest(tmp_path)
    assert pointer["epoch"] == 1 and pointer["metadata"] == {"history": [{"epoch": 1}]}
    assert [name for name, _ in skipped_files] == skipped
    assert reason in skipped_files[0][1]
    fresh = _trained(one_device, steps=0, seed=1)
    TrainingCheckpoint(tmp_path, fresh).restore(pointer)
    for a, b in zip(first, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_an_emptied_pointer_is_skipped_for_the_newest_file(one_device, tmp_path):
    _two_epochs(one_device, tmp_path)
    _damage_pointer(tmp_path)
    pointer, skipped = TrainingCheckpoint.find_latest(tmp_path)
    assert pointer["epoch"] == 2
    assert skipped == [("latest.json", "JSONDecodeError: Expecting value: line 1 column 1 "
                                       "(char 0)")]


def test_checkpoints_that_are_all_damaged_are_one_error_naming_each(one_device, tmp_path):
    _two_epochs(one_device, tmp_path)
    for path in tmp_path.glob("epoch-*.npz"):
        path.write_bytes(b"\0" * 64)
    with pytest.raises(UsageError, match=r"no readable checkpoint in .*epoch-00002.npz: "
                                         r"BadZipFile.*epoch-00001.npz: BadZipFile.*--fresh"):
        TrainingCheckpoint.find_latest(tmp_path)


class Twins(TrainableModel):
    """Two same-shaped layers, created in either order: Keras then names them the other
    way round (`dense` / `dense_1`), and lists their optimizer slots the other way round."""

    def __init__(self, left_first, **kwargs):
        super().__init__(**kwargs)
        if left_first:
            self.left = keras.layers.Dense(4)
            self.right = keras.layers.Dense(4)
        else:
            self.right = keras.layers.Dense(4)
            self.left = keras.layers.Dense(4)
        self.noise = keras.random.SeedGenerator(7)

    def call(self, x):
        return self.right(self.left(x)) + keras.random.normal((1, 4), seed=self.noise)

    def compile(self, optimizer):
        super().compile()
        self.twins_optimizer = prepare_optimizer(optimizer, self.trainable_variables)

    def training_optimizers(self):
        return {"twins": self.twins_optimizer}

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = keras.losses.MeanSquaredError()(y, self(x, training=True))
        self.twins_optimizer.apply(tape.gradient(loss, self.trainable_variables),
                                   self.trainable_variables)
        return {"mse": loss}


def _twins(one_device, left_first, steps):
    data = tf.data.Dataset.from_tensor_slices(
        (np.random.default_rng(0).normal(size=(64, 4)).astype("float32"),
         np.ones((64, 4), "float32"))).batch(16)
    keras.utils.set_random_seed(int(left_first))
    with one_device.scope():
        model = Twins(left_first)
        model(np.ones((1, 4), "float32"))
        model.compile(keras.optimizers.Adam(0.1))
    if steps:
        model.fit(data.take(steps), verbose=0, shuffle=False)
    return model


def _slots(model, layer):
    optimizer = model.twins_optimizer
    index = optimizer._get_variable_index(layer.kernel)
    return optimizer._momentums[index].numpy(), optimizer._velocities[index].numpy()


def test_variables_created_in_another_order_restore_by_name_not_position(one_device, tmp_path):
    trained = _twins(one_device, left_first=True, steps=3)
    TrainingCheckpoint(tmp_path, trained).save(1, {})
    swapped = _twins(one_device, left_first=False, steps=0)
    # Creation order decides Keras' own names and the order of the optimizer's slots.
    assert trained.variables[0].path.split("/")[-2] != swapped.variables[0].path.split("/")[-2]
    assert (trained.twins_optimizer._get_variable_index(trained.left.kernel)
            != swapped.twins_optimizer._get_variable_index(swapped.left.kernel))

    TrainingCheckpoint(tmp_path, swapped).restore()
    for layer in ("left", "right"):
        ours, theirs = getattr(swapped, layer), getattr(trained, layer)
        np.testing.assert_array_equal(ours.kernel.numpy(), theirs.kernel.numpy())
        for a, b in zip(_slots(swapped, ours), _slots(trained, theirs)):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(swapped.noise.state.numpy(), trained.noise.state.numpy())
    assert int(swapped.twins_optimizer.iterations.numpy()) == 3
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(swapped.right(swapped.left(x)), trained.right(trained.left(x)))


def test_a_renamed_or_reshaped_variable_is_refused_by_name_and_nothing_is_assigned(
        one_device, tmp_path):
    TrainingCheckpoint(tmp_path, _twins(one_device, left_first=True, steps=1)).save(1, {})
    renamed = _twins(one_device, left_first=True, steps=0)
    renamed.middle = renamed.right
    del renamed.right
    before = [v.numpy() for v in renamed.variables]
    with pytest.raises(UsageError, match="has no variable model/middle/_kernel: it was "
                                         "written by a different model"):
        TrainingCheckpoint(tmp_path, renamed).restore()
    for a, b in zip(before, renamed.variables):
        np.testing.assert_array_equal(a, b.numpy())

    with one_device.scope():
        wider = Twins(True)
        wider.left = keras.layers.Dense(5)
        wider(np.ones((1, 4), "float32"))
        wider.compile(keras.optimizers.Adam(0.1))
    with pytest.raises(UsageError, match=r"variable model/left/_kernel has shape \(4, 4\), "
                                         r"the model expects \(4, 5\)"):
        TrainingCheckpoint(tmp_path, wider).restore()
