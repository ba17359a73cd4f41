import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.data.paired_images import load_paired, paired_jitter
from dlx_tf.data.synthetic.seasons import LABEL_CLASSES, generate_scenes, label_images, scene_labels
from dlx_tf.errors import DataError, UsageError

LEFT, RIGHT = (200, 30, 30), (20, 40, 220)  # A and B halves of the images the tests write


def _pairs(dataset):
    pairs = list(dataset.as_numpy_iterator())
    return np.stack([a for a, _ in pairs]), np.stack([b for _, b in pairs])


def _write(path, width, height, fmt="png"):
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :width // 2], image[:, width // 2:] = LEFT, RIGHT
    encode = tf.io.encode_png if fmt == "png" else tf.io.encode_jpeg
    path.write_bytes(encode(image).numpy())


def _folder(root, splits=("train", "val", "test")):
    for split in splits:
        (root / split).mkdir(parents=True)
        _write(root / split / "1.jpg", 32, 16, "jpg")  # halves on JPEG blocks
        _write(root / split / "2.png", 30, 16)
    return root


def test_synthetic_pairs_are_label_maps_and_their_summer_scenes():
    data = load_paired("synthetic", load_size=20, crop_size=16, seed=1, synthetic_counts=(6, 4))
    info = data.info
    assert info["synthetic"] is True and "synthetic" in info["source"]
    assert (info["domain_a"], info["domain_b"], info["direction"]) == ("labels", "scenes", "AtoB")
    assert (info["input_domain"], info["target_domain"]) == ("labels", "scenes")
    assert (info["train"], info["val"], info["test"]) == (6, 0, 4)
    assert info["label_classes"] == list(LABEL_CLASSES) and data.val is None
    train_inputs, train_targets = _pairs(data.train)
    assert train_inputs.shape == train_targets.shape == (6, 20, 20, 3)
    assert train_inputs.dtype == train_targets.dtype == np.uint8
    inputs, targets = _pairs(data.test)
    assert inputs.shape == targets.shape == (4, 16, 16, 3)
    assert data.test_labels.shape == (4, 16, 16) and data.test_labels.dtype == np.uint8
    # The test split has a seed of its own, shared by its labels and its scenes.
    np.testing.assert_array_equal(data.test_labels, scene_labels(4, 16, seed=1 * 2 + 1))
    np.testing.assert_array_equal(inputs, label_images(data.test_labels))
    np.testing.assert_array_equal(targets, generate_scenes(4, 16, "summer", seed=1 * 2 + 1))
    np.testing.assert_array_equal(train_targets, generate_scenes(6, 20, "summer", seed=1 * 2))


def test_synthetic_pairs_are_seeded_and_b_to_a_swaps_them():
    data = load_paired("synthetic", 16, 16, seed=2, synthetic_counts=(3, 2))
    again = load_paired("synthetic", 16, 16, seed=2, synthetic_counts=(3, 2))
    other = load_paired("synthetic", 16, 16, seed=3, synthetic_counts=(3, 2))
    swapped = load_paired("synthetic", 16, 16, "BtoA", seed=2, synthetic_counts=(3, 2))
    inputs, targets = _pairs(data.train)
    np.testing.assert_array_equal(inputs, _pairs(again.train)[0])
    assert not np.array_equal(targets, _pairs(other.train)[1])
    swapped_inputs, swapped_targets = _pairs(swapped.train)
    np.testing.assert_array_equal(swapped_inputs, targets)
    np.testing.assert_array_equal(swapped_targets, inputs)
    assert (swapped.info["input_domain"], swapped.info["target_domain"]) == ("scenes", "labels")


def test_folder_pairs_are_split_at_half_width_and_resized(tmp_path):
    root = _folder(tmp_path / "edges2shoes")
    data = load_paired(str(root), load_size=10, crop_size=8)
    info = data.info
    assert info["source"] == str(root) and info["synthetic"] is False
    assert (info["train"], info["val"], info["test"], info["test_from"]) == (2, 2, 2, "test")
    assert (info["domain_a"], info["domain_b"]) == ("edges", "shoes")
    assert info["skipped_files"] == [] and data.test_labels is None
    inputs, targets = _pairs(data.train)
    assert inputs.shape == targets.shape == (2, 10, 10, 3) and inputs.dtype == np.uint8
    for split in (data.test, data.val):
        assert _pairs(split)[0].shape == (2, 8, 8, 3)
    # A cut at width // 2 keeps each half one flat colour; the JPEG's chroma blurs the cut.
    np.testing.assert_array_equal(inputs[1], np.broadcast_to(LEFT, (10, 10, 3)))  # the PNG
    np.testing.assert_array_equal(targets[1], np.broadcast_to(RIGHT, (10, 10, 3)))
    assert np.abs(inputs[0].mean((0, 1)) - LEFT).max() < 5  # measured 3.0
    assert np.abs(targets[0].mean((0, 1)) - RIGHT).max() < 5

    swapped_inputs, swapped_targets = _pairs(load_paired(str(root), 10, 8, "BtoA").train)
    np.testing.assert_array_equal(swapped_inputs, targets)
    np.testing.assert_array_equal(swapped_targets, inputs)


