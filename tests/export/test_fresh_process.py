import json
import os
import shlex
import shutil

from dlx_tf.export import check_export


def test_passes_on_a_fresh_export(exports):
    result = check_export(os.path.join(exports.base_dir, "tiny_classifier"))
    assert result.returncode == 0, result.stdout
    report = result.stdout
    assert "model tiny_classifier, version 2" in report
    assert "ops check: all registered in core TensorFlow" in report
    assert "  input  image: uint8 (None, 6, 5)" in report
    assert "  output probabilities: float32 (None, 3)" in report
    assert "warmup check: outputs match the manifest" in report
    assert report.rstrip().endswith("OK")
    curl = next(line for line in report.splitlines() if line.startswith("curl "))
    assert "http://localhost:8501/v1/models/tiny_classifier:predict" in curl
    body = json.loads(shlex.split(curl)[-1])
    assert body["instances"] == [{"image": exports.images[0].tolist()}]


def test_fails_naming_the_output_when_recorded_warmup_differs(exports, tmp_path):
    model_dir = tmp_path / "tiny_classifier"
    shutil.copytree(exports.versions[0].path, model_dir / "1")
    manifest_path = model_dir / "1" / "assets.extra" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["warmup"]["outputs"]["probabilities"][0][0] += 0.5
    manifest_path.write_text(json.dumps(manifest))

    result = check_export(model_dir, version=1)

    assert result.returncode == 1, result.stdout
    assert "FAILED output probabilities: max difference 0.5 from the manifest" in result.stdout


def test_exits_2_for_a_folder_without_version(tmp_path):
    (tmp_path / ".tmp-123").mkdir()
    result = check_export(tmp_path)
    assert result.returncode == 2
    assert f"error: {tmp_path}: no integer version folder" in result.stdout
