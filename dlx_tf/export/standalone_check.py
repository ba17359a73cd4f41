"""Checks one exported SavedModel version the way TF Serving will see it.

    python -I standalone_check.py saved_models/<name> [--version N] [--host localhost:8501]

PATH is a model folder (latest version unless --version) or one version folder. The checks:
every op type in the graph is registered in TensorFlow (or in TF Text, reported as such); the
model loads with `tf.saved_model.load`; the warmup requests replayed through their signatures
return the outputs recorded in the manifest. Then it prints a ready-to-paste REST request.

This file runs in a fresh interpreter and imports only TensorFlow, NumPy, the TF Serving protos
and, when the graph needs them, TF Text; never dlx_tf, so a pass shows that serving needs
nothing from that package. TensorFlow is imported inside the functions that use it so that
usage errors answer at once rather than after its ~10 s import.

Exit status: 0 all checks passed, 1 a check failed, 2 bad usage (missing folder, version or file).
"""

import argparse
import json
import os
import re
import shlex
import sys
import tempfile

SERVING_SIGNATURE = "serving_default"
MANIFEST_FILE = os.path.join("assets.extra", "manifest.json")
WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
# Exports made on a GPU (TF32 matmuls) and checked on a CPU differ by about 1e-4 relative.
FLOAT_RTOL = 1e-3
FLOAT_ATOL = 1e-5
MAX_INLINE_BODY = 4000  # characters of JSON printed inline in the curl command


class UsageError(Exception):
    """A folder, version or file the check needs is missing."""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check an exported SavedModel for TF Serving.")
    parser.add_argument("path", help="saved_models/<name> (latest version) or a version folder")
    parser.add_argument("--version", type=int, help="version to check inside a model folder")
    parser.add_argument("--host", default="localhost:8501", help="TF Serving REST host:port")
    args = parser.parse_args(argv)
    try:
        version_dir = resolve_version_dir(args.path, args.version)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with open(os.path.join(version_dir, MANIFEST_FILE), encoding="utf-8") as file:
        manifest = json.load(file)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    failures = run_checks(version_dir, manifest, args.host)
    if "dlx_tf" in sys.modules:
        failures.append("dlx_tf was imported: serving must not need it")
    for failure in failures:
        print(f"FAILED {failure}")
    print("FAILED" if failures else "OK")
    return 1 if failures else 0


def resolve_version_dir(path, version=None):
    """The version folder to check: `path` itself, or its given or highest integer version."""
    if not os.path.isdir(path):
        raise UsageError(f"{path}: no such folder")
    if version is None and os.path.isfile(os.path.join(path, "saved_model.pb")):
        version_dir = path
    else:
        versions = {
            int(name): name
            for name in os.listdir(path)
            if re.fullmatch(r"[0-9]+", name) and os.path.isdir(os.path.join(path, name))
        }
        if not versions:
            raise UsageError(f"{path}: no integer version folder and no saved_model.pb")
        if version is not None and version not in versions:
            raise UsageError(f"{path}: no version {version} (has {sorted(versions)})")
        version_dir = os.path.join(path, versions[max(versions) if version is None else version])
    for required in ("saved_model.pb", MANIFEST_FILE, WARMUP_FILE):
        if not os.path.isfile(os.path.join(version_dir, required)):
            raise UsageError(f"{version_dir}: no {required}")
    return version_dir


def run_checks(version_dir, manifest, host):
    """Prints the report and returns the failed checks."""
    import tensorflow as tf

    model_dir, version = os.path.split(os.path.abspath(version_dir))
    model_name = os.path.basename(model_dir)
    print(f"model {model_name}, version {version}: {version_dir}")
    failures = check_ops(read_graph_def(version_dir))
    if failures:
        return failures  # loading would only fail with "Op type not registered"

    loaded = tf.saved_model.load(version_dir)
    for line in describe_signatures(loaded) + describe_limits(manifest):
        print(line)
    warmup_failures = check_warmup(
        loaded, read_warmup_requests(os.path.join(version_dir, WARMUP_FILE)), manifest["warmup"]
    )
    print("warmup check:", "FAILED" if warmup_failures else "outputs match the manifest")
    print(f"REST request (TF Serving on {host}):")
    print(rest_request(model_name, host, manifest["warmup"]["inputs"]))
    return warmup_failures


def read_graph_def(version_dir):
    from tensorflow.core.protobuf import saved_model_pb2

    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(version_dir, "saved_model.pb"), "rb") as file:
        saved_model.ParseFromString(file.read())
    return saved_model.meta_graphs[0].graph_def


def check_ops(graph_def):
    core, text_ops, unknown = classify_ops(graph_def)
    used = sorted(core + text_ops + unknown)
    print(f"ops: {len(used)} types: {', '.join(used)}")
    if text_ops:
        print(f"ops check: needs TF Text ops: {', '.join(text_ops)}")
        print("  load after `import tensorflow_text`; TF Serving >= 2.20 is then required")
    if unknown:
        print("ops check: FAILED")
        hint = "" if "tensorflow_text" in sys.modules else " (tensorflow_text is not installed)"
        return [f"ops not registered in TensorFlow or TF Text: {', '.join(unknown)}{hint}"]
    if not text_ops:
        print("ops check: all registered in core TensorFlow")
    return []


