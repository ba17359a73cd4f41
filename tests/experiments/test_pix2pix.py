"""The pix2pix smoke profile through the real command line: label maps → scenes learned
by every measure (ground truth, realism, the FCN-score), recorded and exported; and the
same pipeline on a real folder of side-by-side A|B photographs."""

import os

import numpy as np
import pytest
import tensorflow as tf
from fresh_load import check_fresh_load
from harness import run_experiment_script
from matplotlib import cbook

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export import check_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("pix2pix")
    return base, run_experiment_script("pix2pix", base)  # the smoke profile, ~1.5 min


def test_smoke_run_learns_labels_to_scenes_by_every_measure(smoke):
    _, record = smoke
    metrics = record["metrics"]
    assert record["status"] == "completed" and record["data"]["synthetic"] is True
    assert record["data"]["skipped_files"] == []
    # The judge reads real scenes well, and far better than any of the four baselines.
    assert metrics["real_fcn_pixel_accuracy"] > 0.9
    for baseline in ("noise", "constant", "input_copy", "one_image"):
        assert metrics[f"baseline_{baseline}_fcn_class_iou"] < 0.6 * metrics[
            "real_fcn_class_iou"], baseline
    # Against the ground truth: far from the untrained generator.
    assert metrics["test_l1"] < 0.6 * metrics["test_l1_at_init"]
    assert metrics["test_psnr"] > metrics["test_psnr_at_init"] + 4
    assert metrics["test_ssim"] > metrics["test_ssim_at_init"] + 0.2
    # The FCN-score climbs from the untrained generator's toward the real scenes' bound,
    # past every baseline's, a repeated real scene included.
    assert metrics["test_fcn_class_iou"] > metrics["test_fcn_class_iou_at_init"] + 0.3
    assert metrics["test_fcn_pixel_accuracy"] > 0.8 * metrics["real_fcn_pixel_accuracy"]
    assert metrics["test_fcn_class_iou"] > metrics["baseline_one_image_fcn_class_iou"] + 0.1
    for baseline in ("noise", "constant", "input_copy"):
        assert metrics["test_kid"] < 0.3 * metrics[f"baseline_{baseline}_kid"], baseline
    assert record["history"][-1]["test_fcn_class_iou"] > record["history"][0]["test_fcn_class_iou"]
    assert set(record["models"]) == {"generator", "discriminator", "segmentation_judge"}
    for name in ("history", "translations"):
        assert os.path.exists(record["artifacts"][name])


def test_export_translates_like_the_live_generator_and_refuses_wrong_sizes(smoke):
    base, record = smoke
    [export] = record["exports"]
    assert export["model_name"] == "pix2pix_synthetic_scenes"
    result = check_export(export["path"])
    assert result.returncode == 0, result.stdout
    images = np.random.default_rng(0).integers(0, 256, (2, 64, 128, 3), dtype=np.uint8)
    outputs = check_fresh_load(
        {"generator": (record["artifacts"]["model/generator"],
                       np.asarray(to_unit_range(images)))}, ["dlx_tf.models.pix2pix"])
    serve = tf.saved_model.load(export["path"]).signatures["serving_default"]
    served = serve(images=tf.constant(images))["images"]
    # Dropout stays on at inference (§3.3), seeded by the input: the same in both.
    np.testing.assert_allclose(np.asarray(from_unit_range(outputs["generator"]), np.int16),
                               np.asarray(served, np.int16), atol=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 64"):
        serve(images=tf.zeros((1, 96, 64, 3), tf.uint8))


def _write_pair_folder(root, counts=(120, 30), crop=64, seed=0):
    """The official A|B format from the photograph matplotlib ships (Grace Hopper): A a
    grey crop, B the same crop in colour (colourisation), side by side; plus one
    odd-width image and one corrupt file, which must be skipped and reported."""
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = tf.io.decode_jpeg(tf.io.read_file(str(path))).numpy()
    rng = np.random.default_rng(seed)
    for split, count in zip(("train", "test"), counts):
        os.makedirs(root / split)
        for index in range(count):
            y, x = rng.integers(0, photo.shape[0] - crop), rng.integers(0, photo.shape[1] - crop)
            colour = photo[y:y + crop, x:x + crop]
            grey = np.repeat(np.asarray(tf.image.rgb_to_grayscale(colour)), 3, axis=-1)
            pair = np.concatenate([grey, colour], axis=1)
            tf.io.write_file(str(root / split / f"{index:03d}.jpg"),
                             tf.io.encode_jpeg(pair, quality=95))
    tf.io.write_file(str(root / "train" / "odd.png"),
                     tf.io.encode_png(np.zeros((crop, 2 * crop + 1, 3), np.uint8)))
    (root / "train" / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")


def test_on_a_real_pair_folder_outputs_beat_noise_and_constants(tmp_path):
    _write_pair_folder(tmp_path / "hopper2colour")
    record = run_experiment_script(
        "pix2pix", tmp_path, f"data={tmp_path / 'hopper2colour'}", "epochs=3",
        "decay_epochs=1", "test_images=30")
    metrics, data = record["metrics"], record["data"]
    assert data["synthetic"] is False and data["train"] == 120
    assert sorted(os.path.basename(s["path"]) for s in data["skipped_files"]) == [
        "broken.jpg", "odd.png"]
    assert "test_fcn_pixel_accuracy" not in metrics  # no label maps: no FCN-score
    for baseline in ("noise", "constant"):
        assert metrics["test_l1"] < metrics[f"baseline_{baseline}_l1"], baseline
        assert metrics["test_ssim"] > metrics[f"baseline_{baseline}_ssim"], baseline
    assert [e["model_name"] for e in record["exports"]] == ["pix2pix_hopper2colour_atob"]
