"""Sends one predict request to a TF Serving model over REST or gRPC and shows the answer.

    python -m dlx_tf.serve_client --rest localhost:8501 --model intro_mlp digit.png
    python -m dlx_tf.serve_client --grpc localhost:8500 \\
        --model cyclegan_summer2winter_yosemite_a2b photo.jpg other.png --output-dir out
    python -m dlx_tf.serve_client --grpc localhost:8500 --model pegasus_acai_cifar10 \\
        --image images_a_bytes=a.png --image images_b_bytes=b.png --input 'alpha=[0.5]'
    python -m dlx_tf.serve_client --rest localhost:8501 --model austen_net \\
        --signature serving_default --input 'prompts=["It is a truth"]' \\
        --input max_new_tokens=40 --input temperature=0.8 --input top_k=0 \\
        --input top_p=0.95 --input seed=0

Image files are sent as their encoded bytes (PNG or JPEG, read as they are): the positional
files as `images_bytes`, `--image NAME=FILE` (repeatable, in batch order) to other inputs;
the default signature is `encoded`, the PNG/JPEG signature of the image exports. Other inputs
are JSON (`--input NAME=JSON`); over gRPC their dtypes come from the model's metadata. PNGs
in the answer are written to `--output-dir` as `<model>_<n>.png`, numbered in order; every
other output is printed as `name: JSON`.

Exit status: 0 answered; 1 the server refused the request or did not answer in time; 2 bad
usage, or no server at the address.
"""

import argparse
import base64
import json
import os
import socket
import sys
import urllib.error
import urllib.request

from dlx_tf.export.encoded_format import ENCODED_SIGNATURE, PNG_SIGNATURE

CONNECT_TIMEOUT = 5  # seconds for the server to accept a connection


