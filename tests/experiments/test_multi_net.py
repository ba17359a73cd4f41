"""The Multi-Net smoke ablation through the real command line: synthetic MP4 clips decoded
through PyAV, three clip towers trained the same way, retrieval far above chance with the
fused tower ahead of the video-only one on captions that name the sound, its figures, and
exports that answer as the trained towers do."""

import json

import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_text  # noqa: F401  (registers the tokenizer's ops before loading)
from fresh_load import check_fresh_load
from harness import run_experiment_script
from tensorboard_events import summaries, tensorboard_run

import dlx_tf.models.multi_net  # noqa: F401  (registers the towers for load_model)
from dlx_tf.data.msrvtt import load_captioned_clips
from dlx_tf.data.video_clips import ClipDecoding
from dlx_tf.export import check_export
from dlx_tf.models.resnet import keras_hub_resnet_config

pytestmark = pytest.mark.slow
MODES = ("fusion", "video_only", "audio_only")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("multi_net")
    return base, run_experiment_script("multi_net", base)


def _point(base, mode):
    with open(base / "run" / f"fusion_mode_{mode}" / "run.json") as f:
        return json.load(f)


def test_the_ablation_retrieves_far_above_chance_and_fusion_hears(smoke):
    base, record = smoke
    assert record["status"] == "completed" and [run["fusion_mode"] for run in record["runs"]] \
        == list(MODES)
    fused = _point(base, "fusion")
    data, metrics = fused["data"], fused["metrics"]
    assert data["synthetic"] is True and data["skipped"] == []
    assert data["clips_without_audio"]["test"] > 0  # silent clips went through as silent
    chance = 100.0 / data["clips"]["test"]
    assert metrics["test_text_to_video_R@1"] > 8 * chance
    assert metrics["test_text_to_video_R@5"] > 50  # the right clip in the top 5 for most
    assert fused["history"][-1]["loss"] < 0.8 * fused["history"][0]["loss"]
    ablation = record["metrics"]["ablation"]
    assert ablation["fusion"]["captions_sound"] > ablation["video_only"]["captions_sound"]
    assert record["metrics"]["fusion_gain_R@1_captions_sound"] > 0
    # Without sound in the caption, audio alone cannot tell the clips apart.
    assert ablation["audio_only"]["captions_no_sound"] < 3 * chance
    assert set(fused["artifacts"]) >= {"history", "retrieval", "more_like_this"}
    assert "ablation" in record["artifacts"]
    samples = tensorboard_run(base / "run" / "fusion_mode_fusion" / "tensorboard" / "samples")
    plugin, description, [(_, text)] = summaries(samples, "retrieval_examples")
    assert plugin == "text" and "drawn at random" in description
    assert text.item().decode().count("\n- **") == 7  # 8 captions
    assert {"clip_encoder", "text_encoder", "video_encoder", "audio_encoder",
            "fusion"} <= set(fused["models"])


def test_the_retrieval_export_finds_test_clips_as_the_trained_towers_do(smoke):
    base, record = smoke
    exports = {export["model_name"]: export["path"] for export in record["exports"]}
    assert set(exports) == {"multi_net_synthetic", "multi_net_synthetic_retrieval"}
    for path in exports.values():
        result = check_export(path)
        assert result.returncode == 0, result.stdout
        assert "limit  " in result.stdout
    fused = _point(base, "fusion")
    data = _test_clips(base, fused["config"])
    encode_text = tf.saved_model.load(exports["multi_net_synthetic"]).signatures[
        "serving_default"]
    search = tf.saved_model.load(exports["multi_net_synthetic_retrieval"]).signatures[
        "serving_default"]
    clip_encoder = keras.saving.load_model(fused["artifacts"]["model/multi_net_clip_encoder"])
    clips = np.concatenate([clip_encoder({"frames": f, "audio": a, "has_audio": h})
                            for f, a, h in data.clip_dataset("test").batch(64)])
    found, captions = [], np.asarray(data.test.captions, object)
    for start in range(0, len(captions), 64):  # the export's batch limit
        batch = tf.constant(captions[start:start + 64])
        answer = search(texts=batch, k=tf.constant(5))
        text = encode_text(texts=batch)["embeddings"].numpy()
        want = -np.sort(-(text @ clips.T), axis=1)[:, :5]
        np.testing.assert_allclose(answer["scores"].numpy(), want, atol=1e-5)
        ids = answer["clip_ids"].numpy().astype(str)
        right = np.array(data.test.clip_ids)[data.test.caption_clips[start:start + 64]]
        found += list(np.any(ids == right[:, None], axis=1))
    # Most test captions find their clip in the top 5, as the run's R@5 says.
    assert np.mean(found) > 0.5
    assert 100 * np.mean(found) == pytest.approx(fused["metrics"]["test_text_to_video_R@5"],
                                                 abs=1.0)


