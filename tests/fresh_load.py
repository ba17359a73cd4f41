"""A run's saved models loaded as a user's new Python session loads them: a fresh process
that imports Keras and the modules registering the models' classes, never the experiment
scripts or the `Run`.

Run as a script (`python fresh_load.py REQUEST RESPONSE`) it is that fresh process."""

import importlib
import os
import pickle
import subprocess
import sys
import tempfile

import keras
import numpy as np

# What loading a saved model must not need.
_TRAINING_ONLY = ("experiments", "dlx_tf.training.run")


def saved_model_outputs(path, inputs, preset_class=None):
    """Loads the `.keras` file, or the KerasHub preset folder through
    `keras_hub.models.<preset_class>.from_preset`, at `path`, and returns its inference
    outputs on `inputs` as NumPy (through a task's preprocessor first, if it has one)."""
    if os.path.isdir(path):
        keras_hub = importlib.import_module("keras_hub")
        model = getattr(keras_hub.models, preset_class).from_preset(path)
    else:
        model = keras.saving.load_model(path)
    if getattr(model, "preprocessor", None) is not None:
        inputs = model.preprocessor(inputs)
    return keras.tree.map_structure(keras.ops.convert_to_numpy, model(inputs, training=False))


def check_fresh_load(calls, modules, preset_class=None, timeout=300):
    """Loads each saved model of `calls` (`{name: (path, inputs)}`) in a fresh process
    that imports only Keras and `modules`; asserts it gives the outputs the same file gives
    in this process and that nothing of `_TRAINING_ONLY` was imported. Returns
    `{name: outputs}` from the fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        request = os.path.join(folder, "request.pickle")
        response = os.path.join(folder, "response.pickle")
        with open(request, "wb") as file:
            pickle.dump((modules, calls, preset_class), file)
        result = subprocess.run([sys.executable, os.path.abspath(__file__), request, response],
                                cwd=folder, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, result.stderr[-3000:]
        with open(response, "rb") as file:
            outputs, imported = pickle.load(file)
    assert imported == [], f"loading the saved models imported {imported}"
    _import(modules)
    for name, (path, inputs) in calls.items():
        keras.tree.map_structure(
            lambda got, want, name=name: np.testing.assert_allclose(
                got, want, rtol=1e-5, atol=1e-6, err_msg=name),
            outputs[name], saved_model_outputs(path, inputs, preset_class))
    return outputs


def _answer(request, response):
    with open(request, "rb") as file:
        modules, calls, preset_class = pickle.load(file)
    _import(modules)
    outputs = {name: saved_model_outputs(path, inputs, preset_class)
               for name, (path, inputs) in calls.items()}
    imported = sorted(module for module in sys.modules
                      if any(module == unwanted or module.startswith(f"{unwanted}.")
                             for unwanted in _TRAINING_ONLY))
    with open(response, "wb") as file:
        pickle.dump((outputs, imported), file)


def _import(modules):
    for module in modules:
        importlib.import_module(module)


if __name__ == "__main__":
    _answer(*sys.argv[1:])
