import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2

from dlx_tf.export import saved_model
from dlx_tf.export.saved_model import ExportedVersion


def read_manifest(version_dir):
    with open(os.path.join(version_dir, "assets.extra", "manifest.json"), encoding="utf-8") as file:
        return json.load(file)


def test_exports_increasing_versions_and_leaves_no_temp_folder(exports):
    model_dir = os.path.join(exports.base_dir, "tiny_classifier")
    assert [version.version for version in exports.versions] == [1, 2]
    assert exports.versions[1] == ExportedVersion(
        path=os.path.join(model_dir, "2"), version=2, model_name="tiny_classifier"
    )
    assert sorted(os.listdir(model_dir)) == ["1", "2"]
    assert sorted(os.listdir(exports.base_dir)) == ["models.config", "tiny_classifier", "tiny_text"]


def test_saved_model_matches_live_model(exports):
    loaded = tf.saved_model.load(exports.versions[-1].path)
    outputs = loaded.signatures["serving_default"](image=tf.constant(exports.images))
    expected = tf.nn.softmax(exports.model(exports.images)).numpy()
    np.testing.assert_allclose(outputs["probabilities"].numpy(), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(outputs["label"].numpy(), expected.argmax(axis=-1))


def test_manifest_records_caller_facts_signatures_and_served_warmup(exports):
    manifest = read_manifest(exports.versions[1].path)
    assert manifest["experiment"] == "tiny"
    assert manifest["config"] == {"classes": 3}
    assert manifest["metrics"] == {"acc": 0.5}
    assert (manifest["model_name"], manifest["version"]) == ("tiny_classifier", 2)
    assert manifest["created"].endswith("Z")
    assert manifest["signatures"]["serving_default"] == {
        "inputs": {"image": {"dtype": "uint8", "shape": [None, 6, 5]}},
        "outputs": {
            "label": {"dtype": "int64", "shape": [None]},
            "probabilities": {"dtype": "float32", "shape": [None, 3]},
        },
    }
    assert manifest["signatures"]["logits"]["outputs"] == {
        "logits": {"dtype": "float32", "shape": [None, 3]}
    }
    assert manifest["warmup"]["inputs"] == {"image": exports.images.tolist()}
    loaded = tf.saved_model.load(exports.versions[1].path)
    served = loaded.signatures["serving_default"](image=tf.constant(exports.images))
    assert manifest["warmup"]["outputs"] == {
        "label": served["label"].numpy().tolist(),
        "probabilities": served["probabilities"].numpy().tolist(),
    }


def test_manifest_keeps_strings_as_text(exports):
    warmup = read_manifest(exports.text_version.path)["warmup"]
    assert warmup["inputs"] == {"text": ["héllo", "it's"]}
    assert warmup["outputs"] == {"upper": ["HéLLO", "IT'S"], "length": [6, 4]}


def test_warmup_requests_are_prediction_logs_for_serving_default(exports):
    path = os.path.join(exports.versions[0].path, "assets.extra", "tf_serving_warmup_requests")
    records = [record.numpy() for record in tf.data.TFRecordDataset(path)]
    assert len(records) == 1
    request = prediction_log_pb2.PredictionLog.FromString(records[0]).predict_log.request
    assert request.model_spec.name == "tiny_classifier"
    assert request.model_spec.signature_name == "serving_default"
    image = tf.make_ndarray(request.inputs["image"])
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, exports.images)


def test_requires_serving_default(tmp_path, tiny_classifier, export_classifier):
    model, _ = tiny_classifier
    endpoints = {"logits": (model, [tf.TensorSpec([None, 6, 5], tf.uint8, name="image")])}
    with pytest.raises(ValueError, match="serving_default"):
        export_classifier(tmp_path, endpoints=endpoints)
    assert os.listdir(tmp_path) == []


@pytest.fixture(scope="module")
def one_version(tmp_path_factory, export_classifier):
    base_dir = tmp_path_factory.mktemp("saved_models")
    return base_dir, export_classifier(base_dir)


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"warmup_inputs": {"pixels": np.zeros((1, 6, 5), np.uint8)}}, ValueError),
        ({"manifest": {"config": object()}}, TypeError),  # fails last, while writing the manifest
    ],
    ids=["bad_warmup_input", "unserialisable_manifest"],
)
def test_failed_export_leaves_no_trace(one_version, export_classifier, overrides, error):
    base_dir, first = one_version
    manifest_before = read_manifest(first.path)
    with pytest.raises(error):
        export_classifier(base_dir, **overrides)
    assert os.listdir(base_dir / "tiny_classifier") == ["1"]
    assert read_manifest(first.path) == manifest_before


def test_takes_next_version_when_target_appears_concurrently(
    tmp_path, export_classifier, monkeypatch
):
    occupied = tmp_path / "tiny_classifier" / "1"
    occupied.mkdir(parents=True)
    (occupied / "saved_model.pb").write_bytes(b"another export")
    # As if the other export renamed its folder after this one listed the versions.
    monkeypatch.setattr(saved_model, "version_numbers", lambda model_dir: [])
    exported = export_classifier(tmp_path)
    assert exported.version == 2
    assert read_manifest(exported.path)["version"] == 2
    assert (occupied / "saved_model.pb").read_bytes() == b"another export"
    assert sorted(os.listdir(tmp_path / "tiny_classifier")) == ["1", "2"]


def test_a_killed_exports_temporary_folder_is_removed_by_the_next_export(
    tmp_path, export_classifier, capsys
):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    model_dir = tmp_path / "tiny_classifier"
    killed = model_dir / f".tmp-{socket.gethostname()}-{dead.pid}-0123abcd"
    live = model_dir / f".tmp-{socket.gethostname()}-{os.getpid()}-4567ef01"
    elsewhere = model_dir / f".tmp-other-host-{dead.pid}-89ab"
    for folder in (killed, live, elsewhere):
        (folder / "variables").mkdir(parents=True)
    export_classifier(tmp_path)
    assert sorted(os.listdir(model_dir)) == sorted(["1", live.name, elsewhere.name])
    assert f"Removed {killed}, left by an export that was killed" in capsys.readouterr().out
