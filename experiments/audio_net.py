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

Smoke result (2 CPU cores, seed 0): see README "Audio-Net".
"""

import dataclasses
import os

import keras
import numpy as np

from dlx_tf.data.audio_augment import AudioAugmentation
from dlx_tf.data.genre_clips import load_genre_clips
from dlx_tf.data.genre_segments import GenreSegments
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.song_aggregation import song_probabilities
from dlx_tf.export.audio_classifier import audio_classifier_endpoints
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.models.audio_net import (
    AudioNetClassifier,
    AudioNetTrainer,
    BackboneUnfreezing,
    load_backbone_weights,
)
from dlx_tf.training.job import ExperimentConfig, ExportSpec, Job
from dlx_tf.training.runner import run_experiment
from dlx_tf.viz.classification import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_spectrogram_grid,
)


@dataclasses.dataclass(frozen=True)
class AudioNetConfig(ExperimentConfig):
    data: str = "gtzan"  # gtzan (tfds), a folder <genre>/*.wav, or synthetic
    epochs: int = 30
    batch_size: int = 32
    split_file: str = ""  # JSON or a folder of train*/valid*/test* lists; "" = random split
    validation_fraction: float = 0.1
    test_fraction: float = 0.1
    # Features: 3 s segments, 2048-point STFT hop 512, 128 mel bins (common GTZAN choices).
    sample_rate: int = 22050
    segment_seconds: float = 3.0
    frame_length: int = 2048
    frame_step: int = 512
    mel_bins: int = 128
    # Model: ResNet-18 from ImageNet, head alone for freeze_epochs, then everything.
    preset: str = "resnet_18_imagenet"  # a KerasHub preset or a local preset folder; "" = scratch
    width: int = 64
    dropout: float = 0.2
    freeze_epochs: int = 2
    head_learning_rate: float = 1e-3
    backbone_learning_rate: float = 1e-4
    # Augmentations (training only; 0 switches one off). SpecAugment widths are in
    # frames/mel bins: Park et al. §2 use F=27 of 80 bins and T=100 of 10 ms frames.
    gain_db: float = 6.0
    shift_fraction: float = 0.5
    freq_masks: int = 2
    freq_width: int = 24
    time_masks: int = 2
    time_width: int = 20
    mixup_alpha: float = 0.2  # Zhang et al. §3.1 (ImageNet)
    synthetic_songs_per_genre: int = 12
    synthetic_seconds: float = 6.0
    jit_compile: bool = True


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


def build(config, env):
    _check(config)
    segment_samples = round(config.segment_seconds * config.sample_rate)
    clips = load_genre_clips(
        config.data, seed=config.seed, sample_rate=config.sample_rate,
        segment_samples=segment_samples, validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction, split_file=config.split_file,
        synthetic_songs_per_genre=config.synthetic_songs_per_genre,
        synthetic_seconds=config.synthetic_seconds)
    frontend = LogMelSpectrogram(
        sample_rate=config.sample_rate, frame_length=config.frame_length,
        frame_step=config.frame_step, num_mel_bins=config.mel_bins, name="log_mel")
    segments = GenreSegments(clips, segment_samples, frontend)
    mean, std = segments.training_statistics()
    augmentation = make_augmentation(config)

    classifier = AudioNetClassifier(
        num_classes=len(clips.genres), width=config.width, dropout=config.dropout,
        input_mean=mean, input_std=std, name="audio_net_classifier")
    classifier(segments.example_spectrograms(1))
    if config.preset:
        load_backbone_weights(classifier.backbone, config.preset)
    model = AudioNetTrainer(classifier, name="audio_net")
    model.compile(keras.optimizers.Adam(config.head_learning_rate),
                  keras.optimizers.Adam(config.backbone_learning_rate),
                  mixup_alpha=config.mixup_alpha, seed=config.seed,
                  jit_compile=config.jit_compile)
    callbacks = [BackboneUnfreezing(config.freeze_epochs)] if config.freeze_epochs else []
    suffix = " (synthetic data)" if clips.info["synthetic"] else ""

    song_predictions = {}  # filled by evaluate, drawn by plots

    def evaluate(metrics):
        results = {}
        for name, split in (("val", clips.validation), ("test", clips.test)):
            if len(split):
                song_predictions[name] = _song_predictions(classifier, segments, split)
                results[f"{name}_song_accuracy"] = float(
                    np.mean(song_predictions[name] == split.labels))
        if len(clips.test):
            results["test_song_confusion_matrix"] = confusion_matrix(
                clips.test.labels, song_predictions["test"], len(clips.genres)).tolist()
        return results

    def plots():
        paths = {"augmented_inputs": f"{env.plots_dir}/augmented_inputs.png",
                 "test_predictions": f"{env.plots_dir}/test_predictions.png",
                 "model": os.path.join(env.run_dir, "model", "audio_net_classifier.keras")}
        os.makedirs(os.path.dirname(paths["model"]), exist_ok=True)
        classifier.save(paths["model"])
        spectrograms, labels = segments.augmented_examples(8, augmentation, mean, config.seed)
        plot_spectrogram_grid(spectrograms, [clips.genres[y] for y in labels],
                              paths["augmented_inputs"],
                              f"Training inputs after augmentation{suffix}",
                              seconds=config.segment_seconds)
        spectrograms, labels, song_ids = segments.one_segment_per_song(clips.test, 12)
        predicted = np.argmax(classifier(spectrograms, training=False), axis=-1)
        plot_spectrogram_grid(
            spectrograms,
            [f"{song}\npred {clips.genres[p]} (true {clips.genres[t]})"
             for song, p, t in zip(song_ids, predicted, labels)],
            paths["test_predictions"], f"Test segments: predicted (true){suffix}",
            correct=predicted == labels, seconds=config.segment_seconds)
        if "test" in song_predictions:
            paths["confusion_matrix"] = f"{env.plots_dir}/confusion_matrix.png"
            matrix = confusion_matrix(clips.test.labels, song_predictions["test"],
                                      len(clips.genres))
            plot_confusion_matrix(matrix, clips.genres, paths["confusion_matrix"],
                                  f"Test songs: confusion matrix{suffix}")
        return paths

    def exports(metrics):
        waveforms = segments.warmup_waveforms(clips.test, 2, segments_per_clip=2)
        return [ExportSpec(
            model_name=f"audio_net_{'synthetic' if clips.info['synthetic'] else 'gtzan'}",
            resources=[frontend, classifier],
            endpoints=audio_classifier_endpoints(frontend, classifier, segment_samples,
                                                 clips.genres),
            warmup_inputs={"waveforms": waveforms},
        )]

    return Job(
        model=model,
        train_data=segments.waveform_dataset(clips.train),
        augment=lambda example, seed: segments.augment(example, seed, augmentation, mean),
        validation_data=segments.spectrogram_dataset(clips.validation),
        test_data=segments.spectrogram_dataset(clips.test),
        data_info=dict(clips.info, segment_samples=segment_samples,
                       spectrogram_shape=list(segments.spectrogram_shape),
                       input_mean=mean, input_std=std),
        shuffle_buffer=max(len(segments.arrays(clips.train)[1]), 1),
        submodels={"audio_net_classifier": classifier, "backbone": classifier.backbone},
        callbacks=callbacks,
        extend_throughput=lambda measured: {
            "audio_seconds_per_sec": measured["examples_per_sec"] * config.segment_seconds},
        evaluate=evaluate,
        plots=plots,
        exports=exports,
    )


def make_augmentation(config):
    """The training-only augmentations `config` switches on (mixup is the trainer's)."""
    return AudioAugmentation(
        gain_db=config.gain_db, shift_fraction=config.shift_fraction,
        freq_masks=config.freq_masks, freq_width=config.freq_width,
        time_masks=config.time_masks, time_width=config.time_width)


def _song_predictions(classifier, segments, split):
    probabilities, song_index = segments.predict(classifier, split)
    return np.argmax(song_probabilities(probabilities, song_index, len(split)), axis=-1)


def _check(config):
    if config.freeze_epochs and not config.preset:
        raise UsageError("freeze_epochs: a frozen phase needs pretrained weights; set preset "
                         "or freeze_epochs=0")
    if config.preset and config.width != 64:
        raise UsageError(f"width: ImageNet presets have width 64, got {config.width}")


if __name__ == "__main__":
    run_experiment("audio_net", PROFILES, build, description=__doc__)