def _test_clips(base, config):
    decoding = ClipDecoding(frames_per_clip=config["frames_per_clip"], size=config["frame_size"])
    return load_captioned_clips(
        "synthetic", decoding, str(base / "run" / "clip_cache"), seed=config["seed"],
        split=config["split"], audio_seconds=config["audio_seconds"],
        synthetic_clips=config["synthetic_clips"], synthetic_seconds=config["synthetic_seconds"])


def test_the_saved_towers_load_in_a_fresh_session(smoke):
    base, _ = smoke
    artifacts = _point(base, "fusion")["artifacts"]
    rng = np.random.default_rng(0)
    config = _point(base, "fusion")["config"]
    size, frames = config["frame_size"], config["frames_per_clip"]
    samples = round(config["audio_seconds"] * 16000)
    clips = {"frames": rng.integers(0, 256, (2, frames, size, size, 3), dtype="uint8"),
             "audio": rng.uniform(-0.5, 0.5, (2, samples)).astype("float32"),
             "has_audio": np.array([True, False])}
    outputs = check_fresh_load({"clips": (artifacts["model/multi_net_clip_encoder"], clips)},
                               ["dlx_tf.models.multi_net"])["clips"]
    np.testing.assert_allclose(np.linalg.norm(outputs, axis=1), 1.0, atol=1e-5)


def test_paper_towers_from_local_presets_stay_as_loaded_in_the_frozen_phase(tmp_path):
    # Small random presets saved as KerasHub would save them stand in for
    # bert_base_en_uncased, clip_vit_base_patch32_224 and resnet_18_imagenet; one epoch,
    # all of it frozen: every pretrained tower must come out as it went in.
    presets = _save_small_presets(tmp_path / "presets")
    record = run_experiment_script(
        "multi_net", tmp_path, *(f"{tower}_preset={path}" for tower, path in presets.items()),
        "fusion_modes=fusion", "freeze_epochs=1", "epochs=1", "synthetic_clips=24",
        "audio_width=64", "audio_blocks=2,2,2,2", "caption_tokens=12")
    assert record["status"] == "completed"
    fused = _point(tmp_path, "fusion")
    text_encoder = keras.saving.load_model(fused["artifacts"]["model/multi_net_text_encoder"])
    clip_encoder = keras.saving.load_model(fused["artifacts"]["model/multi_net_clip_encoder"])
    towers = {"text": text_encoder.backbone, "video": clip_encoder.video_encoder.backbone,
              "audio": clip_encoder.audio_encoder.backbone}
    for tower in ("text", "video"):
        loaded = keras_hub.models.Backbone.from_preset(presets[tower])
        loaded = loaded.vision_encoder if tower == "video" else loaded
        assert len(towers[tower].weights) == len(loaded.weights)
        for ours, theirs in zip(towers[tower].weights, loaded.weights):
            np.testing.assert_array_equal(ours, theirs, err_msg=tower)
    # The audio ResNet is Audio-Net's own backbone, filled from the preset by layer name.
    hub = keras_hub.models.Backbone.from_preset(presets["audio"])
    for name, layer in towers["audio"].named_weight_layers().items():
        for ours, theirs in zip(layer.get_weights(), hub.get_layer(name).get_weights()):
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
    assert fused["models"]["text_encoder"]["params"] == text_encoder.count_params()


def _save_small_presets(folder):
    vocabulary = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]", *sorted(
        {"a", "moves", "while", "in", "going", "drifts", "beats", "rings", "low", "high",
         "drum", "bell", "steady", "rapid", "silence", "red", "green", "blue", "yellow",
         "circle", "square", "triangle", "left", "right", "up", "down", "slowly", "quickly",
         ","})]
    text = keras_hub.models.BertBackbone(vocabulary_size=len(vocabulary), num_layers=1,
                                         num_heads=2, hidden_dim=16, intermediate_dim=32,
                                         max_sequence_length=12)
    text.save_to_preset(str(folder / "text"))
    keras_hub.models.BertTokenizer(vocabulary=vocabulary).save_to_preset(str(folder / "text"))
    vision = keras_hub.models.CLIPVisionEncoder(patch_size=8, hidden_dim=16, num_layers=1,
                                                num_heads=2, intermediate_dim=32,
                                                image_shape=(32, 32, 3))
    clip_text = keras_hub.models.CLIPTextEncoder(vocabulary_size=20, embedding_dim=16,
                                                 hidden_dim=16, num_layers=1, num_heads=2,
                                                 intermediate_dim=32, max_sequence_length=6)
    keras_hub.models.CLIPBackbone(vision, clip_text, projection_dim=16).save_to_preset(
        str(folder / "video"))
    keras_hub.models.ResNetBackbone(**keras_hub_resnet_config((2, 2, 2, 2)),
                                    image_shape=(None, None, 3)).save_to_preset(
        str(folder / "audio"))
    return {tower: str(folder / tower) for tower in ("text", "video", "audio")}
