import keras
import numpy as np
import pytest

from dlx_tf.training.schedules import LinearDecaySchedule


def test_constant_then_linear_decay_by_hand():
    # 3 constant epochs, 4 decay epochs, 2 steps per epoch, rate 1.
    schedule = LinearDecaySchedule(1.0, steps_per_epoch=2, constant_epochs=3, decay_epochs=4)
    rates = [float(schedule(step)) for step in range(14)]
    per_epoch = [1, 1, 1, 4 / 5, 3 / 5, 2 / 5, 1 / 5]
    assert rates == pytest.approx(np.repeat(per_epoch, 2))


def test_paper_schedule_endpoints():
    schedule = LinearDecaySchedule(2e-4, steps_per_epoch=1000, constant_epochs=100,
                                   decay_epochs=100)
    assert float(schedule(99_999)) == pytest.approx(2e-4)  # last step of epoch 100
    assert float(schedule(100_000)) == pytest.approx(2e-4 * 100 / 101)
    assert float(schedule(199_999)) == pytest.approx(2e-4 / 101)


def test_serializes_inside_an_optimizer():
    schedule = LinearDecaySchedule(2e-4, 10, 5, 5)
    config = keras.optimizers.Adam(schedule, beta_1=0.5).get_config()
    restored = keras.saving.deserialize_keras_object(config["learning_rate"])
    assert isinstance(restored, LinearDecaySchedule)
    assert restored.get_config() == schedule.get_config()