def classify_ops(graph_def):
    """Op types of a GraphDef and its function library as sorted (core, TF Text, unknown) lists.

    Run this before anything imports tensorflow_text, or TF Text ops count as core.
    """
    functions = graph_def.library.function
    nodes = [*graph_def.node, *(node for function in functions for node in function.node_def)]
    # A call to a library function is a node whose op is the function's name.
    used = {node.op for node in nodes} - {function.signature.name for function in functions}
    missing = _unregistered(used)
    if missing:
        try:
            import tensorflow_text  # noqa: F401  (registers TF Text's ops)
        except ImportError:
            pass
    unknown = _unregistered(missing)
    text_ops = sorted(set(missing) - set(unknown))
    return sorted(used - set(missing)), text_ops, unknown


def _unregistered(op_types):
    # The registry that tf.saved_model.load resolves op types against.
    from tensorflow.python.framework import op_def_registry

    return sorted(op for op in op_types if op_def_registry.get(op) is None)


def describe_signatures(loaded):
    lines = []
    for name, fn in sorted(loaded.signatures.items()):
        _, inputs = fn.structured_input_signature
        lines.append(f"signature {name}")
        lines += [f"  input  {key}: {spec.dtype.name} {_shown_shape(spec.shape)}"
                  for key, spec in inputs.items()]
        lines += [
            f"  output {key}: {tensor.dtype.name} {tensor.shape}"
            for key, tensor in sorted(fn.structured_outputs.items())
        ]
    return lines


def _shown_shape(shape):
    # dlx_tf declares serving inputs without a shape and checks each in the graph.
    return "(any shape, checked in the graph)" if shape.rank is None else str(shape)


def describe_limits(manifest):
    limits = manifest.get("limits") or {}
    return [f"limit  {name}: {value:,}" for name, value in sorted(limits.items())]


def read_warmup_requests(path):
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_log_pb2

    return [
        prediction_log_pb2.PredictionLog.FromString(record.numpy())
        for record in tf.data.TFRecordDataset(path)
    ]


def check_warmup(loaded, logs, expected):
    """Replays the warmup logs; `serving_default` ones must match the manifest's `warmup`."""
    import tensorflow as tf

    if not logs:
        return ["warmup: no records"]
    failures = []
    for index, log in enumerate(logs):
        if not log.HasField("predict_log"):
            failures.append(f"warmup record {index}: {log.WhichOneof('log_type')} is not checked")
            continue
        request = log.predict_log.request
        signature = request.model_spec.signature_name or SERVING_SIGNATURE
        if signature not in loaded.signatures:
            failures.append(f"warmup record {index}: no signature {signature!r}")
            continue
        inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
        outputs = loaded.signatures[signature](**inputs)
        if signature == SERVING_SIGNATURE:
            failures += compare("input", expected["inputs"], inputs)
            outputs = {name: tensor.numpy() for name, tensor in outputs.items()}
            failures += compare("output", expected["outputs"], outputs)
    return failures


def compare(kind, expected, actual):
    """Failures where the arrays in `actual` differ from the manifest's JSON lists."""
    import numpy as np

    failures = [f"{kind} {name}: not in the manifest" for name in actual if name not in expected]
    for name, expected_value in expected.items():
        if name not in actual:
            failures.append(f"{kind} {name}: missing")
            continue
        value, expected_array = actual[name], np.asarray(expected_value)
        if value.shape != expected_array.shape:
            failures.append(f"{kind} {name}: shape {value.shape}, manifest {expected_array.shape}")
        elif value.dtype.kind in "SO":
            if _decode_strings(value.tolist()) != expected_value:
                failures.append(f"{kind} {name}: strings differ from the manifest")
        else:
            is_float = value.dtype.kind == "f"
            value, expected_array = value.astype(np.float64), expected_array.astype(np.float64)
            if is_float:
                close = np.isclose(value, expected_array, FLOAT_RTOL, FLOAT_ATOL, equal_nan=True)
            else:
                close = value == expected_array
            if not np.all(close):
                difference = np.max(np.abs(value - expected_array))
                failures.append(f"{kind} {name}: max difference {difference:.6g} from the manifest")
    return failures


def _decode_strings(value):
    # Mirrors saved_model._decode_strings: this file must not import dlx_tf.
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, list):
        return [_decode_strings(item) for item in value]
    return value


def rest_request(model_name, host, warmup_inputs):
    """A curl command sending the first warmup example to TF Serving's REST predict API."""
    if all(isinstance(values, list) for values in warmup_inputs.values()):
        instance = {name: values[0] for name, values in warmup_inputs.items()}
        request = {"signature_name": SERVING_SIGNATURE, "instances": [instance]}
    else:  # scalar inputs (generation settings) need the columnar format
        columns = {name: values[:1] if isinstance(values, list) else values
                   for name, values in warmup_inputs.items()}
        request = {"signature_name": SERVING_SIGNATURE, "inputs": columns}
    body = json.dumps(request)
    if len(body) > MAX_INLINE_BODY:  # e.g. a waveform: too long to paste, so kept in a file
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix=f"{model_name}_request_",
                                         delete=False) as file:
            file.write(body)
        body = f"@{file.name}"
    return f"curl -X POST http://{host}/v1/models/{model_name}:predict -d {shlex.quote(body)}"


if __name__ == "__main__":
    sys.exit(main())
