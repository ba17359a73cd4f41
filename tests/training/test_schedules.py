import keras
import numpy as np
import pytest

from dlx_tf.training.schedules import LinearDecaySchedule, WarmupLinearDecaySchedule


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


def test_warmup_then_linear_decay_by_hand():
    # The official BERT code: warm-up over 2 steps, decay over all 8 steps.
    schedule = WarmupLinearDecaySchedule(1.0, warmup_steps=2, total_steps=8)
    rates = [float(schedule(step)) for step in range(10)]
    assert rates == pytest.approx([0, 0.5, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0, 0])


def test_no_warmup_starts_at_the_peak_and_bad_warmup_is_refused():
    assert float(WarmupLinearDecaySchedule(3e-5, 0, 10)(0)) == pytest.approx(3e-5)
    with pytest.raises(ValueError, match="warmup_steps"):
        WarmupLinearDecaySchedule(3e-5, warmup_steps=10, total_steps=10)


def test_warmup_schedule_serializes_inside_adamw():
    schedule = WarmupLinearDecaySchedule(2e-5, 7, 70)
    config = keras.optimizers.AdamW(schedule, weight_decay=0.01).get_config()
    restored = keras.saving.deserialize_keras_object(config["learning_rate"])
    assert isinstance(restored, WarmupLinearDecaySchedule)
    assert restored.get_config() == schedule.get_config()
