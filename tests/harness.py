"""The shared model test harness: every model family's tests drive these checks."""

import inspect
import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.export import export_saved_model


def check_config_round_trip(cls, kwargs):
    """`get_config` mirrors every constructor argument and `from_config` rebuilds the same."""
    signature = inspect.signature(cls.__init__)
    for name, value in kwargs.items():
        default = signature.parameters[name].default
        assert value != default, f"set {name} to a non-default value in the test"
    model = cls(**kwargs)
    config = model.get_config()
    for name, value in kwargs.items():
        expected = list(value) if isinstance(value, tuple) else value
        assert config[name] == expected, name
    assert cls.from_config(config).get_config() == config


def check_keras_file_round_trip(model, inputs, tmp_path):
    """A `.keras` save and load gives the same outputs (a tensor, or a dict or list of them)."""
    expected = keras.tree.map_structure(keras.ops.convert_to_numpy, model(inputs))
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    keras.tree.map_structure(
        lambda got, want: np.testing.assert_allclose(keras.ops.convert_to_numpy(got), want,
                                                     rtol=1e-5, atol=1e-6),
        restored(inputs), expected)


def check_saved_model_matches(model_name, model, endpoints, inputs, live_outputs, tmp_path):
    """The exported `serving_default` returns the live model's outputs."""
    exported = export_saved_model(
        model_name, resources=[model], endpoints=endpoints, warmup_inputs=inputs,
        manifest={"experiment": "test"}, base_dir=str(tmp_path / "saved_models"),
    )
    loaded = tf.saved_model.load(exported.path)
    served = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
    for name, expected in live_outputs.items():
        np.testing.assert_allclose(served[name].numpy(), expected, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    return exported


def train_under(strategy, make_model, compile_model, dataset, epochs, seed=0):
    """Trains a fresh model under `strategy` from fixed initial weights; returns
    `(weights, history)` for comparing strategies."""
    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = make_model()
        compile_model(model)
        model.build_for_training(next(iter(dataset)))
    history = model.fit(dataset, epochs=epochs, verbose=0, shuffle=False)
    return [np.asarray(w) for w in model.get_weights()], history.history


def check_any_size_export(model_name, model, output_name, images, other_images, tmp_path):
    """A fully convolutional model exported with unknown height and width serves both the
    warmup size and `other_images` like the live model; returns the served other output."""

    def serve(batch):
        return {output_name: model(batch, training=False)}

    signature = [tf.TensorSpec([None, None, None, images.shape[-1]], tf.float32, name="images")]
    exported = check_saved_model_matches(
        model_name, model, {"serving_default": (serve, signature)}, {"images": images},
        {output_name: keras.ops.convert_to_numpy(model(images))}, tmp_path,
    )
    served = tf.saved_model.load(exported.path).signatures["serving_default"](
        images=tf.constant(other_images))[output_name]
    np.testing.assert_allclose(served, model(other_images), rtol=1e-5, atol=1e-6)
    return served


def check_size_rule(generator, channels=3):
    """An image generator's `size_multiple` and `min_side` are the rule it enforces: the
    smallest image, and one a multiple wider, come back at their own size; a multiple
    smaller, or a pixel off a multiple, is refused with an error naming the axis."""
    multiple, low = generator.size_multiple, generator.min_side
    for height, width in ((low, low), (low, low + multiple)):
        assert generator(np.zeros((1, height, width, channels), "float32")).shape == (
            1, height, width, generator.output_channels)
    for height, width, refused in ((low - multiple, low, "height"), (low, low + 1, "width")):
        size = height if refused == "height" else width
        try:
            generator(np.zeros((1, height, width, channels), "float32"))
        except ValueError as error:
            assert f"multiples of {multiple} and at least {low}; got {refused} {size}" in str(
                error)
        else:
            raise AssertionError(f"{height}×{width} images were not refused")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_experiment_script(name, base, *settings, timeout=900):
    """Runs `python experiments/<name>.py` into `base/run` (exports into
    `base/saved_models`) with `--set` for each of `settings`; returns its `run.json`."""
    command = [sys.executable, os.path.join(ROOT, "experiments", f"{name}.py"),
               "--output-dir", str(base / "run"), "--export-dir", str(base / "saved_models")]
    for setting in settings:
        command += ["--set", setting]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    with open(base / "run" / "run.json") as f:
        return json.load(f)
