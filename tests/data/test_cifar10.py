import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from dlx_tf.data.cifar10 import (
    BIRD,
    CIFAR10_CLASSES,
    HORSE,
    load_cifar10,
    resolve_classes,
    take_arrays,
)
from dlx_tf.errors import DataError

MOCK_EXAMPLES = 40
SPEC = (tf.TensorSpec([32, 32, 3], tf.uint8), tf.TensorSpec([], tf.int32))


@pytest.fixture(scope="module")
def mock_cifar():
    """Everything the mock tfds gives, read once: all classes, bird and horse by name and by
    index (mock data only exist inside the context)."""
    with tfds.testing.mock_data(num_examples=MOCK_EXAMPLES):
        loads = {key: load_cifar10("cifar10", classes=classes) for key, classes in (
            ("all", None), ("names", ("bird", "horse")), ("indices", [HORSE, BIRD]))}
        arrays = {key: (take_arrays(data.train), take_arrays(data.test))
                  for key, data in loads.items()}
    return loads, arrays


def test_class_constants_are_the_tfds_order():
    assert CIFAR10_CLASSES[BIRD] == "bird" and CIFAR10_CLASSES[HORSE] == "horse"
    assert CIFAR10_CLASSES == ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                               "horse", "ship", "truck")


def test_tfds_cifar10_loads_unbatched_uint8_with_int32_labels(mock_cifar):
    loads, arrays = mock_cifar
    data = loads["all"]
    assert data.train.element_spec == SPEC and data.test.element_spec == SPEC
    assert data.info == {
        "source": "tfds:cifar10", "synthetic": False, "class_names": list(CIFAR10_CLASSES),
        "classes": list(range(10)), "train_examples": MOCK_EXAMPLES,
        "test_examples": MOCK_EXAMPLES, "image_shape": [32, 32, 3],
    }
    (images, labels), _ = arrays["all"]
    assert images.shape == (MOCK_EXAMPLES, 32, 32, 3) and images.dtype == np.uint8
    assert labels.dtype == np.int32 and set(labels.tolist()) <= set(range(10))


def test_class_filter_by_names_or_indices_keeps_original_labels_and_exact_counts(mock_cifar):
    loads, arrays = mock_cifar
    (_, all_train), (_, all_test) = arrays["all"]
    expected = [int(np.isin(labels, (BIRD, HORSE)).sum()) for labels in (all_train, all_test)]
    assert min(expected) > 0  # the mock draws birds and horses
    for key in ("names", "indices"):
        data = loads[key]
        assert data.info["classes"] == [BIRD, HORSE]
        assert [data.info["train_examples"], data.info["test_examples"]] == expected
        assert [int(data.train.cardinality()), int(data.test.cardinality())] == expected
        (_, train), (_, test) = arrays[key]
        np.testing.assert_array_equal(train, all_train[np.isin(all_train, (BIRD, HORSE))])
        np.testing.assert_array_equal(test, all_test[np.isin(all_test, (BIRD, HORSE))])
    np.testing.assert_array_equal(arrays["names"][0][0], arrays["indices"][0][0])


def test_tfds_images_of_the_wrong_shape_are_a_clear_error():
    def grey_digits(self, split, **kwargs):
        return tf.data.Dataset.from_tensor_slices(
            {"image": tf.zeros([2, 28, 28, 1], tf.uint8), "label": tf.zeros([2], tf.int64),
             "id": tf.constant(["a", "b"])})

    with tfds.testing.mock_data(as_dataset_fn=grey_digits):
        with pytest.raises(DataError, match=r"tfds:cifar10 train field 'image': expected "
                                            r"uint8 \[32, 32, 3\], got uint8 \[28, 28, 1\]"):
            load_cifar10("cifar10")


@pytest.mark.parametrize("classes, bad", [
    (("bird", "pegasus"), "'pegasus'"), ((2, 10), "10"), ((-1,), "-1"), ((True,), "True"),
])
def test_unknown_classes_are_clear_errors(classes, bad):
    with pytest.raises(DataError, match=rf"unknown CIFAR-10 class {bad} \(expected an index "
                                        r"0-9 or one of the names airplane, automobile"):
        load_cifar10("synthetic", classes=classes, synthetic_counts=(10, 10))


def test_class_selections_resolve_to_sorted_indices():
    assert resolve_classes(None) == tuple(range(10))
    assert resolve_classes("horse") == (HORSE,)
    assert resolve_classes(["Horse", "7", np.int64(2), "bird"]) == (BIRD, HORSE)
    with pytest.raises(DataError, match="classes: empty selection"):
        resolve_classes(())


def test_unknown_source_is_a_clear_error():
    with pytest.raises(DataError, match=r"--data cifar100: unknown CIFAR-10 source \(expected "
                                        r"one of cifar10, tfds:cifar10, synthetic\)"):
        load_cifar10("cifar100")


def test_synthetic_source_is_marked_filtered_and_disjoint():
    full = load_cifar10("synthetic", seed=1, synthetic_counts=(60, 30))
    assert full.info["synthetic"] is True and "synthetic" in full.info["source"]
    assert full.info["class_names"][BIRD] == "synthetic bird"
    assert (full.info["train_examples"], full.info["test_examples"]) == (60, 30)
    assert full.train.element_spec == SPEC and full.test.element_spec == SPEC
    train_images, train_labels = take_arrays(full.train)
    test_images, _ = take_arrays(full.test)
    assert np.bincount(train_labels).tolist() == [6] * 10
    assert not {x.tobytes() for x in train_images} & {x.tobytes() for x in test_images}

    pair = load_cifar10("synthetic", classes=("horse", "bird"), seed=1,
                        synthetic_counts=(60, 30))
    assert pair.info["classes"] == [BIRD, HORSE]
    assert (pair.info["train_examples"], pair.info["test_examples"]) == (12, 6)
    images, labels = take_arrays(pair.train)
    kept = np.isin(train_labels, (BIRD, HORSE))
    np.testing.assert_array_equal(labels, train_labels[kept])  # same images as in the full set
    np.testing.assert_array_equal(images, train_images[kept])


def test_take_arrays_limits_and_handles_empty_datasets():
    data = load_cifar10("synthetic", synthetic_counts=(20, 0))
    images, labels = take_arrays(data.train, limit=7)
    assert images.shape == (7, 32, 32, 3) and labels.shape == (7,)
    images, labels = take_arrays(data.test)
    assert images.shape == (0, 32, 32, 3) and images.dtype == np.uint8
    assert labels.shape == (0,) and labels.dtype == np.int32
