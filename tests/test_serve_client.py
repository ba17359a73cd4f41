"""The serving client against in-process stand-ins for TF Serving's gRPC and REST APIs, each
running a real exported SavedModel (a tiny CycleGAN translator) with tf.saved_model.load."""

import base64
import concurrent.futures
import http.server
import json
import os
import re
import socket
import threading

import grpc
import numpy as np
import pytest
import tensorflow as tf
from encoded_requests import jpeg, png, write_files
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import (
    get_model_metadata_pb2,
    predict_pb2,
    prediction_service_pb2_grpc,
)

from dlx_tf import serve_client
from dlx_tf.export import export_saved_model
from dlx_tf.export.image_translator import image_translator_endpoints
from dlx_tf.models.cyclegan import CycleGANGenerator

MODEL = "tiny_translator"


class ServedModel:
    """One SavedModel as TF Serving serves it under `MODEL`."""

    def __init__(self, path):
        self.loaded = tf.saved_model.load(path)
        saved_model = saved_model_pb2.SavedModel()
        with open(os.path.join(path, "saved_model.pb"), "rb") as file:
            saved_model.ParseFromString(file.read())
        self.signature_defs = saved_model.meta_graphs[0].signature_def

    def predict(self, signature, inputs):
        """`{name: numpy array}` outputs; raises `tf.errors.InvalidArgumentError`."""
        fn = self.loaded.signatures[signature or "serving_default"]
        _, specs = fn.structured_input_signature
        outputs = fn(**{name: tf.constant(value, specs[name].dtype)
                        for name, value in inputs.items()})
        return {name: tensor.numpy() for name, tensor in outputs.items()}


def not_found(name):
    return f"Servable not found for request: Latest({name})"  # TF Serving's words


def no_signature(name):
    return f'Serving signature name: "{name}" not found in signature def'


class PredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, model):
        self.model = model

    def GetModelMetadata(self, request, context):
        if request.model_spec.name != MODEL:
            context.abort(grpc.StatusCode.NOT_FOUND, not_found(request.model_spec.name))
        response = get_model_metadata_pb2.GetModelMetadataResponse()
        response.model_spec.name = MODEL
        response.metadata["signature_def"].Pack(
            get_model_metadata_pb2.SignatureDefMap(signature_def=self.model.signature_defs))
        return response

    def Predict(self, request, context):
        if request.model_spec.name != MODEL:
            context.abort(grpc.StatusCode.NOT_FOUND, not_found(request.model_spec.name))
        inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
        try:
            outputs = self.model.predict(request.model_spec.signature_name, inputs)
        except tf.errors.InvalidArgumentError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, error.message)
        response = predict_pb2.PredictResponse()
        for name, value in outputs.items():
            response.outputs[name].CopyFrom(tf.make_tensor_proto(value))
        return response


