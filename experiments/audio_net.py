"""Audio-Net: music genre classification from log-mel spectrograms with a ResNet-18
(He et al. 2015, https://arxiv.org/abs/1512.03385) on GTZAN (Tzanetakis & Cook 2002),
fine-tuned from ImageNet weights with SpecAugment (Park et al. 2019) and mixup
(Zhang et al. 2018).

    python experiments/audio_net.py                    # smoke: synthetic genres, ~2 min on CPU
    python experiments/audio_net.py --profile paper    # tfds gtzan, resnet_18_imagenet
    python experiments/audio_net.py --profile paper --set data=/data/genres_original \\
        --set split_file=/data/gtzan_filtered_split   # Kereliuk et al. 2015 fault-filtered split

Clips are cut into segments (3 s); the classifier sees one segment's spectrogram, and a
song's prediction is the mean of its segments' probabilities. `accuracy` in the history is
per segment; `val_song_accuracy` and `test_song_accuracy` in `run.json` are per song.

Smoke result (2 CPU cores, seed 0): see docs/audio_net.md.
"""

import dataclasses

from dlx_tf.export.audio_classifier import AUDIO_LIMITS, audio_classifier_endpoints
from dlx_tf.projects.audio_net import audio_net_setup as setup
from dlx_tf.projects.audio_net.audio_net_figures import input_clips, save_audio_net_figures
from dlx_tf.ranges import FRACTION, NON_NEGATIVE, POSITIVE, RATE, above, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch
from dlx_tf.training.unfreezing import BackboneUnfreezing


@dataclasses.dataclass(frozen=True)
class AudioNetConfig(ExperimentConfig):
    data: str = "gtzan"  # gtzan (tfds), a folder <genre>/*.wav, or synthetic
    epochs: int = 30
    # Global, of segments: the paper's 32 on one GPU; a TPU v2-8/v3-8 splits it into 4 per
    # core (--set batch_size=256 keeps 32 per core).
    batch_size: int = 32
    split_file: str = ""  # JSON or a folder of train*/valid*/test* lists; "" = random split
    validation_fraction: float = 0.1  # of each genre's songs, for a random split
    test_fraction: float = 0.1  # of each genre's songs, for a random split
    # Features: 3 s segments, 2048-point STFT hop 512, 128 mel bins (common GTZAN choices).
    sample_rate: int = 22050  # Hz; songs must have it (tfds gtzan: 22050), none is resampled
    segment_seconds: float = 3.0  # the classifier's input; a song is cut into these
    frame_length: int = 2048  # STFT window in samples
    frame_step: int = 512  # STFT hop in samples
    mel_bins: int = 128  # log-mel bands: the spectrogram's height
    # Model: ResNet-18 from ImageNet, head alone for freeze_epochs, then everything.
    preset: str = "resnet_18_imagenet"  # a KerasHub preset or a local preset folder; "" = scratch
    width: int = 64  # ResNet stem and first-stage filters (64 with an ImageNet preset)
    dropout: float = 0.2  # before the genre head
    freeze_epochs: int = 2  # first epochs that train the head alone; 0 trains all from the start
    head_learning_rate: float = 1e-3  # Adam, the genre head
    backbone_learning_rate: float = 1e-4  # Adam, the backbone once unfrozen
    # Augmentations (training only; 0 switches one off). SpecAugment widths are in
    # frames/mel bins: Park et al. §2 use F=27 of 80 bins and T=100 of 10 ms frames.
    gain_db: float = 6.0  # random gain of up to ± this many dB
    shift_fraction: float = 0.5  # random circular time shift, at most this share of a segment
    freq_masks: int = 2  # SpecAugment frequency masks per example (m_F)
    freq_width: int = 24  # widest frequency mask in mel bins (F)
    time_masks: int = 2  # SpecAugment time masks per example (m_T)
    time_width: int = 20  # widest time mask in frames (T)
    mixup_alpha: float = 0.2  # mixup's Beta(α, α); Zhang et al. §3.1 (ImageNet)
    synthetic_songs_per_genre: int = 12  # size of `synthetic`
    synthetic_seconds: float = 6.0  # length of each `synthetic` song
    jit_compile: bool = False  # XLA; off: it was no faster on CPU at both sizes (docs/speed.md)

    RANGES = {**ExperimentConfig.RANGES, "validation_fraction": within(0, 1, high_open=True),
              "test_fraction": within(0, 1, high_open=True), "sample_rate": at_least(1000),
              "segment_seconds": above(0), "frame_length": at_least(16),
              "frame_step": POSITIVE, "mel_bins": POSITIVE, "width": POSITIVE,
              "dropout": within(0, 1, high_open=True), "freeze_epochs": NON_NEGATIVE,
              "head_learning_rate": RATE, "backbone_learning_rate": RATE,
              "gain_db": NON_NEGATIVE, "shift_fraction": FRACTION, "freq_masks": NON_NEGATIVE,
              "freq_width": NON_NEGATIVE, "time_masks": NON_NEGATIVE,
              "time_width": NON_NEGATIVE, "mixup_alpha": NON_NEGATIVE,
              "synthetic_songs_per_genre": POSITIVE, "synthetic_seconds": above(0)}


