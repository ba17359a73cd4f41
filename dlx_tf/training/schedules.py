"""Learning-rate schedules shared by model families."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class LinearDecaySchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Constant for `constant_epochs`, then linear decay towards zero over `decay_epochs`.

    The CycleGAN/pix2pix policy (Zhu et al. 2017, §7.1; official `networks.py`
    `lambda_rule` with `epoch_count=1`, stepped after each epoch): epoch `e` (0-based)
    trains with `rate * (1 - max(0, e + 1 - constant_epochs) / (decay_epochs + 1))`,
    so the last epoch uses `rate / (decay_epochs + 1)`.

    Args:
        initial_learning_rate: the constant rate.
        steps_per_epoch: optimizer steps in one epoch.
        constant_epochs: epochs at the constant rate (`n_epochs`).
        decay_epochs: epochs of linear decay (`n_epochs_decay`).

    Example:
    ```python
    schedule = LinearDecaySchedule(2e-4, steps_per_epoch=1000, constant_epochs=100,
                                   decay_epochs=100)
    keras.optimizers.Adam(schedule, beta_1=0.5)
    ```
    """

    def __init__(self, initial_learning_rate, steps_per_epoch, constant_epochs, decay_epochs):
        self.initial_learning_rate = initial_learning_rate
        self.steps_per_epoch = steps_per_epoch
        self.constant_epochs = constant_epochs
        self.decay_epochs = decay_epochs

    def __call__(self, step):
        epoch = ops.floor(ops.cast(step, "float32") / self.steps_per_epoch)
        decayed = ops.maximum(0.0, epoch + 1.0 - self.constant_epochs)
        return self.initial_learning_rate * (1.0 - decayed / (self.decay_epochs + 1.0))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "steps_per_epoch": self.steps_per_epoch,
            "constant_epochs": self.constant_epochs,
            "decay_epochs": self.decay_epochs,
        }


@keras.saving.register_keras_serializable(package="dlx_tf")
class WarmupLinearDecaySchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from zero to `peak_learning_rate`, then linear decay to zero.

    The BERT policy (Devlin et al. 2019, §A.2; official `optimization.py`): step `s`
    trains with `peak * s / warmup_steps` while `s < warmup_steps`, else with
    `peak * (1 - s / total_steps)` — the decay runs over all steps, warm-up included,
    so the rate drops slightly as warm-up ends, as in the official code.

    Args:
        peak_learning_rate: the rate reached at the end of warm-up.
        warmup_steps: optimizer steps of warm-up (0 starts at the peak).
        total_steps: optimizer steps of the whole run; the rate is zero from there on.

    Example:
    ```python
    schedule = WarmupLinearDecaySchedule(2e-5, warmup_steps=375, total_steps=3750)
    keras.optimizers.AdamW(schedule, weight_decay=0.01)
    ```
    """

    def __init__(self, peak_learning_rate, warmup_steps, total_steps):
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"warmup_steps: expected 0 <= warmup_steps < total_steps "
                             f"({total_steps}), got {warmup_steps}")
        self.peak_learning_rate = peak_learning_rate
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warmup = step / max(self.warmup_steps, 1)
        decay = 1.0 - step / self.total_steps
        fraction = ops.where(step < self.warmup_steps, warmup, ops.maximum(decay, 0.0))
        return self.peak_learning_rate * fraction

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
        }
