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
