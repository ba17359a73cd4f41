"""What experiments/multi_net.py assembles: config checks, towers from local presets, and
the retrieval numbers it logs."""

import dataclasses

import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
from tiny_multi_net import SEQUENCE_LENGTH, tiny_text_encoder

from dlx_tf.data.msrvtt import CaptionedClips, CaptionSplit
from dlx_tf.data.video_clips import ClipDecoding, DecodedClip
from dlx_tf.errors import UsageError
from dlx_tf.models.bert.bert_classifier import wordpiece_vocabulary
from dlx_tf.models.multi_net import CLIP_MEAN, CLIP_STD
from dlx_tf.models.resnet import keras_hub_resnet_config
from dlx_tf.projects.multi_net import multi_net_setup as setup
from experiments import multi_net

SMOKE = multi_net.PROFILES["smoke"]
CAPTIONS = ("a red circle moves left", "a blue square bounces while a drum beats",
            "a green triangle spins in silence")


def _split(captions, caption_clips, mentions_sound=None):
    clips = int(max(caption_clips)) + 1
    return CaptionSplit(clip_ids=tuple(f"video{c}" for c in range(clips)),
                        clip_paths=tuple(f"video{c}.mp4" for c in range(clips)),
                        captions=tuple(captions), caption_clips=np.array(caption_clips, np.int32),
                        mentions_sound=None if mentions_sound is None
                        else np.array(mentions_sound, bool))


# === check_config ===

@pytest.mark.parametrize("profile", sorted(multi_net.PROFILES))
def test_the_profiles_pass(profile):
    setup.check_config(multi_net.PROFILES[profile])


@pytest.mark.parametrize("changes, message", [
    (dict(fusion_modes=("fusion", "late")),
     r"^fusion_modes: expected each of fusion, .*got 'late'$"),
    (dict(fusion_mode="late"), r"^fusion_modes: expected each of .*got 'late'$"),
    (dict(fusion_modes=("fusion", "video_only", "fusion")),
     r"^fusion_modes: expected distinct modes, got \('fusion', 'video_only', 'fusion'\)$"),
    (dict(freeze_epochs=1), r"^freeze_epochs: a frozen phase needs pretrained weights; set "),
    (dict(audio_preset="resnet_18_imagenet"),
     rf"^audio_width: ImageNet ResNet presets have width 64, got {SMOKE.audio_width}$"),
])
def test_settings_that_cannot_go_together_are_one_line_errors(changes, message):
    with pytest.raises(UsageError, match=message) as error:
        setup.check_config(dataclasses.replace(SMOKE, **changes))
    assert "\n" not in str(error.value)


# === Retrieval numbers ===

def test_the_tie_ceiling_counts_the_clips_that_share_a_caption():
    # "a dog runs" names clips 0 and 2 (1/2 each); "a cat sleeps" only clip 1, twice (1);
    # "a bird sings" only clip 2 (1): (1/2 + 1 + 1/2 + 1 + 1) / 5 captions.
    part = _split(["a dog runs", "a cat sleeps", "a dog runs", "a bird sings", "a cat sleeps"],
                  [0, 1, 2, 2, 1])
    assert setup.caption_tie_ceiling(part) == pytest.approx(80.0)


# Caption → clip similarities (4 captions, 3 clips); the correct clip's rank in brackets.
SIMILARITIES = np.array([[0.9, 0.1, 0.2],   # clip 0 [1]
                         [0.8, 0.5, 0.1],   # clip 1 [2]
                         [0.3, 0.4, 0.2],   # clip 2 [3]
                         [0.1, 0.2, 0.7]])  # clip 2 [1]
CAPTION_CLIPS = [0, 1, 2, 2]


def _retrieval(part, prefix="test_"):
    # Identity clip embeddings make the text embeddings the similarities themselves.
    return setup.retrieval_results(SIMILARITIES, np.eye(3), part, prefix=prefix)


def test_retrieval_results_rank_as_by_hand_and_split_by_sound():
    results = _retrieval(_split(CAPTIONS + ("a drum beats",), CAPTION_CLIPS,
                                mentions_sound=[True, False, True, False]))
    expected = {
        # Text→video ranks 1, 2, 3, 1.
        "test_text_to_video": {"R@1": 50.0, "R@5": 100.0, "R@10": 100.0,
                               "median_rank": 1.5, "mean_rank": 1.75},
        # Each clip's best caption scores 0.9, 0.5 and 0.7: every clip ranks its own first.
        "test_video_to_text": {"R@1": 100.0, "R@5": 100.0, "R@10": 100.0,
                               "median_rank": 1.0, "mean_rank": 1.0},
        "test_text_to_video_{}_captions_sound": {"R@1": 50.0, "median_rank": 2.0,
                                                 "mean_rank": 2.0},  # ranks 1, 3
        "test_text_to_video_{}_captions_no_sound": {"R@1": 50.0, "median_rank": 1.5,
                                                    "mean_rank": 1.5},  # ranks 2, 1
    }
    for pattern, metrics in expected.items():
        for name, value in metrics.items():
            key = pattern.format(name) if "{}" in pattern else f"{pattern}_{name}"
            assert results[key] == pytest.approx(value), key
    assert results["test_text_to_video_R@1_ceiling"] == 100.0  # no two captions alike
    assert len(results) == 2 * 5 + 2 * 5 + 1


