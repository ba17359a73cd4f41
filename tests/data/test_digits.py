import numpy as np
import pytest
import tensorflow_datasets as tfds

from dlx_tf.data.digits import load_digits
from dlx_tf.data.synthetic.digits import generate_digits
from dlx_tf.errors import DataError


def test_generated_digits_are_seeded_balanced_and_inked():
    images, labels = generate_digits(200, seed=5)
    again, _ = generate_digits(200, seed=5)
    other, _ = generate_digits(200, seed=6)
    assert images.shape == (200, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, again)
    assert not np.array_equal(images, other)
    assert np.bincount(labels).tolist() == [20] * 10
    ink = (images > 128).mean(axis=(1, 2))
    assert 0.04 < ink.min() and ink.max() < 0.45  # every digit drawn, none a blob


def test_classes_differ_more_between_than_within():
    images, labels = generate_digits(400, seed=1)
    means = np.stack([images[labels == k].mean(0) for k in range(10)]).reshape(10, -1)
    spread = np.linalg.norm(means[:, None] - means[None], axis=-1)
    assert spread[~np.eye(10, dtype=bool)].min() > 15


def test_synthetic_splits_are_marked_and_disjoint():
    digits = load_digits("synthetic", seed=0, synthetic_counts=(30, 20, 10))
    assert digits.info["synthetic"] is True and "synthetic" in digits.info["source"]
    counts = [int(ds.cardinality()) for ds in (digits.train, digits.validation, digits.test)]
    assert counts == [30, 20, 10]
    image, label = next(iter(digits.train))
    assert image.shape == (28, 28, 1) and image.dtype == "uint8" and label.dtype == "int64"
    train = {bytes(x.numpy()) for x, _ in digits.train}
    assert not train & {bytes(x.numpy()) for x, _ in digits.test}


def test_tfds_mnist_loads_through_the_real_code():
    with tfds.testing.mock_data(num_examples=12):
        digits = load_digits("mnist")
        image, label = next(iter(digits.train))
    assert digits.info["source"] == "tfds:mnist" and digits.info["synthetic"] is False
    assert digits.info["num_classes"] == 10
    assert image.shape == (28, 28, 1) and image.dtype == "uint8" and label.dtype == "int64"


def test_tfds_dataset_of_the_wrong_shape_is_a_clear_error():
    with tfds.testing.mock_data(num_examples=4):
        with pytest.raises(DataError, match=r"feature 'image' has shape \(32, 32, 3\), the MLP "
                                            r"expects \(28, 28, 1\)"):
            load_digits("cifar10")


def test_a_mistyped_tfds_name_is_one_line_naming_the_closest_names():
    with pytest.raises(DataError, match=r"^--data mnsit: no tfds dataset of that name \(did you "
                                        r"mean mnist\b[^)]*\?\); --data also accepts synthetic$"):
        load_digits("mnsit")
