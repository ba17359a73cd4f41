"""`run.json`: the machine-readable record every run leaves in its folder, and the folder's
preparation before a run starts."""

import datetime
import json
import os
import platform
import shutil

import keras
import numpy as np
import tensorflow as tf

import dlx_tf
from dlx_tf import strict_json
from dlx_tf.errors import UsageError
from dlx_tf.training.config import config_differences


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

    def merge(self, field, entries):
        """Adds `entries` (a dict) to the dict `field`."""
        self.update(**{field: {**self.data[field], **entries}})

    def append(self, field, *items):
        """Appends `items` to the list `field`."""
        self.update(**{field: [*self.data[field], *items]})

    def write(self):
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as f:
            strict_json.dump(self.data, f, indent=2, default=_to_json)
        os.replace(temporary, self.path)


def prepare_run_folder(run_dir, config_dict, fresh):
    """Moves a completed run in `run_dir` (or any, with `fresh`) aside to
    `<run_dir>-<time>`; refuses an unfinished one whose config differs from `config_dict`,
    which the caller then resumes."""
    saved = RunRecord.load(run_dir)
    if saved is not None and (fresh or saved.get("status") == "completed"):
        stamp = (saved.get("finished") or saved.get("started") or utc_now()).replace(":", "")
        aside = f"{run_dir.rstrip('/')}-{stamp}"
        shutil.move(run_dir, aside)
        print(f"Moved the earlier run to {aside}; starting a new one in {run_dir}")
    elif saved is not None:
        changed = config_differences(saved["config"], config_dict)
        if changed:
            raise UsageError(
                f"{run_dir} holds an unfinished run with another config ({'; '.join(changed)}): "
                "rerun with its settings to resume, add --fresh to start over, or pick another "
                "--output-dir"
            )


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


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