def test_retrieval_results_without_sound_labels_or_with_one_group():
    unlabelled = _retrieval(_split(CAPTIONS + ("a drum beats",), CAPTION_CLIPS), prefix="val_")
    assert sorted(unlabelled) == sorted(
        f"val_{direction}_{name}" for direction in ("text_to_video", "video_to_text")
        for name in ("R@1", "R@5", "R@10", "median_rank", "mean_rank"))
    all_sound = _retrieval(_split(CAPTIONS + ("a drum beats",), CAPTION_CLIPS, [True] * 4))
    assert "test_text_to_video_R@1_captions_sound" in all_sound
    assert not any("no_sound" in key for key in all_sound)


def _point(all_captions, sound=None, no_sound=None):
    metrics = {"test_text_to_video_R@1": all_captions, "test_video_to_text_R@1": 99.0}
    if sound is not None:
        metrics.update({"test_text_to_video_R@1_captions_sound": sound,
                        "test_text_to_video_R@1_captions_no_sound": no_sound})
    return {"metrics": metrics}


def test_the_ablation_summary_tables_each_mode_and_the_gain_from_sound():
    modes = ("fusion", "video_only", "audio_only")
    summary = setup.ablation_summary([_point(40.0, 60.0, 30.0), _point(30.0, 25.0, 32.0),
                                      _point(20.0, 45.0, 5.0)], modes)
    assert summary["ablation"] == {
        "fusion": {"all": 40.0, "captions_sound": 60.0, "captions_no_sound": 30.0},
        "video_only": {"all": 30.0, "captions_sound": 25.0, "captions_no_sound": 32.0},
        "audio_only": {"all": 20.0, "captions_sound": 45.0, "captions_no_sound": 5.0}}
    assert summary["fusion_gain_R@1_captions_sound"] == pytest.approx(35.0)


def test_the_ablation_summary_has_no_gain_without_both_runs_or_sound_labels():
    # Real MSR-VTT captions carry no sound labels; an ablation may skip video_only.
    unlabelled = setup.ablation_summary([_point(40.0), _point(30.0)], ("fusion", "video_only"))
    assert unlabelled == {"ablation": {"fusion": {"all": 40.0}, "video_only": {"all": 30.0}}}
    no_video = setup.ablation_summary([_point(40.0, 60.0, 30.0), _point(20.0, 45.0, 5.0)],
                                      ("fusion", "audio_only"))
    assert sorted(no_video) == ["ablation"]


# === Towers from local presets (the offline stand-ins for the paper's presets) ===

class _DecodedClips:
    """A clip cache that hands out clips decoded in advance, by path."""

    def __init__(self, decoding, clips):
        self.decoding = decoding
        self.clips = clips

    def load(self, path):
        return self.clips[path]


def _captioned_clips(decoding, seconds=0.5):
    """3 clips with one caption each; the last is silent."""
    rng = np.random.default_rng(0)
    part = _split(CAPTIONS, [0, 1, 2])
    samples = round(seconds * decoding.sample_rate)
    clips = {path: DecodedClip(
        frames=rng.integers(0, 256, (decoding.frames_per_clip, decoding.size, decoding.size, 3),
                            dtype=np.uint8), distinct_frames=decoding.frames_per_clip,
        audio=rng.normal(0, 0.1, samples).astype(np.float32) * (index < 2),
        has_audio=index < 2, seconds=seconds) for index, path in enumerate(part.clip_paths)}
    return CaptionedClips(train=part, validate=part, test=part,
                          cache=_DecodedClips(decoding, clips), audio_samples=samples,
                          info={"synthetic": True})


@pytest.fixture(scope="module")
def presets(tmp_path_factory):
    """`(config, text_backbone, tokenizer, resnet)`: a config whose text, video and audio
    presets are local folders of a tiny BERT with its tokenizer and a one-stage ResNet."""
    folder = tmp_path_factory.mktemp("presets")
    vocabulary = wordpiece_vocabulary(list(CAPTIONS), vocabulary_size=40)
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    keras.utils.set_random_seed(0)
    text_backbone = tiny_text_encoder(vocabulary_size=len(vocabulary)).backbone
    text_backbone.save_to_preset(str(folder / "bert"))
    tokenizer.save_to_preset(str(folder / "bert"))
    resnet = keras_hub.models.ResNetBackbone(**keras_hub_resnet_config((1,)),
                                             image_shape=(None, None, 3))
    for weight in resnet.non_trainable_weights:  # statistics unlike a fresh layer's
        weight.assign(np.random.default_rng(1).uniform(0.5, 1.5, weight.shape))
    resnet.save_to_preset(str(folder / "resnet"))
    config = dataclasses.replace(
        SMOKE, text_preset=str(folder / "bert"), video_preset=str(folder / "resnet"),
        audio_preset=str(folder / "resnet"), audio_width=64, audio_blocks=(1,),
        caption_tokens=SEQUENCE_LENGTH, freeze_epochs=1, hidden_dim=16, embedding_dim=8)
    return config, text_backbone, tokenizer, resnet


