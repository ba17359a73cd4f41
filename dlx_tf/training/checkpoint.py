"""Resumable training state: model and optimizer variables plus run metadata, per epoch.

A checkpoint is one `.npz` of every variable of the model (weights, batch-norm
statistics, Keras seed-generator states, image pools) and of every optimizer named by
`model.training_optimizers()` (slots, iteration counts), each stored under its name in
the object graph (`dlx_tf.training.variable_names`), so a restore matches variables by
name and never by creation order. A JSON pointer is replaced atomically last, so a process
killed at any moment leaves the previous complete checkpoint in force.
"""

import json
import os

import numpy as np

from dlx_tf.errors import UsageError
from dlx_tf.training.variable_names import named_variables

_POINTER = "latest.json"


class TrainingCheckpoint:
    """Saves and restores the full training state of `model` in `directory`.

    Args:
        directory: folder for the checkpoint files (created on first save).
        model: a built `TrainableModel` whose optimizers are built.
        keep: how many past checkpoints to keep on disk.

    Example:
    ```python
    checkpoint = TrainingCheckpoint("runs/x/checkpoints", trainer)
    pointer = checkpoint.restore()  # None when there is none yet
    checkpoint.save(epoch=3, metadata={"history": history})
    ```
    """

    def __init__(self, directory, model, keep=2):
        self.directory = str(directory)
        self.model = model
        self.keep = keep

    def _variables(self):
        return named_variables(self.model, self.model.training_optimizers())

    def save(self, epoch, metadata):
        """Writes the state after `epoch` completed epochs, with JSON `metadata`."""
        os.makedirs(self.directory, exist_ok=True)
        variables = self._variables()
        name = f"epoch-{epoch:05d}.npz"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "wb") as f:
            np.savez(f, **{key: np.asarray(v.numpy()) for key, v in variables.items()})
        os.replace(temporary, os.path.join(self.directory, name))
        pointer = {"file": name, "epoch": epoch, "metadata": metadata}
        _write_json_atomically(os.path.join(self.directory, _POINTER), pointer)
        self._prune(keep_name=name)

    @staticmethod
    def read_pointer(directory):
        """The latest checkpoint's pointer dict (epoch, metadata), or None; loads nothing."""
        pointer_path = os.path.join(str(directory), _POINTER)
        if not os.path.exists(pointer_path):
            return None
        with open(pointer_path) as f:
            return json.load(f)

    def restore(self):
        """Loads the latest checkpoint into the model; returns its pointer dict, or None.

        Every variable is matched by name; a name missing on either side or a shape that
        differs is a `UsageError` naming the variable, and then nothing has been assigned.
        """
        pointer = self.read_pointer(self.directory)
        if pointer is None:
            return None
        path = os.path.join(self.directory, pointer["file"])
        variables = self._variables()
        with np.load(path) as arrays:
            saved = {key: arrays[key] for key in arrays.files}
        missing, unexpected = sorted(variables.keys() - saved), sorted(saved.keys() - variables)
        if missing or unexpected:
            problem = (f"has no variable {missing[0]}" if missing
                       else f"holds variable {unexpected[0]}, which this model does not have")
            raise UsageError(f"checkpoint {path} {problem}: it was written by a different "
                             "model; use a new --output-dir or --fresh")
        for key, variable in variables.items():
            if tuple(saved[key].shape) != tuple(variable.shape):
                raise UsageError(f"checkpoint {path}: variable {key} has shape "
                                 f"{tuple(saved[key].shape)}, the model expects "
                                 f"{tuple(variable.shape)}")
        for key, variable in variables.items():
            variable.assign(saved[key])
        return pointer

    def _prune(self, keep_name):
        files = sorted(f for f in os.listdir(self.directory) if f.startswith("epoch-"))
        for old in files[: max(0, len(files) - self.keep)]:
            if old != keep_name:
                os.remove(os.path.join(self.directory, old))


def _write_json_atomically(path, data):
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(temporary, path)
