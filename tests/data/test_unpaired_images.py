import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from dlx_tf.data.synthetic.seasons import generate_scenes
from dlx_tf.data.unpaired_images import (
    from_unit_range,
    load_unpaired,
    random_jitter,
    to_unit_range,
)
from dlx_tf.errors import DataError

SPLITS = ("train_a", "train_b", "test_a", "test_b")


def _images(data, split):
    return [image.numpy() for image in getattr(data, split)]


def test_synthetic_splits_are_marked_sized_and_disjoint():
    data = load_unpaired("synthetic", load_size=20, crop_size=16, seed=1,
                         synthetic_counts=(12, 10, 6, 4))
    assert data.info["synthetic"] is True and "synthetic" in data.info["source"]
    assert (data.info["domain_a"], data.info["domain_b"]) == ("summer", "winter")
    assert [data.info[split] for split in SPLITS] == [12, 10, 6, 4]
    assert [int(getattr(data, split).cardinality()) for split in SPLITS] == [12, 10, 6, 4]
    images = {split: _images(data, split) for split in SPLITS}
    assert {x.shape for x in images["train_a"] + images["train_b"]} == {(20, 20, 3)}
    assert {x.shape for x in images["test_a"] + images["test_b"]} == {(16, 16, 3)}
    assert images["train_a"][0].dtype == np.uint8
    for first, second in (("train_a", "train_b"), ("test_a", "test_b")):
        assert not {x.tobytes() for x in images[first]} & {x.tobytes() for x in images[second]}


def test_synthetic_test_splits_come_with_their_known_answers():
    data = load_unpaired("synthetic", load_size=20, crop_size=16, seed=1,
                         synthetic_counts=(4, 4, 6, 5))
    answers_a, answers_b = (np.stack(list(answers.as_numpy_iterator()))
                            for answers in (data.answers_a, data.answers_b))
    test_a, test_b = np.stack(_images(data, "test_a")), np.stack(_images(data, "test_b"))
    assert answers_a.shape == test_a.shape and answers_b.shape == test_b.shape
    # The same layouts in the other season: winter skies are paler, summer ground greener.
    assert answers_a[:, :4].mean() > test_a[:, :4].mean() + 20
    assert answers_b[:, -4:, :, 1].mean() < test_b[:, -4:, :, 1].mean() - 20
    summer = generate_scenes(5, 16, "summer", seed=1 * 4 + 3)
    np.testing.assert_array_equal(answers_b, summer)


def test_real_unpaired_data_have_no_answers():
    with tfds.testing.mock_data(num_examples=2):
        data = load_unpaired("cycle_gan/horse2zebra", load_size=20, crop_size=16)
    assert data.answers_a is None and data.answers_b is None


def test_tfds_cycle_gan_images_are_resized_uint8_and_named():
    with tfds.testing.mock_data(num_examples=3):  # mock images come at random sizes
        data = load_unpaired("cycle_gan/summer2winter_yosemite", load_size=20, crop_size=16)
        images = {split: _images(data, split) for split in SPLITS}
    assert data.info["source"] == "tfds:cycle_gan/summer2winter_yosemite"
    assert data.info["synthetic"] is False and data.info["skipped_files"] == []
    assert (data.info["domain_a"], data.info["domain_b"]) == ("summer", "winter")
    assert [data.info[split] for split in SPLITS] == [3, 3, 3, 3]
    assert {x.shape for x in images["train_a"] + images["train_b"]} == {(20, 20, 3)}
    assert {x.shape for x in images["test_a"] + images["test_b"]} == {(16, 16, 3)}
    assert {x.dtype for x in images["train_b"]} == {np.dtype(np.uint8)}


@pytest.mark.parametrize("source, domains", [
    ("summer2winter_yosemite", ("summer", "winter")),
    ("tfds:cycle_gan/horse2zebra", ("horse", "zebra")),
    ("facades", ("A", "B")),
])
def test_tfds_names_and_domains(source, domains):
    with tfds.testing.mock_data(num_examples=1):
        data = load_unpaired(source, load_size=8, crop_size=8)
    assert (data.info["domain_a"], data.info["domain_b"]) == domains


def test_unknown_sources_are_clear_errors():
    with pytest.raises(DataError, match="cycle_gan/zebra2horse: not a tfds cycle_gan config"):
        load_unpaired("cycle_gan/zebra2horse", load_size=8, crop_size=8)
    with pytest.raises(DataError, match="no/such/folder: no such directory"):
        load_unpaired("no/such/folder", load_size=8, crop_size=8)


