"""Multi-Net: text-to-video retrieval and "more like this" recommendation on MSR-VTT from
video, audio and text encoders with early fusion, trained by CLIP's contrastive loss
(Radford et al. 2021) as CLIP4Clip does (Luo et al. 2021, https://arxiv.org/abs/2104.08860).

    python experiments/multi_net.py                    # smoke: synthetic MP4 clips, ~2.5 min
    python experiments/multi_net.py --profile paper --data ~/data/MSRVTT   # 1k-A split

One command trains the ablation: a run per entry of `fusion_modes` (fused video and audio,
video only, audio only), each in its own folder `fusion_mode_<mode>/`, trained the same
way; the top folder's run.json compares their test retrieval, on captions that mention
the sound and on those that do not. The first mode's towers are exported: the encoders
(`multi_net_<data>`) and a retrieval model over the test catalogue (`..._retrieval`).

Smoke result (2 CPU cores, seed 0): see docs/multi_net.md.
"""

import dataclasses

from dlx_tf.export.multi_net_encoders import (
    MULTI_NET_ENCODER_LIMITS,
    multi_net_encoder_endpoints,
)
from dlx_tf.export.retrieval_index import RETRIEVAL_LIMITS, retrieval_endpoints
from dlx_tf.projects.multi_net import multi_net_setup as setup
from dlx_tf.projects.multi_net.multi_net_figures import MULTI_NET_CURVES
from dlx_tf.ranges import FRACTION, NON_NEGATIVE, POSITIVE, RATE, above, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch
from dlx_tf.training.unfreezing import BackboneUnfreezing


@dataclasses.dataclass(frozen=True)
class MultiNetConfig(ExperimentConfig):
    data: str = "msrvtt"  # a folder in the MSR-VTT layout (docs/multi_net.md), or synthetic
    split: str = "1k-A"  # 1k-A (MSRVTT_train.9k.csv / MSRVTT_JSFUSION_test.csv) or official
    cache_dir: str = ""  # decoded clips (and the synthetic set); "" = <run folder>/clip_cache
    # CLIP4Clip §4.1: 5 epochs, batch 128, lr 1e-4 for new layers and 1e-3 × that for
    # CLIP's own weights, 12 frames at 1 fps, 32 caption tokens.
    epochs: int = 5
    batch_size: int = 128  # global: 16 per core on a TPU v2-8/v3-8
    fusion_modes: tuple[str, ...] = ("fusion", "video_only", "audio_only")  # the ablation
    fusion_mode: str = "fusion"  # set by the ablation for each of its runs
    frames_per_clip: int = 12  # at most one a second
    frame_size: int = 224  # square frames; a CLIP preset needs its own image size
    audio_seconds: float = 10.0  # each clip's audio from its start, cut or zero-padded
    caption_tokens: int = 32  # BERT tokens per caption, [CLS] and [SEP] included
    # The caption vector: the mean of BERT's token outputs, or its [CLS] pooled output.
    # Mean (Sentence-BERT's choice) took the smoke's fused R@1 from 14 to 33 (seed 0).
    text_pooling: str = "mean"
    # Pretrained towers: KerasHub preset names or local save_to_preset folders; "" = built
    # small from the fields below, from scratch.
    text_preset: str = "bert_base_en_uncased"
    video_preset: str = "clip_vit_base_patch32_224"  # CLIP's vision tower, or a ResNet
    audio_preset: str = "resnet_18_imagenet"  # loaded into the audio ResNet (width 64)
    freeze_epochs: int = 1  # first epochs that train the new layers alone
    learning_rate: float = 1e-4  # AdamW peak for the new layers
    pretrained_lr_ratio: float = 1e-3  # the pretrained towers' learning rate / learning_rate
    weight_decay: float = 0.2  # AdamW, decoupled (CLIP4Clip)
    warmup_fraction: float = 0.1  # of the steps: linear warm-up, then cosine decay
    # Chance a training clip's audio is hidden (fusion only): at 0 the smoke model learned
    # the sound and not the frames; 0.25 beat 0.5 there (docs/multi_net.md).
    audio_dropout: float = 0.25
    embedding_dim: int = 512  # the shared text-clip space (CLIP ViT-B/32: 512)
    hidden_dim: int = 512  # tokens of every tower (and the small text model's width)
    fusion_layers: int = 4  # fusion transformer blocks (CLIP4Clip's seqTransf: 4)
    fusion_heads: int = 8  # attention heads per block (and of the small text model)
    fusion_intermediate_dim: int = 2048  # feed-forward width (and of the small text model)
    dropout: float = 0.1  # in the fusion blocks (and the small text model)
    video_filters: tuple[int, ...] = (16, 32, 64)  # the small frame conv net (no video_preset)
    audio_width: int = 64  # audio ResNet filters of the first stage (64 with a preset)
    audio_blocks: tuple[int, ...] = (2, 2, 2, 2)  # audio ResNet blocks per stage
    mel_bins: int = 128  # log-mel bands of the audio tower (25 ms windows, 10 ms hop)
    text_layers: int = 2  # the small BERT's blocks (no text_preset)
    vocabulary_size: int = 2000  # WordPiece tokens learned from training captions
    synthetic_clips: int = 480  # size of `synthetic` (an even number)
    synthetic_seconds: float = 3.0  # length of each synthetic clip
    jit_compile: bool = False  # XLA

    RANGES = {**ExperimentConfig.RANGES, "frames_per_clip": POSITIVE, "frame_size": at_least(16),
              "audio_seconds": above(0), "caption_tokens": at_least(4),
              "freeze_epochs": NON_NEGATIVE, "learning_rate": RATE,
              "pretrained_lr_ratio": within(0, 1), "weight_decay": NON_NEGATIVE,
              "warmup_fraction": FRACTION, "audio_dropout": within(0, 1, high_open=True),
              "embedding_dim": POSITIVE, "hidden_dim": POSITIVE, "fusion_layers": POSITIVE,
              "fusion_heads": POSITIVE, "fusion_intermediate_dim": POSITIVE,
              "dropout": within(0, 1, high_open=True), "video_filters": POSITIVE,
              "audio_width": POSITIVE, "audio_blocks": POSITIVE, "mel_bins": POSITIVE,
              "text_layers": POSITIVE, "vocabulary_size": at_least(16),
              "synthetic_clips": at_least(2), "synthetic_seconds": above(0)}


