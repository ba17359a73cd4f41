"""`run.json`: the machine-readable record every run leaves in its folder."""

import json
import os
import platform

import keras
import numpy as np
import tensorflow as tf

import dlx_tf


class RunRecord:
    """A dict written atomically to `<run_dir>/run.json` after every change."""

    def __init__(self, run_dir, initial):
        self.path = os.path.join(str(run_dir), "run.json")
        self.data = dict(initial)
        self.write()

    @staticmethod
    def load(run_dir):
        path = os.path.join(str(run_dir), "run.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def update(self, **fields):
        self.data.update(fields)
        self.write()

    def write(self):
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as f:
            json.dump(self.data, f, indent=2, default=_to_json)
        os.replace(temporary, self.path)


def library_versions():
    versions = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "dlx_tf": dlx_tf.__version__,
    }
    try:
        import keras_hub

        versions["keras_hub"] = keras_hub.__version__
    except ImportError:
        versions["keras_hub"] = None
    return versions


def parameter_counts(models):
    """`{name: {"params", "trainable_params"}}` for every named sub-model."""
    return {
        name: {
            "params": int(model.count_params()),
            "trainable_params": int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        }
        for name, model in models.items()
    }


def _to_json(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
