"""CIFAR-10 images for the Pegasus experiment: tfds `cifar10` or the offline synthetic
stand-in, optionally cut down to some classes (bird and horse, say).

Labels stay the original 10-way CIFAR-10 indices whatever `classes` keeps, so a model
conditioned on 10 classes works on a subset. Datasets come unbatched and in a fixed
order; shuffling, batching and scaling belong to the training pipeline.
"""

import dataclasses

import numpy as np
import tensorflow as tf

from dlx_tf.data.synthetic.cifar import synthetic_cifar
from dlx_tf.data.tfds_source import prepared, tfds_builder
from dlx_tf.errors import DataError

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")
BIRD = CIFAR10_CLASSES.index("bird")  # 2
HORSE = CIFAR10_CLASSES.index("horse")  # 7
IMAGE_SHAPE = (32, 32, 3)
SOURCES = ("cifar10", "tfds:cifar10", "synthetic")
SYNTHETIC_SOURCE = ("synthetic (generated class-structured 32×32 images, "
                    "dlx_tf.data.synthetic.cifar)")
_ALLOWED = f"an index 0-9 or one of the names {', '.join(CIFAR10_CLASSES)}"


@dataclasses.dataclass(frozen=True)
class LabelledImages:
    """Unbatched `(image uint8 [32, 32, 3], label int32)` datasets and `info` (source,
    synthetic, class names, kept classes, exact counts, image shape)."""

    train: tf.data.Dataset
    test: tf.data.Dataset
    info: dict


def load_cifar10(source="cifar10", classes=None, seed=0, synthetic_counts=(5000, 1000)):
    """Loads tfds `cifar10` (`tfds:cifar10`) or `synthetic` (generated offline, seeded),
    keeping `classes`: None for all, or CIFAR-10 indices and/or names like `("bird",
    "horse")`. `synthetic_counts` are the (train, test) images generated over all 10
    classes, before `classes` filters them, as CIFAR-10's 50,000 and 10,000 are."""
    keep = resolve_classes(classes)
    if source == "synthetic":
        return _synthetic(keep, seed, synthetic_counts)
    if source in ("cifar10", "tfds:cifar10"):
        return _from_tfds(source, keep)
    raise DataError(f"--data {source}: unknown CIFAR-10 source (expected one of "
                    f"{', '.join(SOURCES)})")


def resolve_classes(classes):
    """Sorted CIFAR-10 indices from None (all), an index, a name, or a sequence of them."""
    if classes is None:
        return tuple(range(len(CIFAR10_CLASSES)))
    if isinstance(classes, (str, int, np.integer)):
        classes = (classes,)
    keep = {_class_index(value) for value in classes}
    if not keep:
        raise DataError(f"classes: empty selection (expected None for all, or some of {_ALLOWED})")
    return tuple(sorted(keep))


def _class_index(value):
    index = None
    if isinstance(value, str):
        name = value.strip().lower()
        if name in CIFAR10_CLASSES:
            index = CIFAR10_CLASSES.index(name)
        elif name.isdigit():  # "7", as from a command line
            index = int(name)
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        index = int(value)
    if index is None or not 0 <= index < len(CIFAR10_CLASSES):
        raise DataError(f"classes: unknown CIFAR-10 class {value!r} (expected {_ALLOWED})")
    return index


def take_arrays(dataset, limit=None):
    """The first `limit` (all if None) `(images, labels)` of an unbatched dataset as NumPy
    arrays, e.g. uint8 `[n, 32, 32, 3]` and int32 `[n]`."""
    if limit is not None:
        dataset = dataset.take(limit)
    image_spec, label_spec = dataset.element_spec
    images = [np.zeros((0, *image_spec.shape), image_spec.dtype.as_numpy_dtype)]
    labels = [np.zeros((0, *label_spec.shape), label_spec.dtype.as_numpy_dtype)]
    for image_batch, label_batch in dataset.batch(1024).as_numpy_iterator():
        images.append(image_batch)
        labels.append(label_batch)
    return np.concatenate(images), np.concatenate(labels)


def _synthetic(keep, seed, counts):
    splits, sizes = [], []
    for offset, count in enumerate(counts):
        # Separate seeds per split: no generated image is shared between train and test.
        images, labels = synthetic_cifar(count, seed=seed * 2 + offset)
        kept = np.isin(labels, keep)
        splits.append(tf.data.Dataset.from_tensor_slices((images[kept], labels[kept])))
        sizes.append(int(kept.sum()))
    names = [f"synthetic {name}" for name in CIFAR10_CLASSES]
    return LabelledImages(*splits, info=_info(SYNTHETIC_SOURCE, True, names, keep, sizes))


def _from_tfds(source, keep):
    builder = prepared(tfds_builder("cifar10", also="synthetic"), source, also="synthetic")
    splits = builder.as_dataset(split=["train", "test"], as_supervised=True)
    classes = builder.info.features["label"].num_classes
    if classes != len(CIFAR10_CLASSES):
        raise DataError(f"tfds:cifar10 feature 'label': expected {len(CIFAR10_CLASSES)} "
                        f"classes, got {classes}")
    for split, dataset in zip(("train", "test"), splits):
        _check_spec(dataset, f"tfds:cifar10 {split}")
    splits = [_select(dataset, keep) for dataset in splits]
    sizes = [int(dataset.cardinality()) for dataset in splits]
    return LabelledImages(*splits, info=_info("tfds:cifar10", False, list(CIFAR10_CLASSES),
                                              keep, sizes))


def _check_spec(dataset, where):
    """The element spec, not the data: a wrong dataset fails here, before any image is read."""
    image, label = dataset.element_spec
    if image.dtype != tf.uint8 or tuple(image.shape) != IMAGE_SHAPE:
        raise DataError(f"{where} field 'image': expected uint8 {list(IMAGE_SHAPE)}, got "
                        f"{image.dtype.name} {image.shape.as_list()}")
    if not label.dtype.is_integer or label.shape.rank != 0:
        raise DataError(f"{where} field 'label': expected an integer scalar, got "
                        f"{label.dtype.name} {label.shape.as_list()}")


def _select(dataset, keep):
    if len(keep) < len(CIFAR10_CLASSES):
        wanted = tf.constant(keep, tf.int64)
        dataset = dataset.filter(
            lambda image, label: tf.reduce_any(tf.equal(tf.cast(label, tf.int64), wanted)))
    dataset = dataset.map(lambda image, label: (image, tf.cast(label, tf.int32)),
                          num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if dataset.cardinality() >= 0:
        return dataset
    # A filter (or mock split metadata) leaves the size unknown; count once so epochs can
    # be planned and `info` holds exact numbers.
    count = dataset.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1)
    return dataset.apply(tf.data.experimental.assert_cardinality(count))


def _info(source, synthetic, names, keep, sizes):
    return {
        "source": source,
        "synthetic": synthetic,
        "class_names": list(names),
        "classes": list(keep),
        "train_examples": int(sizes[0]),
        "test_examples": int(sizes[1]),
        "image_shape": list(IMAGE_SHAPE),
    }
