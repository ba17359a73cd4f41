"""What `experiments/multi_net.py` assembles from its config: the clips, the caption
tokenizer, the two towers (from presets or small from config) inside a compiled `MultiNet`,
the training pairs, and the retrieval results after training."""

import itertools
import os

import keras
import keras_hub
import numpy as np
import tensorflow as tf

from dlx_tf.data.msrvtt import load_captioned_clips
from dlx_tf.data.video_clips import ClipDecoding
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.retrieval import rank_metrics, ranks_of_correct, retrieval_metrics
from dlx_tf.models.bert.bert_classifier import wordpiece_vocabulary
from dlx_tf.models.multi_net import (
    CLIP_MEAN,
    CLIP_STD,
    MultiNet,
    MultiNetAudioEncoder,
    MultiNetBackboneVideoEncoder,
    MultiNetClipEncoder,
    MultiNetFusion,
    MultiNetTextEncoder,
    MultiNetVideoEncoder,
    frame_backbone_from_preset,
)
from dlx_tf.models.multi_net.multi_net_fusion import MODES
from dlx_tf.models.multi_net.multi_net_text_encoder import POOLING
from dlx_tf.models.resnet import load_backbone_weights
from dlx_tf.projects.multi_net.multi_net_figures import (
    ablation_figure,
    more_like_this_figure,
    retrieval_examples_text,
    retrieval_figure,
)

_STATISTICS_CLIPS = 64  # training clips with audio that set the log-mel standardisation
# Training pairs smaller than this are kept in memory after the first epoch (the smoke set:
# ~0.2 GB); MSR-VTT's are read from the clip cache every epoch.
_IN_MEMORY_BYTES = 1 << 30


def check_config(config):
    """One-line `UsageError`s for settings that cannot go together."""
    for mode in (*config.fusion_modes, config.fusion_mode):
        if mode not in MODES:
            raise UsageError(f"fusion_modes: expected each of {', '.join(MODES)}, got {mode!r}")
    if config.text_pooling not in POOLING:
        raise UsageError(f"text_pooling: expected one of {', '.join(POOLING)}, got "
                         f"{config.text_pooling!r}")
    if len(set(config.fusion_modes)) != len(config.fusion_modes):
        raise UsageError(f"fusion_modes: expected distinct modes, got {config.fusion_modes}")
    if config.freeze_epochs and not (config.text_preset or config.video_preset
                                     or config.audio_preset):
        raise UsageError("freeze_epochs: a frozen phase needs pretrained weights; set "
                         "text_preset, video_preset or audio_preset, or freeze_epochs=0")
    if config.audio_preset and config.audio_width != 64:
        raise UsageError(f"audio_width: ImageNet ResNet presets have width 64, got "
                         f"{config.audio_width}")


def load_data(config, run_dir):
    """The captioned clips of `config.data`, each decoded once through the clip cache
    (`config.cache_dir`, else `<run folder>/clip_cache`)."""
    decoding = ClipDecoding(frames_per_clip=config.frames_per_clip, size=config.frame_size)
    return load_captioned_clips(
        config.data, decoding, config.cache_dir or os.path.join(run_dir, "clip_cache"),
        seed=config.seed, split=config.split, audio_seconds=config.audio_seconds,
        synthetic_clips=config.synthetic_clips, synthetic_seconds=config.synthetic_seconds)


def make_preprocessor(config, data):
    """Captions → BERT token dicts of `caption_tokens`: the preset's vocabulary, else a
    WordPiece vocabulary learned from the training captions."""
    if config.text_preset:
        return keras_hub.models.BertTextClassifierPreprocessor.from_preset(
            config.text_preset, sequence_length=config.caption_tokens)
    vocabulary = wordpiece_vocabulary(list(data.train.captions), config.vocabulary_size)
    return keras_hub.models.BertTextClassifierPreprocessor(
        keras_hub.models.BertTokenizer(vocabulary=vocabulary),
        sequence_length=config.caption_tokens)


def caption_pairs(data, split, preprocessor):
    """Unbatched `{"frames", "audio", "has_audio", "text"}`, one per caption of `split` in
    caption order, the captions tokenized once up front; kept in memory when small."""
    part = getattr(data, split)
    tokens = preprocessor(tf.constant(part.captions, tf.string))
    clips = data.caption_dataset(split)
    pairs = tf.data.Dataset.zip(clips, tf.data.Dataset.from_tensor_slices(tokens)).map(
        lambda clip, text: {"frames": clip[0], "audio": clip[1], "has_audio": clip[2],
                            "text": text})
    decoding = data.cache.decoding
    pair_bytes = decoding.frames_per_clip * decoding.size**2 * 3 + 4 * data.audio_samples
    return pairs.cache() if len(part.captions) * pair_bytes < _IN_MEMORY_BYTES else pairs


