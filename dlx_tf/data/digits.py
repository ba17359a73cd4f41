"""Digit images for the intro MLP: tfds `mnist` (or any 28×28×1 tfds image dataset) or
the offline synthetic digits."""

import dataclasses

import numpy as np
import tensorflow as tf

from dlx_tf.data.synthetic.digits import generate_digits
from dlx_tf.data.tfds_source import prepared, tfds_builder
from dlx_tf.errors import DataError

IMAGE_SHAPE = (28, 28, 1)
# Validation is carved from the end of the training split; tfds keeps the test split apart.
TFDS_SPLITS = ("train[:90%]", "train[90%:]", "test")


@dataclasses.dataclass(frozen=True)
class DigitSplits:
    """Unbatched `(image uint8 [28, 28, 1], label int64)` datasets and what they are."""

    train: tf.data.Dataset
    validation: tf.data.Dataset
    test: tf.data.Dataset
    info: dict


def load_digits(source, seed=0, synthetic_counts=(6000, 1000, 2000)):
    """Loads `synthetic` (generated offline, seeded) or a tfds dataset name such as `mnist`."""
    if source == "synthetic":
        return _synthetic(seed, synthetic_counts)
    return _from_tfds(source)


def _synthetic(seed, counts):
    splits = []
    for offset, count in enumerate(counts):
        # Separate seeds per split: no generated image is shared between splits.
        images, labels = generate_digits(count, seed=seed * 3 + offset)
        splits.append(tf.data.Dataset.from_tensor_slices((images[..., None], labels)))
    info = _info("synthetic digits (procedural strokes, dlx_tf.data.synthetic.digits)", True,
                 counts, 10)
    return DigitSplits(*splits, info=info)


def _from_tfds(source):
    builder = tfds_builder(source, also="synthetic")
    name = source.removeprefix("tfds:")
    shape = tuple(builder.info.features["image"].shape)
    if shape != IMAGE_SHAPE:  # checked before any download
        raise DataError(
            f"--data {name}: feature 'image' has shape {shape}, the MLP expects {IMAGE_SHAPE}"
        )
    classes = builder.info.features["label"].num_classes
    splits = prepared(builder, source, also="synthetic").as_dataset(
        split=list(TFDS_SPLITS), as_supervised=True)
    counts = [int(ds.cardinality()) for ds in splits]
    splits = [ds.map(_as_int64_label) for ds in splits]
    return DigitSplits(*splits, info=_info(f"tfds:{name}", False, counts, classes))


def _as_int64_label(image, label):
    return image, tf.cast(label, tf.int64)


def _info(source, synthetic, counts, classes):
    train, validation, test = (int(c) for c in counts)
    return {
        "source": source,
        "synthetic": synthetic,
        "num_classes": classes,
        "train_examples": train,
        "validation_examples": validation,
        "test_examples": test,
    }


def first_examples(dataset, count):
    """The first `count` `(images, labels)` of an unbatched dataset as NumPy arrays."""
    images, labels = next(iter(dataset.batch(count)))
    return np.asarray(images), np.asarray(labels)