PROFILES = {
    "paper": AudioNetConfig(),
    "smoke": AudioNetConfig(
        data="synthetic", epochs=8, sample_rate=8000, segment_seconds=1.5, frame_length=256,
        frame_step=128, mel_bins=32, preset="", width=16, dropout=0.0, freeze_epochs=0,
        head_learning_rate=2e-3, backbone_learning_rate=2e-3, gain_db=6.0,
        shift_fraction=0.5, freq_masks=1, freq_width=4, time_masks=1, time_width=10,
        mixup_alpha=0.0, synthetic_songs_per_genre=16, validation_fraction=0.125,
        test_fraction=0.25),
}


def main(config, run):
    setup.check_config(config)
    clips, segments = setup.load_segments(config)
    mean, std = segments.training_statistics()
    run.describe_data(dict(clips.info, segment_samples=segments.segment_samples,
                           spectrogram_shape=list(segments.spectrogram_shape),
                           input_mean=mean, input_std=std))
    augmentation = setup.make_augmentation(config)
    with run.scope():
        model, classifier = setup.build_trainer(config, segments, len(clips.genres), mean, std)
    run.describe_models({"audio_net_classifier": classifier, "backbone": classifier.backbone})
    run.fit(model, segments.waveform_dataset(clips.train),
            augment=lambda example, seed: segments.augment(example, seed, augmentation, mean),
            validation_data=segments.spectrogram_dataset(clips.validation),
            test_data=segments.spectrogram_dataset(clips.test),
            shuffle_buffer=max(len(segments.arrays(clips.train)[1]), 1),
            callbacks=[BackboneUnfreezing(config.freeze_epochs)] if config.freeze_epochs else [])
    run.log_throughput({"audio_seconds_per_sec":
                        run.throughput["examples_per_sec"] * config.segment_seconds})
    run.log(setup.song_results(classifier, segments, clips))

    run.save_models({"audio_net_classifier": classifier})
    save_audio_net_figures(run, classifier, segments, clips, augmentation, mean, config.seed,
                           config.segment_seconds)
    waveforms, log_mels, clip_list = input_clips(segments, clips)
    run.log_audio("input_clips", waveforms, config.sample_rate, step=0, description=clip_list)
    run.log_images("input_log_mels", log_mels, step=0, description=clip_list)
    run.export(f"audio_net_{'synthetic' if clips.info['synthetic'] else 'gtzan'}",
               resources=[segments.frontend, classifier],
               endpoints=audio_classifier_endpoints(segments.frontend, classifier,
                                                    segments.segment_samples, clips.genres),
               warmup_inputs={"waveforms": segments.warmup_waveforms(clips.test, 2,
                                                                     segments_per_clip=2)},
               limits=AUDIO_LIMITS)


if __name__ == "__main__":
    launch("audio_net", PROFILES, main, description=__doc__)