def rest_handler(model):
    """TF Serving's REST predict API, columnar format (`inputs` → `outputs`), the one the
    client sends."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            name = re.fullmatch(r"/v1/models/([^/:]+)(?:/versions/\d+)?:predict", self.path)[1]
            if name != MODEL:
                return self.answer(404, {"error": not_found(name)})
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            signature = body.get("signature_name", "serving_default")
            if signature not in model.signature_defs:
                return self.answer(400, {"error": no_signature(signature)})
            inputs = {key: from_b64(value) for key, value in body["inputs"].items()}
            try:
                outputs = model.predict(signature, inputs)
            except tf.errors.InvalidArgumentError as error:
                return self.answer(400, {"error": error.message})
            outputs = {key: to_json(value, key.endswith("_bytes"))
                       for key, value in outputs.items()}
            # A lone output goes without its name.
            self.answer(200, {"outputs": outputs if len(outputs) > 1 else
                              next(iter(outputs.values()))})

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def from_b64(value):
    if isinstance(value, list):
        return [from_b64(item) for item in value]
    return base64.b64decode(value["b64"]) if isinstance(value, dict) else value


def to_json(array, as_bytes):
    if array.dtype.kind != "O":
        return array.tolist()
    return [{"b64": base64.b64encode(item).decode()} if as_bytes else item.decode()
            for item in array.tolist()]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    generator = CycleGANGenerator(filters=4, num_residual_blocks=1)
    generator(tf.zeros((1, 16, 16, 3)))
    version = export_saved_model(
        MODEL, resources=[generator], endpoints=image_translator_endpoints(generator),
        warmup_inputs={"images": np.zeros((1, 8, 8, 3), np.uint8)},
        manifest={"experiment": "test"}, base_dir=str(tmp_path_factory.mktemp("saved_models")))
    return ServedModel(version.path)


@pytest.fixture(scope="module", params=["grpc", "rest"])
def server(request, model):
    """`(flag, address)` of a stand-in TF Serving serving `model`."""
    if request.param == "grpc":
        stub = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=2))
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
            PredictionService(model), stub)
        port = stub.add_insecure_port("127.0.0.1:0")
        stub.start()
        yield "--grpc", f"127.0.0.1:{port}"
        stub.stop(grace=None)
    else:
        stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), rest_handler(model))
        thread = threading.Thread(target=stub.serve_forever, daemon=True)
        thread.start()
        yield "--rest", f"127.0.0.1:{stub.server_address[1]}"
        stub.shutdown()
        stub.server_close()


def run(capsys, *args):
    status = serve_client.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


def test_image_files_go_as_bytes_and_returned_pngs_are_written(server, model, tmp_path, capsys):
    photo = np.broadcast_to(np.linspace(0, 255, 16, dtype=np.uint8)[None, :, None], (24, 16, 3))
    images = {"photo.jpg": jpeg(photo), "grey.png": png(np.zeros((16, 16, 1), np.uint8))}
    paths = write_files(tmp_path, images)
    out = tmp_path / "out"
    status, lines, err = run(capsys, *server, "--model", MODEL, paths["photo.jpg"],
                             paths["grey.png"], "--output-dir", out)
    assert status == 0, err
    written = [out / f"{MODEL}_{index}.png" for index in range(2)]
    # Over REST TF Serving leaves out the name of a lone output.
    name = "png_bytes" if server[0] == "--grpc" else "outputs"
    assert lines == [f"{name}: wrote {path}" for path in written]
    expected = model.predict("encoded", {"images_bytes": list(images.values())})["png_bytes"]
    assert [path.read_bytes() for path in written] == list(expected)


def test_json_inputs_get_the_signatures_dtypes_and_outputs_are_printed(server, model, capsys):
    images = np.arange(2 * 8 * 8 * 3).reshape(2, 8, 8, 3) % 256
    status, lines, err = run(capsys, *server, "--model", MODEL, "--signature",
                             "serving_default", "--input", f"images={images.tolist()}")
    assert status == 0, err
    name = "images" if server[0] == "--grpc" else "outputs"
    expected = model.predict("serving_default", {"images": images})["images"]
    assert lines == [f"{name}: {json.dumps(expected.tolist())}"]


def test_a_refused_request_and_an_unknown_model_are_one_line_errors(server, tmp_path, capsys):
    notes = write_files(tmp_path, {"notes.txt": b"not an image"})["notes.txt"]
    status, lines, err = run(capsys, *server, "--model", MODEL, notes)
    assert status == 1 and not lines and len(err) == 1
    kind = "gRPC INVALID_ARGUMENT" if server[0] == "--grpc" else "HTTP 400"
    assert err[0].startswith(f"error: {kind} from {server[1]}: ")
    assert ("assertion failed: [images_bytes: expected PNG or JPEG data, got data starting] "
            "[not an i]") in err[0]

    status, lines, err = run(capsys, *server, "--model", "nope", notes)
    kind = "gRPC NOT_FOUND" if server[0] == "--grpc" else "HTTP 404"
    assert (status, lines, err) == (
        1, [], [f"error: {kind} from {server[1]}: Servable not found for request: Latest(nope)"])


def test_an_unknown_signature_is_a_one_line_error(server, capsys):
    status, _, err = run(capsys, *server, "--model", MODEL, "--signature", "encode",
                         "--input", "images_bytes=[]")
    if server[0] == "--grpc":  # the client reads the signatures from the model's metadata
        message = f"model {MODEL} has no signature 'encode' (it has encoded, serving_default)"
    else:
        message = f"HTTP 400 from {server[1]}: {no_signature('encode')}"
    assert (status, err) == (1, [f"error: {message}"])


@pytest.mark.parametrize("flag", ["--rest", "--grpc"])
def test_no_server_at_the_address_is_a_one_line_error(flag, capsys):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{unused.getsockname()[1]}"
    status, _, err = run(capsys, flag, address, "--model", MODEL, "--input", "x=1")
    assert status == 2 and len(err) == 1
    assert err[0].startswith(f"error: no server answered at {address} within 5 s (")


@pytest.mark.parametrize("args, message", [
    (["missing.png"], "error: missing.png: No such file or directory"),
    (["--input", "alpha=[0.5"], "error: --input alpha: expected JSON, got '[0.5' "),
    (["--image", "a.png"], "error: --image: expected NAME=FILE, got 'a.png'"),
    ([], "error: nothing to send: give image files, --image or --input"),
])
def test_bad_usage_is_a_one_line_error_before_any_connection(args, message, capsys):
    status, _, err = run(capsys, "--rest", "127.0.0.1:1", "--model", MODEL, *args)
    assert status == 2 and len(err) == 1 and err[0].startswith(message)
