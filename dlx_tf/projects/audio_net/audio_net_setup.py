"""What `experiments/audio_net.py` assembles from its config and measures after training:
the checks, the augmentations, the classifier and its trainer, song-level results."""

import keras
import numpy as np

from dlx_tf.data.genre_clips import load_genre_clips
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.song_aggregation import song_probabilities
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.models.resnet import load_backbone_weights
from dlx_tf.projects.audio_net.audio_augment import AudioAugmentation
from dlx_tf.projects.audio_net.audio_net_classifier import AudioNetClassifier
from dlx_tf.projects.audio_net.audio_net_trainer import AudioNetTrainer
from dlx_tf.projects.audio_net.genre_segments import GenreSegments
from dlx_tf.viz.classification import confusion_matrix


def check_config(config):
    """One-line `UsageError`s for settings that cannot go together."""
    if config.freeze_epochs and not config.preset:
        raise UsageError("freeze_epochs: a frozen phase needs pretrained weights; set preset "
                         "or freeze_epochs=0")
    if config.preset and config.width != 64:
        raise UsageError(f"width: ImageNet presets have width 64, got {config.width}")


def load_segments(config):
    """The songs of `config.data`, split by song, and their segments with the log-mel
    front end of `config`; returns `(clips, segments)`."""
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
    return clips, GenreSegments(clips, segment_samples, frontend)


def make_augmentation(config):
    """The training-only augmentations `config` switches on (mixup is the trainer's)."""
    return AudioAugmentation(
        gain_db=config.gain_db, shift_fraction=config.shift_fraction,
        freq_masks=config.freq_masks, freq_width=config.freq_width,
        time_masks=config.time_masks, time_width=config.time_width)


def build_trainer(config, segments, num_classes, mean, std):
    """The classifier (from `config.preset`'s weights, if set) inside its compiled
    `AudioNetTrainer`; returns `(trainer, classifier)`."""
    classifier = AudioNetClassifier(
        num_classes=num_classes, width=config.width, dropout=config.dropout,
        input_mean=mean, input_std=std, name="audio_net_classifier")
    classifier(segments.example_spectrograms(1))
    if config.preset:
        load_backbone_weights(classifier.backbone, config.preset)
    trainer = AudioNetTrainer(classifier, name="audio_net")
    trainer.compile(keras.optimizers.Adam(config.head_learning_rate),
                    keras.optimizers.Adam(config.backbone_learning_rate),
                    mixup_alpha=config.mixup_alpha, seed=config.seed,
                    jit_compile=config.jit_compile)
    return trainer, classifier


def song_predictions(classifier, segments, split):
    """Each song's predicted genre: the argmax of its segments' mean probabilities."""
    probabilities, song_index = segments.predict(classifier, split)
    return np.argmax(song_probabilities(probabilities, song_index, len(split)), axis=-1)


def song_results(classifier, segments, clips):
    """`val_song_accuracy`, `test_song_accuracy` and `test_song_confusion_matrix` (for
    the splits that hold songs)."""
    results = {}
    for name, split in (("val", clips.validation), ("test", clips.test)):
        if not len(split):
            continue
        predicted = song_predictions(classifier, segments, split)
        results[f"{name}_song_accuracy"] = float(np.mean(predicted == split.labels))
        if name == "test":
            results["test_song_confusion_matrix"] = confusion_matrix(
                split.labels, predicted, len(clips.genres)).tolist()
    return results
