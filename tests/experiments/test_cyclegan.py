"""The CycleGAN smoke profile through the real command line: it learns to translate in a
way the judge, realism, diversity and content measures all see, records, exports; and
the same pipeline on a real two-domain photo folder beats noise and a copy of the input."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from fresh_load import check_fresh_load
from harness import run_experiment_script
from matplotlib import cbook
from tensorboard_events import image_sizes, summaries, tensorboard_run

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export import check_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("cyclegan")
    return base, run_experiment_script("cyclegan", base, "epochs=3", "decay_epochs=1")


def test_smoke_run_learns_to_translate_by_every_measure(smoke):
    _, record = smoke
    metrics = record["metrics"]
    assert record["status"] == "completed" and record["data"]["synthetic"] is True
    assert record["data"]["quality_features"]["name"] == "synthetic_attributes"
    assert metrics["domain_classifier_test_accuracy"] > 0.95  # the judge itself works
    # Untrained generators give near-constant images: at most the one-sided 0.5.
    assert metrics["test_translation_score_at_init"] <= 0.55
    assert metrics["test_translation_score"] > 0.9
    assert metrics["test_cycle_l1"] < 0.6 * metrics["test_cycle_l1_at_init"]
    # Realism against the target domain: far closer than at initialisation, than a copy
    # of the input and than noise, none of which a person would call translated.
    for reference in ("test_kid_at_init", "baseline_identity_kid", "baseline_noise_kid"):
        assert metrics["test_kid"] < 0.3 * metrics[reference], reference
    assert metrics["test_recall"] > 0.1 and metrics["test_precision"] > 0.5
    assert metrics["baseline_identity_recall"] == metrics["baseline_noise_recall"] == 0.0
    assert 0.5 < metrics["test_diversity"] < 1.5
    # Content against the known answer: the layout survives.
    assert metrics["test_content_ssim"] > metrics["baseline_identity_content_ssim"] + 0.08
    assert metrics["test_content_ssim"] > metrics["test_content_ssim_at_init"] + 0.1
    assert metrics["test_structure_ssim"] > 5 * metrics["baseline_noise_structure_ssim"]
    assert record["history"][-1]["cycle_a"] < record["history"][0]["cycle_a"]
    assert set(record["models"]) == {"generator_a2b", "generator_b2a", "discriminator_a",
                                     "discriminator_b", "domain_classifier"}
    assert record["data"]["skipped_files"] == []
    for name in ("history", "translations"):
        assert os.path.exists(record["artifacts"][name])


def test_both_generators_export_and_translate_uint8_images_of_other_sizes(smoke):
    base, record = smoke
    names = sorted(e["model_name"] for e in record["exports"])
    assert names == ["cyclegan_synthetic_seasons_a2b", "cyclegan_synthetic_seasons_b2a"]
    result = check_export(str(base / "saved_models" / names[0]))
    assert result.returncode == 0, result.stdout
    serve = tf.saved_model.load(str(base / "saved_models" / names[1] / "1"))
    images = np.random.default_rng(0).integers(0, 256, (2, 24, 40, 3), dtype=np.uint8)
    translated = serve.signatures["serving_default"](images=tf.constant(images))["images"]
    assert translated.shape == (2, 24, 40, 3) and translated.dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 4"):
        serve.signatures["serving_default"](images=tf.zeros((1, 30, 40, 3), tf.uint8))


def test_every_network_loads_in_a_fresh_session_and_the_generators_match_their_exports(
        smoke):
    _, record = smoke
    saved = {name.removeprefix("model/"): path for name, path in record["artifacts"].items()
             if name.startswith("model/")}
    assert set(saved) == set(record["models"])
    images = np.random.default_rng(0).integers(0, 256, (2, 48, 64, 3), dtype=np.uint8)
    outputs = check_fresh_load(
        {name: (path, np.asarray(to_unit_range(images))) for name, path in saved.items()},
        ["dlx_tf.models.cyclegan", "dlx_tf.projects.cyclegan.domain_classifier"])
    for export in record["exports"]:
        direction = export["model_name"].rsplit("_", 1)[-1]
        served = tf.saved_model.load(export["path"]).signatures["serving_default"](
            images=tf.constant(images))["images"]
        translated = from_unit_range(outputs[f"generator_{direction}"])
        # Both round to uint8: a last-bit difference may move a pixel by one level.
        np.testing.assert_allclose(np.asarray(translated, np.int16), np.asarray(served, np.int16),
                                   atol=1, err_msg=direction)


def _write_photo_folder(root, counts=(240, 240, 40, 40), crop=96, seed=0):
    """A real two-domain folder from the photograph matplotlib ships (Grace Hopper): A is
    colour JPEG crops, B grayscale PNG negatives of crops from other places: real photo
    statistics, domains a copy of the input cannot pass for each other."""
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = tf.io.decode_jpeg(tf.io.read_file(str(path))).numpy()
    rng = np.random.default_rng(seed)
    for split, count in zip(("trainA", "trainB", "testA", "testB"), counts):
        os.makedirs(root / split)
        for index in range(count):
            y = rng.integers(0, photo.shape[0] - crop)
            x = rng.integers(0, photo.shape[1] - crop)
            patch = photo[y:y + crop, x:x + crop]
            if split.endswith("A"):
                data = tf.io.encode_jpeg(patch, quality=90)
                name = f"{index:03d}.jpg"
            else:
                data = tf.io.encode_png(255 - tf.image.rgb_to_grayscale(patch))
                name = f"{index:03d}.png"
            tf.io.write_file(str(root / split / name), data)


def test_on_a_real_photo_folder_translations_beat_noise_and_the_copied_input(tmp_path):
    _write_photo_folder(tmp_path / "photos")
    record = run_experiment_script("cyclegan", tmp_path, f"data={tmp_path / 'photos'}",
                                   "epochs=5", "decay_epochs=2", "test_images=40")
    metrics, data = record["metrics"], record["data"]
    assert data["synthetic"] is False and data["skipped_files"] == []
    assert data["quality_features"]["name"] == "texture_statistics"  # offline: no weights
    assert "test_content_ssim" not in metrics  # unpaired: no known answers
    # Realism against the target domain beats both a copy of the input and noise.
    for baseline in ("identity", "noise"):
        assert metrics["test_kid"] < 0.5 * metrics[f"baseline_{baseline}_kid"], baseline
        assert metrics["test_precision"] > metrics[f"baseline_{baseline}_precision"], baseline
    # Content: the edges survive far better than in noise; the copy keeps them all, which
    # is why realism is read beside it.
    assert metrics["test_structure_ssim"] > max(0.1, 10 * metrics["baseline_noise_structure_ssim"])
    assert metrics["baseline_identity_structure_ssim"] == pytest.approx(1.0)
    with open(os.path.join(record["artifacts"]["translations"]), "rb") as file:
        assert file.read(4) == b"\x89PNG"
    assert json.loads((tmp_path / "run" / "run.json").read_text())["exports"][0][
        "model_name"] == "cyclegan_photos_a2b"


def test_tensorboard_shows_the_translations_of_every_epoch(smoke):
    base, record = smoke
    samples = tensorboard_run(base / "run" / "tensorboard" / "samples")
    plugin, _, values = summaries(samples, "translations")
    assert plugin == "images" and [step for step, _ in values] == [1, 2, 3]
    crop = record["config"]["crop_size"]
    # Four examples, each real → translated → reconstructed in both directions.
    assert image_sizes(values[-1][1]) == [(crop, 6 * crop, 3)] * 4


def test_the_other_generators_train_side_by_side_on_the_same_data(tmp_path):
    record = run_experiment_script("cyclegan", tmp_path, "compare_generators=ganilla,unet",
                                   "epochs=3", "decay_epochs=1")
    table = record["metrics"]["generator_comparison"]
    assert list(table) == ["ganilla", "unet"] and record["status"] == "completed"
    for generator, row in table.items():
        # Untrained generators give near-constant images: at most the one-sided 0.5.
        assert row["translation_score_at_init"] <= 0.55, generator
        assert row["translation_score"] > 0.9, generator
        assert row["kid"] < 0.3 * row["kid_at_init"], generator
        assert row["content_ssim"] > row["content_ssim_at_init"] + 0.05, generator
        assert row["cycle_l1"] < 0.6 * row["cycle_l1_at_init"], generator
    # filters=8: GANILLA's widths 8/16/16/32 and a 16-wide FPN; a 6-level U-Net for 64².
    assert table["ganilla"]["generator_params"] == 115_075
    assert [run["generator"] for run in record["runs"]] == ["ganilla", "unet"]
    assert sorted(e["model_name"] for e in record["exports"]) == [
        "cyclegan_unet_synthetic_seasons_a2b", "cyclegan_unet_synthetic_seasons_b2a",
        "ganilla_synthetic_seasons_a2b", "ganilla_synthetic_seasons_b2a"]
    assert os.path.exists(record["artifacts"]["generator_comparison"])
    ganilla = next(e for e in record["exports"] if e["model_name"].startswith("ganilla"))
    result = check_export(ganilla["path"])
    assert result.returncode == 0, result.stdout