PROFILES = {
    "paper": MultiNetConfig(),
    # Sized on 2 CPU cores: each of the three runs trains in under a minute. Four audio
    # stages give 10 audio tokens beside the 4 frame tokens; with two (38 tokens) the fused
    # model learned little from the frames.
    "smoke": MultiNetConfig(
        data="synthetic", split="official", epochs=30, batch_size=32, frames_per_clip=4,
        frame_size=32,
        audio_seconds=3.0, caption_tokens=16, text_preset="", video_preset="",
        audio_preset="", freeze_epochs=0, learning_rate=2e-3, weight_decay=0.004,
        warmup_fraction=0.05,
        embedding_dim=32, hidden_dim=32, fusion_layers=1, fusion_heads=2,
        fusion_intermediate_dim=64, dropout=0.0, video_filters=(8, 16, 32), audio_width=8,
        audio_blocks=(1, 1, 1, 1), mel_bins=32, text_layers=1, vocabulary_size=200),
}


def main(config, run):
    setup.check_config(config)
    data = setup.load_data(config, run.dir)
    preprocessor = setup.make_preprocessor(config, data)
    train = setup.caption_pairs(data, "train", preprocessor)
    validation = setup.caption_pairs(data, "validate", preprocessor) if data.validate.captions \
        else None
    steps = config.epochs * (len(data.train.captions) // config.batch_size)
    for point in run.sweep("fusion_mode", config.fusion_modes):
        with point.scope():
            model, (mean, std) = setup.build_model(point.config, data, preprocessor, steps)
        point.describe_data(dict(data.info, log_mel_mean=mean, log_mel_std=std,
                                 vocabulary_tokens=preprocessor.tokenizer.vocabulary_size(),
                                 train_examples=len(data.train.captions)))
        clip_encoder, text_encoder = model.clip_encoder, model.text_encoder
        point.describe_models({"clip_encoder": clip_encoder, "text_encoder": text_encoder,
                               "video_encoder": clip_encoder.video_encoder,
                               "audio_encoder": clip_encoder.audio_encoder,
                               "fusion": clip_encoder.fusion})
        point.fit(model, train, validation_data=validation,
                  shuffle_buffer=len(data.train.captions), curves=MULTI_NET_CURVES,
                  callbacks=[BackboneUnfreezing(config.freeze_epochs)] if config.freeze_epochs
                  else [])
        text, clips = setup.embed(model, data, "test", preprocessor, config.batch_size)
        point.log(setup.retrieval_results(text, clips, data.test))
        point.save_models({"multi_net_clip_encoder": clip_encoder,
                           "multi_net_text_encoder": text_encoder})
        setup.save_retrieval_figures(point, data, text, clips)
        if point.config.fusion_mode != config.fusion_modes[0]:
            continue
        name = f"multi_net_{'synthetic' if data.info['synthetic'] else 'msrvtt'}"
        decoding = data.cache.decoding
        point.export(name, resources=[model, preprocessor],
                     endpoints=multi_net_encoder_endpoints(
                         model, preprocessor, decoding.frames_per_clip, decoding.size,
                         data.audio_samples),
                     warmup_inputs={"texts": setup.warmup_captions(data)},
                     limits=MULTI_NET_ENCODER_LIMITS)
        point.export(f"{name}_retrieval", resources=[model, preprocessor],
                     endpoints=retrieval_endpoints(model, preprocessor, data.test.clip_ids,
                                                   clips),
                     warmup_inputs={"texts": setup.warmup_captions(data), "k": 5},
                     limits=RETRIEVAL_LIMITS)

    setup.report_ablation(run, config.fusion_modes)


if __name__ == "__main__":
    launch("multi_net", PROFILES, main, description=__doc__)