def log_mel_statistics(data, front_end):
    """Mean and standard deviation of the log-mels of up to 64 training clips with audio."""
    clips = (data.clip_arrays(path) for path in data.train.clip_paths)
    with_audio = itertools.islice((audio for _, audio, has_audio in clips if has_audio),
                                  _STATISTICS_CLIPS)  # reads no clip past the 64th
    values = [np.asarray(front_end(audio[None])) for audio in with_audio]
    if not values:
        return -5.0, 4.0  # no training clip has audio: the audio tower sees only the token
    values = np.concatenate([v.ravel() for v in values])
    return float(values.mean()), float(values.std() + 1e-6)


def build_model(config, data, preprocessor, steps):
    """The towers (from the presets that are set) inside a compiled `MultiNet`; returns
    `(model, audio_statistics)`."""
    audio_encoder = MultiNetAudioEncoder(
        config.hidden_dim, width=config.audio_width,
        stackwise_num_blocks=config.audio_blocks, num_mel_bins=config.mel_bins,
        sample_rate=data.cache.decoding.sample_rate, name="audio_encoder")
    mean, std = log_mel_statistics(data, audio_encoder.front_end)
    audio_encoder.input_mean, audio_encoder.input_std = mean, std
    audio_tokens = audio_encoder(np.zeros((1, data.audio_samples), np.float32),
                                 np.ones((1,), bool)).shape[1]
    if config.video_preset:
        backbone = frame_backbone_from_preset(config.video_preset)
        is_clip = isinstance(backbone, keras_hub.models.CLIPVisionEncoder)
        video_encoder = MultiNetBackboneVideoEncoder(
            backbone, config.hidden_dim, name="video_encoder",
            **(dict(pixel_mean=CLIP_MEAN, pixel_std=CLIP_STD) if is_clip else {}))
    else:
        video_encoder = MultiNetVideoEncoder(config.hidden_dim, filters=config.video_filters,
                                             name="video_encoder")
    fusion = MultiNetFusion(
        config.hidden_dim, config.fusion_layers, config.fusion_heads,
        config.fusion_intermediate_dim, max_video_tokens=config.frames_per_clip,
        max_audio_tokens=audio_tokens, mode=config.fusion_mode, dropout=config.dropout,
        name="fusion")
    clip_encoder = MultiNetClipEncoder(video_encoder, audio_encoder, fusion,
                                       config.embedding_dim, name="clip_encoder")
    if config.text_preset:
        text_backbone = keras_hub.models.BertBackbone.from_preset(config.text_preset)
    else:
        text_backbone = keras_hub.models.BertBackbone(
            vocabulary_size=preprocessor.tokenizer.vocabulary_size(),
            num_layers=config.text_layers, num_heads=config.fusion_heads,
            hidden_dim=config.hidden_dim, intermediate_dim=config.fusion_intermediate_dim,
            dropout=config.dropout, max_sequence_length=config.caption_tokens)
    text_encoder = MultiNetTextEncoder(text_backbone, config.embedding_dim,
                                       pooling=config.text_pooling, name="text_encoder")
    model = MultiNet(clip_encoder, text_encoder,
                     audio_dropout=config.audio_dropout if config.fusion_mode == "fusion" else 0.0,
                     seed=config.seed, name="multi_net")
    if config.audio_preset and clip_encoder.uses_audio:
        load_backbone_weights(audio_encoder.backbone, config.audio_preset)
    # A preset tower the fusion mode never runs gets no gradient: it is left out.
    pretrained = [layer for preset, used, layer in (
        (config.audio_preset, clip_encoder.uses_audio, audio_encoder.backbone),
        (config.video_preset, clip_encoder.uses_video, getattr(video_encoder, "backbone", None)),
        (config.text_preset, True, text_backbone)) if preset and used]
    model.compile(_adamw(config, config.learning_rate, steps),
                  _adamw(config, config.learning_rate * config.pretrained_lr_ratio, steps),
                  pretrained_layers=pretrained, jit_compile=config.jit_compile)
    return model, (mean, std)


def _adamw(config, peak, steps):
    """CLIP4Clip's optimizer (§4.1; BertAdam): β2 0.98, ε 1e-6, weight decay 0.2, linear
    warm-up over `warmup_fraction` of the steps, then cosine decay."""
    warmup = round(config.warmup_fraction * steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0 if warmup else peak, max(steps - warmup, 1), warmup_target=peak if warmup else None,
        warmup_steps=warmup)
    return keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay, beta_2=0.98,
                                  epsilon=1e-6)


def embed(model, data, split, preprocessor, batch_size):
    """`(text_embeddings [captions, d], clip_embeddings [clips, d])` of `split`."""
    part = getattr(data, split)
    texts = tf.data.Dataset.from_tensor_slices(list(part.captions)).batch(batch_size)
    text = np.concatenate([np.asarray(model.encode_text(preprocessor(batch)), np.float32)
                           for batch in texts])
    clips = np.concatenate([np.asarray(model.encode_clip(*clip), np.float32)
                            for clip in data.clip_dataset(split).batch(batch_size)])
    return text, clips


