"""Exports Keras models as TF Serving versions: `<base_dir>/<model_name>/<version>/`."""

import dataclasses
import errno
import os
import shutil
import socket
import time
import uuid

import keras
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2

from dlx_tf import strict_json
from dlx_tf.export.serving_config import version_numbers, write_models_config
from dlx_tf.processes import process_alive

SERVING_SIGNATURE = "serving_default"
ASSETS_EXTRA = "assets.extra"
MANIFEST_FILE = "manifest.json"
WARMUP_FILE = "tf_serving_warmup_requests"
_TEMPORARY = ".tmp-"  # then host-pid-random: a killed export's folder is recognisable


@dataclasses.dataclass(frozen=True)
class ExportedVersion:
    """One version folder written by `export_saved_model`."""

    path: str
    version: int
    model_name: str


def export_saved_model(
    model_name, *, resources, endpoints, warmup_inputs, manifest, base_dir="saved_models"
):
    """Exports a SavedModel as the next version of `model_name`, never visible half-written.

    The SavedModel, its manifest and warmup requests are written to a temporary folder that
    TF Serving ignores, then renamed into place in one step; on failure nothing is left.
    `base_dir/models.config` is rewritten afterwards.

    Args:
        model_name: the name TF Serving serves the model under.
        resources: Keras models or layers the endpoints use.
        endpoints: `{signature_name: (fn, input_signature)}`; `input_signature` is a list of
            named `tf.TensorSpec`s and `fn` returns a dict of named tensors. Must contain
            `"serving_default"`.
        warmup_inputs: `{input_name: array}`, one batch for `serving_default`; recorded with
            the outputs the exported SavedModel gives for it.
        manifest: JSON-serialisable facts to keep with the model (experiment, config,
            metrics, versions).
        base_dir: the TF Serving model base folder.

    Returns:
        The `ExportedVersion` written.

    Example:
        export_saved_model(
            "mnist_classifier",
            resources=[classifier],
            endpoints={
                "serving_default": (serve, [tf.TensorSpec([None, 28, 28], tf.uint8, name="image")])
            },
            warmup_inputs={"image": images[:2]},
            manifest={"experiment": "mnist", "metrics": {"accuracy": 0.98}},
        )
    """
    if SERVING_SIGNATURE not in endpoints:
        raise ValueError(
            f"endpoints must include {SERVING_SIGNATURE!r}, the signature TF Serving uses by "
            f"default; got {sorted(endpoints)}"
        )
    model_dir = os.path.join(base_dir, model_name)
    os.makedirs(model_dir, exist_ok=True)
    _remove_stale_temporaries(model_dir)
    # TF Serving only loads integer-named folders, so it never looks inside this one.
    temp_dir = os.path.join(model_dir, f"{_TEMPORARY}{socket.gethostname()}-{os.getpid()}-"
                                       f"{uuid.uuid4().hex}")
    try:
        _write_archive(temp_dir, resources, endpoints)
        # Record what serving will return: outputs of the written SavedModel, not the live model.
        loaded = tf.saved_model.load(temp_dir)
        serving_fn = loaded.signatures[SERVING_SIGNATURE]
        inputs = _warmup_tensors(serving_fn, warmup_inputs)
        outputs = serving_fn(**inputs)
        os.makedirs(os.path.join(temp_dir, ASSETS_EXTRA))
        _write_warmup_requests(
            os.path.join(temp_dir, ASSETS_EXTRA, WARMUP_FILE), model_name, inputs
        )
        full_manifest = {
            **manifest,
            "model_name": model_name,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "signatures": {name: _describe(fn) for name, fn in loaded.signatures.items()},
            "warmup": {"inputs": _to_json(inputs), "outputs": _to_json(outputs)},
        }
        version = _move_into_place(temp_dir, model_dir, full_manifest)
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    write_models_config(base_dir)
    return ExportedVersion(
        path=os.path.join(model_dir, str(version)), version=version, model_name=model_name
    )


def _remove_stale_temporaries(model_dir):
    """Removes the temporary folders of exports killed mid-write: those whose process,
    named in the folder, no longer runs on this host (another host's are left alone)."""
    host = socket.gethostname()
    for name in os.listdir(model_dir):
        if not name.startswith(_TEMPORARY):
            continue
        owner_host, _, pid = name[len(_TEMPORARY):].rpartition("-")[0].rpartition("-")
        if owner_host == host and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(os.path.join(model_dir, name), ignore_errors=True)
            print(f"Removed {os.path.join(model_dir, name)}, left by an export that was killed")


def _write_archive(path, resources, endpoints):
    archive = keras.export.ExportArchive()
    for resource in resources:
        archive.track(resource)
    for name, (fn, input_signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=input_signature)
    archive.write_out(path, verbose=False)


def _warmup_tensors(serving_fn, warmup_inputs):
    _, specs = serving_fn.structured_input_signature
    if set(warmup_inputs) != set(specs):
        raise ValueError(
            f"warmup_inputs {sorted(warmup_inputs)} must match the {SERVING_SIGNATURE!r} "
            f"inputs {sorted(specs)}"
        )
    return {
        name: tf.constant(value, dtype=specs[name].dtype) for name, value in warmup_inputs.items()
    }


def _write_warmup_requests(path, model_name, inputs):
    """One PredictionLog holding the whole warmup batch, replayed by TF Serving at load time."""
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = SERVING_SIGNATURE
    for name, tensor in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(tensor.numpy()))
    log = prediction_log_pb2.PredictionLog(
        predict_log=prediction_log_pb2.PredictLog(request=request)
    )
    with tf.io.TFRecordWriter(path) as writer:
        writer.write(log.SerializeToString())


def _move_into_place(temp_dir, model_dir, manifest):
    """Renames `temp_dir` to the next free version; returns that version."""
    version = max(version_numbers(model_dir), default=0) + 1
    while True:
        manifest_path = os.path.join(temp_dir, ASSETS_EXTRA, MANIFEST_FILE)
        with open(manifest_path, "w", encoding="utf-8") as file:
            strict_json.dump({**manifest, "version": version}, file, indent=2,
                             ensure_ascii=False)
        try:
            os.rename(temp_dir, os.path.join(model_dir, str(version)))
            return version
        except OSError as error:
            # Another export took this version after we listed the folder: take the next one.
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            version += 1


def _describe(signature_fn):
    _, input_specs = signature_fn.structured_input_signature
    return {
        "inputs": {name: _describe_tensor(spec) for name, spec in input_specs.items()},
        "outputs": {
            name: _describe_tensor(tensor)
            for name, tensor in signature_fn.structured_outputs.items()
        },
    }


def _describe_tensor(tensor):
    shape = tensor.shape.as_list() if tensor.shape.rank is not None else None
    return {"dtype": tensor.dtype.name, "shape": shape}


def _to_json(tensors):
    return {
        name: _decode_strings(np.asarray(tensor.numpy()).tolist())
        for name, tensor in tensors.items()
    }


def _decode_strings(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, list):
        return [_decode_strings(item) for item in value]
    return value