def _assert_same_outputs(ours, theirs, inputs):
    keras.tree.map_structure(
        lambda got, want: np.testing.assert_allclose(keras.ops.convert_to_numpy(got),
                                                     keras.ops.convert_to_numpy(want),
                                                     rtol=1e-5, atol=1e-5),
        ours(inputs, training=False), theirs(inputs, training=False))


def test_build_model_loads_every_preset_as_a_pretrained_layer(presets):
    config, text_backbone, tokenizer, resnet = presets
    data = _captioned_clips(ClipDecoding(frames_per_clip=config.frames_per_clip,
                                         size=config.frame_size))
    preprocessor = setup.make_preprocessor(config, data)
    assert preprocessor.tokenizer.get_vocabulary() == tokenizer.get_vocabulary()
    model, (mean, std) = setup.build_model(config, data, preprocessor, steps=10)

    clip_encoder = model.clip_encoder
    audio_backbone = clip_encoder.audio_encoder.backbone
    video_backbone = clip_encoder.video_encoder.backbone
    assert [id(layer) for layer in model.pretrained_layers] == [
        id(audio_backbone), id(video_backbone), id(model.text_encoder.backbone)]
    assert sorted(model.training_optimizers()) == ["optimizer", "pretrained_optimizer"]
    tokens = preprocessor(tf.constant(CAPTIONS))
    _assert_same_outputs(model.text_encoder.backbone, text_backbone, tokens)
    images = np.random.default_rng(2).normal(size=(2, 24, 40, 3)).astype("float32")
    _assert_same_outputs(video_backbone, resnet, images)
    _assert_same_outputs(audio_backbone, resnet, images)

    # The log-mel standardisation comes from the clips with audio only.
    log_mels = np.concatenate([np.ravel(clip_encoder.audio_encoder.front_end(audio[None]))
                               for _, audio, has_audio in map(data.clip_arrays,
                                                              data.train.clip_paths)
                               if has_audio])
    assert (mean, std) == pytest.approx((log_mels.mean(), log_mels.std()), rel=1e-4)
    frames, audio, has_audio = (np.stack(column) for column in zip(
        *map(data.clip_arrays, data.train.clip_paths)))
    embeddings = model({"frames": frames, "audio": audio, "has_audio": has_audio,
                        "text": tokens})
    assert {name: tuple(value.shape) for name, value in embeddings.items()} == {
        "text": (3, config.embedding_dim), "clips": (3, config.embedding_dim)}


@pytest.mark.parametrize("mode, unused", [("video_only", "audio_encoder"),
                                          ("audio_only", "video_encoder")])
def test_a_one_tower_model_leaves_the_unused_preset_alone(presets, mode, unused):
    # A pretrained layer the loss never reaches gets no gradients: with no other
    # pretrained layer, the pretrained optimizer would fail ("No gradients provided").
    config = dataclasses.replace(presets[0], fusion_mode=mode)
    data = _captioned_clips(ClipDecoding(frames_per_clip=config.frames_per_clip,
                                         size=config.frame_size))
    model, _ = setup.build_model(config, data, setup.make_preprocessor(config, data), steps=10)
    assert getattr(model.clip_encoder, unused).backbone not in model.pretrained_layers
    assert len(model.pretrained_layers) == 2


def test_a_clip_preset_gives_the_video_tower_clips_pixel_statistics(presets, tmp_path):
    config = presets[0]
    vision = keras_hub.models.CLIPVisionEncoder(
        patch_size=8, hidden_dim=8, num_layers=1, num_heads=2, intermediate_dim=16,
        image_shape=(config.frame_size, config.frame_size, 3))
    text = keras_hub.models.CLIPTextEncoder(
        vocabulary_size=20, embedding_dim=8, hidden_dim=8, num_layers=1, num_heads=2,
        intermediate_dim=16, max_sequence_length=6)
    keras_hub.models.CLIPBackbone(vision, text, projection_dim=8).save_to_preset(
        str(tmp_path / "clip"))
    config = dataclasses.replace(config, video_preset=str(tmp_path / "clip"))
    data = _captioned_clips(ClipDecoding(frames_per_clip=config.frames_per_clip,
                                         size=config.frame_size))
    model, _ = setup.build_model(config, data, setup.make_preprocessor(config, data), steps=10)
    video_encoder = model.clip_encoder.video_encoder
    assert (video_encoder.pixel_mean, video_encoder.pixel_std) == (CLIP_MEAN, CLIP_STD)
    images = np.random.default_rng(3).normal(
        size=(2, config.frame_size, config.frame_size, 3)).astype("float32")
    _assert_same_outputs(video_encoder.backbone, vision, images)
    assert video_encoder.backbone in model.pretrained_layers