class ClientError(Exception):
    """A request that could not be made or was refused; `status` is the exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        inputs = _inputs(args)
        send = _predict_rest if args.rest else _predict_grpc
        outputs = send(args.rest or args.grpc, args.model, args.signature, args.version,
                       inputs, args.timeout)
    except ClientError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.status
    _show(outputs, args.model, args.output_dir)
    return 0


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m dlx_tf.serve_client",
        description="Send one predict request to TF Serving and show the answer.")
    server = parser.add_mutually_exclusive_group(required=True)
    server.add_argument("--rest", metavar="HOST:PORT", help="TF Serving's REST port, e.g. 8501")
    server.add_argument("--grpc", metavar="HOST:PORT", help="TF Serving's gRPC port, e.g. 8500")
    parser.add_argument("--model", required=True, help="the model name TF Serving serves")
    parser.add_argument("--signature", default=ENCODED_SIGNATURE, help="default: %(default)s")
    parser.add_argument("--version", type=int, help="model version (default: the latest)")
    parser.add_argument("files", nargs="*", help="PNG or JPEG files, sent as `images_bytes`")
    parser.add_argument("--image", action="append", default=[], metavar="NAME=FILE",
                        help="a PNG or JPEG file for the input NAME (repeat for a batch)")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=JSON",
                        help="a JSON value for the input NAME")
    parser.add_argument("--output-dir", default=".", help="where PNG outputs go")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for the answer (default: %(default)s)")
    return parser


def _inputs(args):
    """`{name: value}`: lists of file bytes for images, decoded JSON for the rest."""
    inputs = {}
    for name, path in [("images_bytes", path) for path in args.files] + [
            _split(item, "--image", "NAME=FILE") for item in args.image]:
        try:
            with open(path, "rb") as file:
                inputs.setdefault(name, []).append(file.read())
        except OSError as error:
            raise ClientError(f"{path}: {error.strerror}", 2) from None
    for item in args.input:
        name, text = _split(item, "--input", "NAME=JSON")
        try:
            inputs[name] = json.loads(text)
        except json.JSONDecodeError as error:
            raise ClientError(f"--input {name}: expected JSON, got {text!r} ({error})", 2) from None
    if not inputs:
        raise ClientError("nothing to send: give image files, --image or --input", 2)
    return inputs


def _split(item, flag, form):
    name, equals, value = item.partition("=")
    if not (name and equals):
        raise ClientError(f"{flag}: expected {form}, got {item!r}", 2)
    return name, value


def _check_reachable(address):
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except ValueError:
        raise ClientError(f"expected the server as HOST:PORT, got {address!r}", 2) from None
    except OSError as error:
        raise ClientError(f"no server answered at {address} within {CONNECT_TIMEOUT} s "
                          f"({error})", 2) from None


# === REST ===


def _predict_rest(address, model, signature, version, inputs, timeout):
    _check_reachable(address)
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version else "") + ":predict"
    # The columnar format: inputs of different batch sizes and scalars allowed.
    body = {"signature_name": signature, "inputs": {
        name: [{"b64": base64.b64encode(item).decode()} for item in value]
        if _is_bytes_list(value) else value for name, value in inputs.items()}}
    request = urllib.request.Request(f"http://{address}{path}", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            outputs = json.load(response)["outputs"]
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        try:
            detail = json.loads(detail)["error"]
        except (ValueError, KeyError, TypeError):
            pass
        raise ClientError(f"HTTP {error.code} from {address}: {_one_line(detail)}", 1) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ClientError(f"no answer from {address} within {timeout:g} s ({reason})", 1) from None
    except (ValueError, KeyError) as error:
        raise ClientError(f"{address} did not answer in TF Serving's JSON ({error!r})", 1) from None
    # TF Serving leaves out the name of a lone output; outputs named *_bytes come as b64.
    return {name: _from_b64(value) for name, value in
            (outputs.items() if isinstance(outputs, dict) else [("outputs", outputs)])}


def _is_bytes_list(value):
    return isinstance(value, list) and all(isinstance(item, bytes) for item in value)


def _from_b64(value):
    if isinstance(value, list):
        return [_from_b64(item) for item in value]
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    return value


# === gRPC ===


def _predict_grpc(address, model, signature, version, inputs, timeout):
    # Imported here: TensorFlow (which the protos come with) takes seconds to import.
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import (
        get_model_metadata_pb2,
        predict_pb2,
        prediction_service_pb2_grpc,
    )

    _check_reachable(address)
    unlimited = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    with grpc.insecure_channel(address, options=unlimited) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        try:
            metadata = get_model_metadata_pb2.GetModelMetadataRequest(
                metadata_field=["signature_def"])
            _set_model_spec(metadata.model_spec, model, None, version)
            signatures = get_model_metadata_pb2.SignatureDefMap()
            stub.GetModelMetadata(metadata, timeout=timeout).metadata["signature_def"].Unpack(
                signatures)
            if signature not in signatures.signature_def:
                # Leaving out the SavedModel's own `__saved_model_init_op`.
                served = sorted(name for name in signatures.signature_def
                                if not name.startswith("__"))
                raise ClientError(f"model {model} has no signature {signature!r} (it has "
                                  f"{', '.join(served)})", 1)
            specs = signatures.signature_def[signature].inputs
            unknown = sorted(set(inputs) - set(specs))
            if unknown:
                raise ClientError(f"signature {signature!r} of {model} has no input "
                                  f"{', '.join(unknown)} (it has {', '.join(sorted(specs))})", 2)
            request = predict_pb2.PredictRequest()
            _set_model_spec(request.model_spec, model, signature, version)
            for name, value in inputs.items():
                try:
                    tensor = tf.make_tensor_proto(value, specs[name].dtype)
                except (TypeError, ValueError) as error:
                    raise ClientError(f"input {name}: {_one_line(error)}", 2) from None
                request.inputs[name].CopyFrom(tensor)
            response = stub.Predict(request, timeout=timeout)
        except grpc.RpcError as error:
            raise ClientError(f"gRPC {error.code().name} from {address}: "
                              f"{_one_line(error.details())}", 1) from None
    return {name: tf.make_ndarray(proto).tolist() for name, proto in response.outputs.items()}


def _set_model_spec(spec, model, signature, version):
    spec.name = model
    if signature:
        spec.signature_name = signature
    if version:
        spec.version.value = version


# === Output ===


def _show(outputs, model, output_dir):
    written = 0
    for name, value in sorted(outputs.items()):
        pngs = _flat(value) if isinstance(value, list) else [value]
        if pngs and all(isinstance(item, bytes) and item.startswith(PNG_SIGNATURE)
                        for item in pngs):
            os.makedirs(output_dir, exist_ok=True)
            for item in pngs:
                path = os.path.join(output_dir, f"{model}_{written}.png")
                with open(path, "wb") as file:
                    file.write(item)
                print(f"{name}: wrote {path}")
                written += 1
        else:
            print(f"{name}: {json.dumps(_text(value), ensure_ascii=False)}")


def _flat(value):
    return [leaf for item in value for leaf in (_flat(item) if isinstance(item, list) else [item])]


def _text(value):
    if isinstance(value, list):
        return [_text(item) for item in value]
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _one_line(text):
    return " ".join(str(text).split())


if __name__ == "__main__":
    sys.exit(main())