def test_odd_widths_and_unreadable_files_are_skipped_and_reported(tmp_path, capsys):
    root = _folder(tmp_path / "facades")
    _write(root / "train" / "3_odd.png", 25, 12)
    (root / "train" / "4_broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    (root / "train" / "notes.txt").write_text("not an image, not a pair")
    data = load_paired(str(root), 10, 8, max_pixels=10_000)
    assert data.info["train"] == 2 and len(list(data.train)) == 2
    skipped = {entry["path"]: entry["reason"] for entry in data.info["skipped_files"]}
    odd, broken = str(root / "train" / "3_odd.png"), str(root / "train" / "4_broken.jpg")
    assert sorted(skipped) == [odd, broken] and "width 25 is odd" in skipped[odd]
    printed = capsys.readouterr().out
    assert all(f"skipped {path}" in printed for path in skipped)
    assert (data.info["domain_a"], data.info["domain_b"]) == ("photo", "labels")
    _write(root / "test" / "5_huge.png", 200, 100)  # 20,000 pixels
    data = load_paired(str(root), 10, 8, max_pixels=10_000)
    assert "more than max_image_pixels" in data.info["skipped_files"][-1]["reason"]


def test_a_lone_val_folder_is_the_test_split(tmp_path, capsys):
    root = _folder(tmp_path / "maps", splits=("train", "val"))
    data = load_paired(str(root), 10, 8)
    assert data.val is None and data.info["test_from"] == "val"
    assert (data.info["test"], data.info["val"]) == (2, 0)
    assert _pairs(data.test)[0].shape == (2, 8, 8, 3)
    assert "its val/ pairs are the test split" in capsys.readouterr().out


def test_bad_sources_and_folders_fail_with_one_clear_line(tmp_path):
    with pytest.raises(DataError, match=r"no tfds dataset ships pix2pix's A\|B pairs") as error:
        load_paired("facades", 10, 8)
    assert "train/ [val/] test/" in str(error.value) and "\n" not in str(error.value)
    (tmp_path / "empty" / "test").mkdir(parents=True)
    with pytest.raises(DataError, match=r"missing folder .*empty/train \(expected train/"):
        load_paired(str(tmp_path / "empty"), 10, 8)
    root = _folder(tmp_path / "odd", splits=("test",))
    (root / "train").mkdir()
    _write(root / "train" / "odd.png", 9, 4)
    with pytest.raises(DataError, match=r"no readable A\|B image in .*odd/train"):
        load_paired(str(root), 10, 8)
    root = _folder(tmp_path / "no_test", splits=("train",))
    with pytest.raises(DataError, match=r"missing folder .*no_test/test"):
        load_paired(str(root), 10, 8)
    with pytest.raises(UsageError, match="direction must be one of AtoB, BtoA, got 'AtoC'"):
        load_paired("synthetic", 10, 8, direction="AtoC")
    with pytest.raises(UsageError, match="crop_size 12 is larger than load_size 10"):
        load_paired("synthetic", 10, 12)


def test_jitter_crops_and_flips_both_halves_alike():
    rows, cols = np.meshgrid(np.arange(20), np.arange(20), indexing="ij")
    # Pixel-aligned gradients: every pixel says where it was, in both halves.
    inputs = np.stack([rows * 12, cols * 12, np.full_like(rows, 7)], -1).astype(np.uint8)
    targets = 255 - inputs
    crops = set()
    for seed in range(12):
        seed = tf.constant([seed, 5], tf.int64)
        jittered, jittered_targets = (x.numpy() for x in paired_jitter(inputs, targets, 16, seed))
        assert jittered.shape == jittered_targets.shape == (16, 16, 3)
        assert jittered.dtype == jittered_targets.dtype == np.uint8
        np.testing.assert_array_equal(jittered_targets, 255 - jittered)
        copy, _ = paired_jitter(inputs, inputs, 16, seed)
        np.testing.assert_array_equal(copy.numpy(), jittered)  # the same seed, the same crop
        crops.add((jittered[0, 0, 0], jittered[0, 0, 1], jittered[0, 1, 1] > jittered[0, 0, 1]))
    assert len(crops) > 4  # offsets and flips vary with the seed
