"""The frozen-backbone phase of transfer learning, as a Keras callback."""

import keras

from dlx_tf.errors import UsageError


class BackboneUnfreezing(keras.callbacks.Callback):
    """Freezes a trainer's pretrained backbone for the first `freeze_epochs` epochs
    (`AudioNetTrainer`, `MultiNet`: anything with a `backbone_frozen` attribute).

    Sets `backbone_frozen` at the start of every epoch, the first of a resumed run
    included, and when it changes re-traces the train step, which read the old value
    when traced (Keras 3 `fit` looks up `model.train_function` before every step).

    Args:
        freeze_epochs: epochs in which only the new layers train; 0 trains everything.

    Example:
    ```python
    trainer.fit(train, epochs=30, callbacks=[BackboneUnfreezing(2)])
    ```
    """

    def __init__(self, freeze_epochs):
        super().__init__()
        if freeze_epochs < 0:
            raise UsageError(f"freeze_epochs must be 0 or more; got {freeze_epochs}")
        self.freeze_epochs = freeze_epochs

    def on_epoch_begin(self, epoch, logs=None):
        frozen = epoch < self.freeze_epochs
        if frozen != self.model.backbone_frozen:
            self.model.backbone_frozen = frozen
            self.model.make_train_function(force=True)
