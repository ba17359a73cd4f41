"""Resumable training state: model and optimizer variables plus run metadata, per epoch.

A checkpoint is one `.npz` of every variable of the model (weights, batch-norm
statistics, Keras seed-generator states, image pools) and of every optimizer named by
`model.training_optimizers()` (slots, iteration counts), each stored under its name in
the object graph (`dlx_tf.training.variable_names`), so a restore matches variables by
name and never by creation order. A JSON pointer is replaced atomically last, so a process
killed at any moment leaves the previous complete checkpoint in force. Each file also holds
its own pointer, so a damaged newest file or pointer falls back to the newest readable file.
"""

import json
import os
import zipfile

import numpy as np

from dlx_tf import strict_json
from dlx_tf.errors import UsageError
from dlx_tf.training.variable_names import named_variables

_POINTER = "latest.json"
_INSIDE = "__checkpoint__"  # the file's own pointer, as a JSON string
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


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
        pointer = {"file": name, "epoch": epoch, "metadata": metadata}
        with open(temporary, "wb") as f:
            np.savez(f, **{_INSIDE: np.array(strict_json.dumps(pointer))},
                     **{key: np.asarray(v.numpy()) for key, v in variables.items()})
        os.replace(temporary, os.path.join(self.directory, name))
        _write_json_atomically(os.path.join(self.directory, _POINTER), pointer)
        self._prune(keep_name=name)

    @staticmethod
    def find_latest(directory):
        """The newest checkpoint that reads whole: `(pointer, skipped)`; loads nothing.

        `pointer` is a dict (file, epoch, metadata), or None when `directory` holds no
        checkpoint; `skipped` lists `(file, reason)` for each newer file, or a pointer file,
        that could not be read. Checkpoints that are all unreadable are a `UsageError`.
        """
        directory = str(directory)
        if not os.path.isdir(directory):
            return None, []
        files = sorted((f for f in os.listdir(directory)
                        if f.startswith("epoch-") and f.endswith(".npz")), reverse=True)
        skipped, listed = [], None
        if os.path.exists(os.path.join(directory, _POINTER)):
            try:
                listed = _read_json(os.path.join(directory, _POINTER))
                if listed["file"] not in files:
                    skipped.append((_POINTER, f"names {listed['file']}, which is missing"))
            except _UNREADABLE as error:
                skipped.append((_POINTER, _reason(error)))
        for name in files:
            try:
                return _pointer_inside(os.path.join(directory, name), listed), skipped
            except _UNREADABLE as error:
                skipped.append((name, _reason(error)))
        if skipped:
            raise UsageError(f"no readable checkpoint in {directory} ("
                             + "; ".join(f"{f}: {r}" for f, r in skipped)
                             + "): add --fresh to start over")
        return None, []

    def restore(self, pointer=None):
        """Loads the checkpoint `pointer` names (by default the newest readable one) into
        the model; returns its pointer dict, or None when there is none.

        Every variable is matched by name; a name missing on either side or a shape that
        differs is a `UsageError` naming the variable, and then nothing has been assigned.
        """
        if pointer is None:
            pointer, _ = self.find_latest(self.directory)
        if pointer is None:
            return None
        path = os.path.join(self.directory, pointer["file"])
        variables = self._variables()
        with np.load(path) as arrays:
            saved = {key: arrays[key] for key in arrays.files if key != _INSIDE}
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


def _pointer_inside(path, listed):
    """The pointer stored in the checkpoint at `path`, after reading every array (a
    truncated or corrupted file fails here); `listed` serves files written before
    checkpoints held their own pointer."""
    if not zipfile.is_zipfile(path):  # np.load would try it as a pickle
        raise zipfile.BadZipFile("not an .npz (zip) archive")
    with np.load(path) as arrays:
        for key in arrays.files:
            arrays[key]
        if _INSIDE in arrays.files:
            return json.loads(str(arrays[_INSIDE]))
    if listed is not None and listed.get("file") == os.path.basename(path):
        return listed
    raise ValueError("holds no pointer of its own and latest.json does not name it")


def _reason(error):
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _read_json(path):
    with open(path) as f:
        return json.load(f)


def _write_json_atomically(path, data):
    temporary = f"{path}.tmp"
    with open(temporary, "w") as f:
        strict_json.dump(data, f, indent=2)
    os.replace(temporary, path)
