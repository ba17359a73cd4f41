"""Tiny models exported once per session, shared by the export tests."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.export import export_saved_model

IMAGE_SHAPE = (6, 5)  # (height, width), non-square on purpose
CLASSES = 3


class TinyClassifier(keras.Model):
    """uint8 images (batch, 6, 5) -> class logits (batch, 3)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(CLASSES)

    def call(self, images):
        pixels = keras.ops.cast(images, "float32") / 255.0
        return self.dense(self.flatten(pixels))


def classifier_endpoints(model):
    def serve(images):
        probabilities = keras.ops.softmax(model(images))
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    def logits(images):
        return {"logits": model(images)}

    signature = [tf.TensorSpec([None, *IMAGE_SHAPE], tf.uint8, name="image")]
    return {"serving_default": (serve, signature), "logits": (logits, signature)}


def text_endpoints():
    def serve(text):
        return {"upper": tf.strings.upper(text), "length": tf.strings.length(text)}

    return {"serving_default": (serve, [tf.TensorSpec([None], tf.string, name="text")])}


@dataclasses.dataclass(frozen=True)
class Exports:
    base_dir: str
    model: keras.Model
    images: np.ndarray
    versions: list  # ExportedVersion of tiny_classifier, in export order
    text_version: object


@pytest.fixture(scope="session")
def tiny_classifier():
    """A built TinyClassifier and a warmup batch of two uint8 images."""
    model = TinyClassifier()
    images = np.random.default_rng(0).integers(0, 256, size=(2, *IMAGE_SHAPE), dtype=np.uint8)
    model(images)
    return model, images


@pytest.fixture(scope="session")
def export_classifier(tiny_classifier):
    """Exports the tiny classifier as `tiny_classifier`; keyword arguments override defaults."""
    model, images = tiny_classifier

    def export(base_dir, **overrides):
        arguments = {
            "resources": [model],
            "endpoints": classifier_endpoints(model),
            "warmup_inputs": {"image": images},
            "manifest": {
                "experiment": "tiny",
                "config": {"classes": CLASSES},
                "metrics": {"acc": 0.5},
            },
            "base_dir": str(base_dir),
        }
        return export_saved_model("tiny_classifier", **{**arguments, **overrides})

    return export


@pytest.fixture(scope="session")
def exports(tmp_path_factory, tiny_classifier, export_classifier):
    """Two versions of `tiny_classifier` and one of `tiny_text` in one base folder."""
    base_dir = str(tmp_path_factory.mktemp("saved_models"))
    model, images = tiny_classifier
    versions = [export_classifier(base_dir) for _ in range(2)]
    text_version = export_saved_model(
        "tiny_text",
        resources=[],
        endpoints=text_endpoints(),
        warmup_inputs={"text": ["héllo", "it's"]},
        manifest={"experiment": "tiny_text"},
        base_dir=base_dir,
    )
    return Exports(base_dir, model, images, versions, text_version)
