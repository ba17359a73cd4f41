"""TF Serving's `models.config`, listing every exported model under one base folder."""

import os
import posixpath
import re
import uuid

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

MODELS_CONFIG = "models.config"


def version_numbers(model_dir):
    """Sorted integer versions in `model_dir`: the subfolders TF Serving would load."""
    if not os.path.isdir(model_dir):
        return []
    return sorted(
        int(name)
        for name in os.listdir(model_dir)
        if re.fullmatch(r"[0-9]+", name) and os.path.isdir(os.path.join(model_dir, name))
    )


def write_models_config(base_dir, serving_root="/models"):
    """Writes `base_dir/models.config` for every model folder holding at least one version.

    The file is TF Serving's text-format `ModelServerConfig`, built from its proto so that it
    is valid by construction, and replaced atomically so a reloading server never reads half.

    Args:
        base_dir: folder of `<model_name>/<version>/` SavedModels, e.g. `saved_models`.
        serving_root: where the container mounts `base_dir`
            (`docker run -v $PWD/saved_models:/models ...`); base paths are relative to it.

    Returns:
        The path of the written file.

    Example:
        write_models_config("saved_models")
        # docker run -p 8501:8501 -v $PWD/saved_models:/models tensorflow/serving \
        #     --model_config_file=/models/models.config
    """
    config = model_server_config_pb2.ModelServerConfig()
    for name in sorted(os.listdir(base_dir)):
        if version_numbers(os.path.join(base_dir, name)):
            config.model_config_list.config.add(
                name=name,
                base_path=posixpath.join(serving_root, name),
                model_platform="tensorflow",
            )
    path = os.path.join(base_dir, MODELS_CONFIG)
    temp_path = os.path.join(base_dir, f".{MODELS_CONFIG}.tmp-{uuid.uuid4().hex}")
    try:
        with open(temp_path, "w") as file:
            file.write(text_format.MessageToString(config))
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise
    return path
