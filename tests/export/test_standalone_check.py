import json
import shlex

import numpy as np
import pytest
from tensorflow.core.framework import function_pb2, graph_pb2

from dlx_tf.export import standalone_check


def test_classify_ops_finds_unknown_op_and_skips_function_calls():
    graph_def = graph_pb2.GraphDef()
    graph_def.node.add(name="x", op="Placeholder")
    graph_def.node.add(name="call", op="tiny_fn")
    graph_def.node.add(name="mystery", op="DlxNoSuchOp")
    function = graph_def.library.function.add(signature=function_pb2.FunctionDef().signature)
    function.signature.name = "tiny_fn"
    function.node_def.add(name="product", op="MatMul")
    function.node_def.add(name="fold", op="CaseFoldUTF8")

    core, text_ops, unknown = standalone_check.classify_ops(graph_def)

    assert unknown == ["DlxNoSuchOp"]
    assert {"Placeholder", "MatMul"} <= set(core)
    # Core if this process imported tensorflow_text before, TF Text otherwise.
    assert "CaseFoldUTF8" in core + text_ops
    assert "tiny_fn" not in core + text_ops + unknown


def test_compare_uses_tolerance_for_floats_only():
    expected = {"score": [[0.5, 0.25]], "label": [1], "word": ["héllo"]}
    actual = {
        "score": np.array([[0.5 + 1e-6, 0.25]], np.float32),
        "label": np.array([1], np.int64),
        "word": np.array(["héllo".encode()], object),
    }
    assert standalone_check.compare("output", expected, actual) == []

    actual["score"] = np.array([[0.75, 0.25]], np.float32)
    actual["label"] = np.array([2], np.int64)
    actual["word"] = np.array([b"hello"], object)
    assert standalone_check.compare("output", expected, actual) == [
        "output score: max difference 0.25 from the manifest",
        "output label: max difference 1 from the manifest",
        "output word: strings differ from the manifest",
    ]


def test_compare_reports_missing_extra_and_reshaped_outputs():
    failures = standalone_check.compare(
        "output", {"a": [1, 2], "b": [0]}, {"a": np.array([[1, 2]]), "c": np.array([0])}
    )
    assert failures == [
        "output c: not in the manifest",
        "output a: shape (1, 2), manifest (2,)",
        "output b: missing",
    ]


def make_version(model_dir, version, files=("saved_model.pb", "manifest", "warmup")):
    version_dir = model_dir / str(version)
    (version_dir / "assets.extra").mkdir(parents=True)
    paths = {
        "saved_model.pb": "saved_model.pb",
        "manifest": "assets.extra/manifest.json",
        "warmup": "assets.extra/tf_serving_warmup_requests",
    }
    for name in files:
        (version_dir / paths[name]).write_text("")
    return version_dir


def test_resolve_version_dir_picks_latest_or_given_version(tmp_path):
    for version in (2, 10):
        make_version(tmp_path, version)
    (tmp_path / ".tmp-123").mkdir()
    resolve = standalone_check.resolve_version_dir
    assert resolve(str(tmp_path)) == str(tmp_path / "10")
    assert resolve(str(tmp_path), 2) == str(tmp_path / "2")
    assert resolve(str(tmp_path / "2")) == str(tmp_path / "2")
    with pytest.raises(standalone_check.UsageError, match=r"no version 3 \(has \[2, 10\]\)"):
        resolve(str(tmp_path), 3)


@pytest.mark.parametrize(
    "files, missing",
    [
        (("saved_model.pb", "warmup"), "assets.extra/manifest.json"),
        (("manifest", "warmup"), "saved_model.pb"),
        (("saved_model.pb", "manifest"), "assets.extra/tf_serving_warmup_requests"),
    ],
)
def test_resolve_version_dir_names_missing_file(tmp_path, files, missing):
    version_dir = make_version(tmp_path, 1, files)
    with pytest.raises(standalone_check.UsageError, match=f"{version_dir}: no {missing}"):
        standalone_check.resolve_version_dir(str(tmp_path))


def test_main_exits_2_naming_the_folder_without_version(tmp_path, capsys):
    (tmp_path / ".tmp-123").mkdir()
    assert standalone_check.main([str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err
        == f"error: {tmp_path}: no integer version folder and no saved_model.pb\n"
    )


def test_rest_request_is_a_shell_command_with_valid_json():
    command = standalone_check.rest_request(
        "tiny", "serving:8501", {"text": ["it's", "b"], "ids": [[1, 2], [3, 4]]}
    )
    words = shlex.split(command)
    assert words[:4] == ["curl", "-X", "POST", "http://serving:8501/v1/models/tiny:predict"]
    assert json.loads(words[-1]) == {
        "signature_name": "serving_default",
        "instances": [{"text": "it's", "ids": [1, 2]}],
    }


def test_rest_request_with_scalar_inputs_uses_the_columnar_format():
    command = standalone_check.rest_request(
        "lm", "serving:8501", {"prompts": ["It is", "Emma"], "seed": 3, "temperature": 0.5})
    assert json.loads(shlex.split(command)[-1]) == {
        "signature_name": "serving_default",
        "inputs": {"prompts": ["It is"], "seed": 3, "temperature": 0.5},
    }


def test_a_long_rest_request_body_goes_to_a_file_curl_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(standalone_check.tempfile, "tempdir", str(tmp_path))
    waveform = [0.25] * 3000
    command = standalone_check.rest_request("audio", "serving:8501",
                                            {"waveforms": [waveform, waveform]})
    body = shlex.split(command)[-1]
    assert body.startswith(f"@{tmp_path}")
    with open(body[1:]) as file:
        assert json.load(file) == {"signature_name": "serving_default",
                                   "instances": [{"waveforms": waveform}]}