def retrieval_results(text, clips, part, prefix="test_"):
    """Text→video and video→text R@1/5/10, median and mean rank of one split; on data
    whose captions say whether they name the sound, text→video on each group too, and
    the R@1 that ties among clips with the very same caption allow at best."""
    similarities = text @ clips.T
    results = {}
    for direction, metrics in retrieval_metrics(similarities, part.caption_clips).items():
        results.update({f"{prefix}{direction}_{name}": value for name, value in metrics.items()})
    if part.mentions_sound is not None:
        ranks = ranks_of_correct(similarities, part.caption_clips)
        for group, chosen in (("sound", part.mentions_sound), ("no_sound", ~part.mentions_sound)):
            if chosen.any():
                results.update({f"{prefix}text_to_video_{name}_captions_{group}": value
                                for name, value in rank_metrics(ranks[chosen]).items()})
        results[f"{prefix}text_to_video_R@1_ceiling"] = caption_tie_ceiling(part)
    return results


def caption_tie_ceiling(part):
    """The best text→video R@1 (%) possible when clips that share a caption's exact text
    tie: 100 · mean over captions of 1 / (clips with that caption)."""
    clips_per_caption = {}
    for caption, clip in zip(part.captions, part.caption_clips):
        clips_per_caption.setdefault(caption, set()).add(int(clip))
    return 100.0 * float(np.mean([1.0 / len(clips_per_caption[c]) for c in part.captions]))


def keyframes(data, split):
    """uint8 `[clips, frames, size, size, 3]` of `split`, in catalogue order."""
    return np.stack([frames for frames, _, _ in data.clip_dataset(split).as_numpy_iterator()])


def first_captions(part):
    """One caption per clip: the first that names it."""
    first = {}
    for caption, clip in zip(part.captions, part.caption_clips):
        first.setdefault(int(clip), caption)
    return [first[clip] for clip in range(len(part.clip_ids))]


def warmup_captions(data, count=2):
    """The first test captions, as the export's warmup request."""
    return np.array(data.test.captions[:count], dtype=object)


def save_retrieval_figures(run, data, text, clips):
    """`retrieval.png` (test captions drawn at random → their top 5 clips),
    `more_like_this.png` (random test clips → their 5 nearest clips), and more random
    captions with their top 5 in TensorBoard's Text tab (`retrieval_examples`)."""
    frames, synthetic = keyframes(data, "test"), data.info["synthetic"]
    part = data.test
    k = min(5, len(part.clip_ids) - 1)
    run.save_figure("retrieval", retrieval_figure(
        part.captions, part.caption_clips, text @ clips.T, frames, part.clip_ids,
        seed=run.config.seed, k=k, synthetic=synthetic))
    run.save_figure("more_like_this", more_like_this_figure(
        clips @ clips.T, frames, part.clip_ids, first_captions(part), seed=run.config.seed,
        k=k, synthetic=synthetic))
    run.log_text("retrieval_examples", retrieval_examples_text(
        part.captions, part.caption_clips, text @ clips.T, part.clip_ids, seed=run.config.seed,
        k=k), step=run.config.epochs, description=(
        f"Test captions drawn at random (seed {run.config.seed}), not the best ones: each "
        f"with its top {k} clips by score, ✓ on its own clip"
        + (" (synthetic data)" if synthetic else "")))


# The ablation's text→video R@1 groups: all captions, and by whether they name the sound.
ABLATION_GROUPS = {"all": "test_text_to_video_R@1",
                   "captions_sound": "test_text_to_video_R@1_captions_sound",
                   "captions_no_sound": "test_text_to_video_R@1_captions_no_sound"}


def ablation_summary(points, modes):
    """`ablation`: each mode's test text→video R@1 (all captions, and by whether they
    mention the sound); `fusion_gain_R@1_captions_sound`: fused minus video-only there."""
    table = {mode: {name: point["metrics"][key] for name, key in ABLATION_GROUPS.items()
                    if key in point["metrics"]}
             for mode, point in zip(modes, points)}
    summary = {"ablation": table}
    sound = {mode: row.get("captions_sound") for mode, row in table.items()}
    if sound.get("fusion") is not None and sound.get("video_only") is not None:
        summary["fusion_gain_R@1_captions_sound"] = sound["fusion"] - sound["video_only"]
    return summary


def report_ablation(run, modes):
    """Logs `ablation_summary` of the sweep's points and draws `plots/ablation.png`."""
    summary = ablation_summary(run.points, modes)
    run.log(summary)
    first = run.points[0]
    run.save_figure("ablation", ablation_figure(
        summary["ablation"], first["data"]["clips"]["test"],
        first["metrics"].get("test_text_to_video_R@1_ceiling"), first["data"]["synthetic"]))
