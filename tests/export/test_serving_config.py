import os

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

from dlx_tf.export import write_models_config
from dlx_tf.export.serving_config import version_numbers


def parse_models_config(path):
    with open(path) as file:
        return text_format.Parse(file.read(), model_server_config_pb2.ModelServerConfig())


def test_models_config_lists_exported_models(exports):
    config = parse_models_config(os.path.join(exports.base_dir, "models.config"))
    entries = [
        (entry.name, entry.base_path, entry.model_platform)
        for entry in config.model_config_list.config
    ]
    assert entries == [
        ("tiny_classifier", "/models/tiny_classifier", "tensorflow"),
        ("tiny_text", "/models/tiny_text", "tensorflow"),
    ]


def test_lists_only_folders_with_an_integer_version(tmp_path):
    for folder in ["zebra/3", "alpha/1", "alpha/10", "no_version/.tmp-abc", "no_version/v2"]:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("not a model")
    (tmp_path / "no_version" / "7").write_text("a file, not a version folder")

    path = write_models_config(str(tmp_path), serving_root="/srv/models")

    assert path == os.path.join(tmp_path, "models.config")
    config = parse_models_config(path)
    assert [(entry.name, entry.base_path) for entry in config.model_config_list.config] == [
        ("alpha", "/srv/models/alpha"),
        ("zebra", "/srv/models/zebra"),
    ]
    assert sorted(os.listdir(tmp_path)) == [
        "alpha",
        "models.config",
        "no_version",
        "notes.txt",
        "zebra",
    ]
    assert version_numbers(tmp_path / "alpha") == [1, 10]
    assert version_numbers(tmp_path / "no_version") == []
    assert version_numbers(tmp_path / "missing") == []
