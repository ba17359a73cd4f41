"""Resumable training state: model and optimizer variables plus run metadata, per epoch.

A checkpoint is one `.npz` of every variable of the model (weights, batch-norm
statistics, Keras seed-generator states) and of every optimizer named by
`model.training_optimizers()` (slots, iteration counts), next to a JSON pointer
that is replaced atomically last, so a process killed at any moment leaves the
previous complete checkpoint in force.
"""

import json
import os

import numpy as np

from dlx_tf.errors import UsageError

_POINTER = "latest.json"


class TrainingCheckpoint:
    """Saves and restores the full training state of `model` in `directory`.

    Args:
        directory: folder for the checkpoint files (created on first save).
        model: a built `TrainableModel` whose optimizers are built.
        keep: how many past checkpoints to keep on disk.
    """

    def __init__(self, directory, model, keep=2):
        self.directory = str(directory)
        self.model = model
        self.keep = keep

    def _variables(self):
        groups = {"model": list(self.model.variables)}
        for name, optimizer in sorted(self.model.training_optimizers().items()):
            groups[f"optimizer/{name}"] = list(optimizer.variables)
        return [(f"{group}/{i:05d}", v) for group, vs in groups.items() for i, v in enumerate(vs)]

    def save(self, epoch, metadata):
        """Writes the state after `epoch` completed epochs, with JSON `metadata`."""
        os.makedirs(self.directory, exist_ok=True)
        variables = self._variables()
        name = f"epoch-{epoch:05d}.npz"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "wb") as f:
            np.savez(f, **{key: np.asarray(v.numpy()) for key, v in variables})
        os.replace(temporary, os.path.join(self.directory, name))
        pointer = {
            "file": name,
            "epoch": epoch,
            "variables": {key: [v.path, list(v.shape)] for key, v in variables},
            "metadata": metadata,
        }
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
        """Loads the latest checkpoint into the model; returns its pointer dict, or None."""
        pointer = self.read_pointer(self.directory)
        if pointer is None:
            return None
        pointer_path = os.path.join(self.directory, _POINTER)
        variables = self._variables()
        saved = pointer["variables"]
        if [key for key, _ in variables] != list(saved):
            raise UsageError(
                f"checkpoint {pointer_path} holds {len(saved)} variables, this model has "
                f"{len(variables)}: it was written by a different model; use a new --output-dir"
            )
        with np.load(os.path.join(self.directory, pointer["file"])) as arrays:
            for key, variable in variables:
                value = arrays[key]
                if tuple(value.shape) != tuple(variable.shape):
                    raise UsageError(
                        f"checkpoint {pointer_path}: variable {saved[key][0]} has shape "
                        f"{tuple(value.shape)}, the model expects {tuple(variable.shape)}"
                    )
                variable.assign(value)
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
