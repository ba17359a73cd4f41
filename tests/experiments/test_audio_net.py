"""The Audio-Net smoke profile through the real command line: it learns the synthetic
genres, scores held-out songs, draws its figures and exports a waveform classifier; and
the transfer path from a local KerasHub preset with a frozen-backbone phase."""

import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
from fresh_load import check_fresh_load
from harness import run_experiment_script
from tensorboard_events import audio_clips, image_sizes, summaries, tensorboard_run

from dlx_tf.models.resnet import keras_hub_resnet_config
from dlx_tf.projects.audio_net import AudioNetClassifier

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    base = tmp_path_factory.mktemp("audio_net")
    return base, run_experiment_script("audio_net", base, "epochs=4")


def test_smoke_run_classifies_held_out_songs_far_above_chance(smoke):
    _, record = smoke
    metrics, data = record["metrics"], record["data"]
    assert record["status"] == "completed" and data["synthetic"] is True
    assert data["skipped"] == [] and data["songs"]["test"] == 40
    chance = 1 / len(data["genres"])
    assert record["history"][-1]["loss"] < 0.6 * record["history"][0]["loss"]
    assert metrics["test_accuracy"] > 5 * chance  # per segment
    assert metrics["test_song_accuracy"] > 6 * chance
    matrix = np.array(metrics["test_song_confusion_matrix"])
    assert matrix.sum() == 40 and np.trace(matrix) / 40 == metrics["test_song_accuracy"]
    assert set(record["artifacts"]) >= {"history", "augmented_inputs", "test_predictions",
                                        "confusion_matrix"}
    assert record["throughput"]["audio_seconds_per_sec"] > 0
    assert record["models"]["audio_net_classifier"]["params"] > 0


def test_the_export_classifies_a_whole_test_song_like_the_run(smoke):
    base, record = smoke
    (exported,) = record["exports"]
    serve = tf.saved_model.load(exported["path"]).signatures["serving_default"]
    from dlx_tf.data.genre_clips import load_genre_clips

    config, data = record["config"], record["data"]
    clips = load_genre_clips("synthetic", seed=config["seed"], sample_rate=data["sample_rate"],
                             segment_samples=data["segment_samples"],
                             validation_fraction=config["validation_fraction"],
                             test_fraction=config["test_fraction"],
                             synthetic_songs_per_genre=config["synthetic_songs_per_genre"],
                             synthetic_seconds=config["synthetic_seconds"])
    waveforms = np.stack(clips.test.waveforms).astype(np.float32) / 32768
    served = serve(waveforms=tf.constant(waveforms))
    accuracy = np.mean(served["label"].numpy() == clips.test.labels)
    # The run's song accuracy averages the same segments' probabilities.
    assert accuracy == pytest.approx(record["metrics"]["test_song_accuracy"])
    assert set(served["segments"].numpy()) == {4}


def test_the_saved_classifier_loads_in_a_fresh_session(smoke):
    _, record = smoke
    path = record["artifacts"]["model/audio_net_classifier"]
    shape = keras.saving.load_model(path).get_build_config()["input_shape"]
    features = np.random.default_rng(0).normal(size=(2, *shape[1:])).astype("float32")
    logits = check_fresh_load({"classifier": (path, features)},
                              ["dlx_tf.projects.audio_net"])["classifier"]
    assert logits.shape[0] == 2 and np.all(np.isfinite(logits))


def test_transfer_from_a_local_preset_keeps_the_backbone_in_the_frozen_phase(tmp_path):
    # A width-64 ResNet-18 with random weights, saved as a KerasHub preset, stands in for
    # resnet_18_imagenet; one epoch, all of it frozen: the backbone must come out unchanged.
    hub = keras_hub.models.ResNetBackbone(**keras_hub_resnet_config((2, 2, 2, 2)),
                                          image_shape=(None, None, 3))
    hub.save_to_preset(str(tmp_path / "preset"))
    record = run_experiment_script("audio_net", tmp_path, f"preset={tmp_path / 'preset'}",
                                   "width=64", "freeze_epochs=1", "epochs=1",
                                   "synthetic_songs_per_genre=8")
    assert record["status"] == "completed"
    classifier = keras.saving.load_model(record["artifacts"]["model/audio_net_classifier"])
    assert isinstance(classifier, AudioNetClassifier)
    layers = classifier.backbone.named_weight_layers()
    assert len(layers) == 40  # 20 convolutions, 20 batch normalizations
    for name, layer in layers.items():
        for ours, theirs in zip(layer.get_weights(), hub.get_layer(name).get_weights()):
            np.testing.assert_array_equal(ours, theirs)


def test_tensorboard_plays_input_clips_beside_their_log_mels(smoke):
    base, record = smoke
    samples = tensorboard_run(base / "run" / "tensorboard" / "samples")
    plugin, clip_list, [(step, clips)] = summaries(samples, "input_clips")
    assert (plugin, step) == ("audio", 0)
    data = record["data"]
    assert audio_clips(clips) == [(record["config"]["sample_rate"], data["segment_samples"])] * 4
    genres = [line.split(". ", 1)[1].split(" (")[0] for line in clip_list.split("\n")]
    assert len(genres) == 4 and set(genres) <= set(data["genres"])
    assert len(set(genres)) == min(4, len(data["genres"]))  # genres in turn
    plugin, description, [(_, images)] = summaries(samples, "input_log_mels")
    assert (plugin, description) == ("images", clip_list)
    frames, mel_bins = data["spectrogram_shape"]
    assert image_sizes(images) == [(mel_bins, frames, 3)] * 4