def _write(path, image, jpeg=False):
    encode = tf.io.encode_jpeg if jpeg else tf.io.encode_png
    tf.io.write_file(str(path), encode(tf.constant(image, tf.uint8)))


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for split in ("trainA", "trainB", "testA", "testB"):
        (tmp_path / split).mkdir()
        _write(tmp_path / split / "a.png", rng.integers(0, 256, (21, 13, 3)))
    _write(tmp_path / "trainA" / "b.JPG", rng.integers(0, 256, (9, 17, 1)), jpeg=True)
    _write(tmp_path / "trainA" / "c.png", np.full((6, 5, 4), (10, 200, 30, 90)))
    (tmp_path / "trainA" / "d.png").write_bytes(b"not an image at all")
    (tmp_path / "trainA" / "notes.txt").write_text("where the pictures came from")
    return tmp_path


def test_directory_converts_channels_skips_corrupt_and_ignores_other_files(folder, capsys):
    data = load_unpaired(str(folder), load_size=12, crop_size=10)
    broken = str(folder / "trainA" / "d.png")
    assert [entry["path"] for entry in data.info["skipped_files"]] == [broken]
    assert f"skipped {broken}: Unknown image file format" in capsys.readouterr().out
    assert [data.info[split] for split in SPLITS] == [3, 1, 1, 1]
    assert data.info["synthetic"] is False and data.info["domain_a"] == "A"
    rgb, gray, rgba = _images(data, "train_a")  # sorted by file name
    assert {x.shape for x in (rgb, gray, rgba)} == {(12, 12, 3)}
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()
    assert (rgba == (10, 200, 30)).all()  # alpha dropped, colour untouched
    assert _images(data, "test_b")[0].shape == (10, 10, 3)


def test_images_over_the_pixel_cap_are_skipped_from_their_header_before_decoding(
        folder, capsys):
    # A PNG header announcing 100,000² pixels over a body that would not even decode.
    huge = folder / "trainA" / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR"
                     + (100_000).to_bytes(4, "big") * 2 + b"\x08\x02\0\0\0" + b"\0" * 64)
    data = load_unpaired(str(folder), load_size=12, crop_size=10)
    reason = "100000×100000 is 10,000,000,000 pixels, more than max_image_pixels 40,000,000"
    assert {"path": str(huge), "reason": reason} in data.info["skipped_files"]
    assert f"skipped {huge}: {reason}" in capsys.readouterr().out
    _write(folder / "trainA" / "e.jpg", np.zeros((16, 20, 3)), jpeg=True)
    capped = load_unpaired(str(folder), load_size=12, crop_size=10, max_pixels=300)
    assert {"path": str(folder / "trainA" / "e.jpg"),
            "reason": "20×16 is 320 pixels, more than max_image_pixels 300"} in \
        capped.info["skipped_files"]
    assert capped.info["train_a"] == 3  # the 13×21 and 6×5 PNGs and the 17×9 JPEG stay


def test_directory_layout_errors_name_the_folder(folder):
    for path in (folder / "testB").iterdir():
        path.unlink()
    (folder / "testB").rmdir()
    with pytest.raises(DataError, match=r"missing folder testB/ \(expected trainA/ trainB/"):
        load_unpaired(str(folder), load_size=12, crop_size=10)
    (folder / "testB").mkdir()
    (folder / "testB" / "x.jpeg").write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(DataError, match="testB/ holds no readable JPEG/PNG image"):
        load_unpaired(str(folder), load_size=12, crop_size=10)


def test_random_jitter_crops_and_flips_by_seed():
    image = np.random.default_rng(0).integers(0, 256, (12, 12, 3)).astype(np.uint8)
    outputs = [random_jitter(image, 8, tf.constant([seed, 7], tf.int64)).numpy()
               for seed in range(12)]
    again = random_jitter(image, 8, tf.constant([0, 7], tf.int64)).numpy()
    np.testing.assert_array_equal(outputs[0], again)
    assert outputs[0].shape == (8, 8, 3) and outputs[0].dtype == np.uint8
    assert len({x.tobytes() for x in outputs}) > 6
    crops = {image[i:i + 8, j:j + 8].tobytes(): False for i in range(5) for j in range(5)}
    crops.update({image[i:i + 8, j:j + 8][:, ::-1].tobytes(): True
                  for i in range(5) for j in range(5)})
    flipped = [crops[x.tobytes()] for x in outputs]  # KeyError: neither a crop nor a mirror
    assert any(flipped) and not all(flipped)


def test_unit_range_round_trip():
    pixels = tf.range(256, dtype=tf.int32)
    unit = to_unit_range(tf.cast(pixels, tf.uint8))
    assert unit.dtype == tf.float32 and float(unit[0]) == -1.0 and float(unit[-1]) == 1.0
    np.testing.assert_array_equal(from_unit_range(unit).numpy(), np.arange(256))
    assert from_unit_range([-3.0, 0.0, 3.0]).numpy().tolist() == [0, 128, 255]
