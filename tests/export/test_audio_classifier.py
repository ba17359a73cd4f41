import keras
import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process

from dlx_tf.export import check_export, export_saved_model
from dlx_tf.export.audio_classifier import audio_classifier_endpoints
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram
from dlx_tf.projects.audio_net import AudioNetClassifier

SEGMENT = 1200  # 0.15 s at 8 kHz: 8 frames of 256 with hop 128
GENRES = ("pulse", "drone", "chime")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(0)
    frontend = LogMelSpectrogram(sample_rate=8000, frame_length=256, frame_step=128,
                                 num_mel_bins=16)
    classifier = AudioNetClassifier(num_classes=3, width=8, stackwise_num_blocks=(1, 1, 1, 1),
                                    input_mean=-4.0, input_std=3.0)
    classifier(frontend(tf.zeros([1, SEGMENT])))
    # Larger random weights than the initialisation, so clips get clearly different outputs.
    rng = np.random.default_rng(1)
    classifier.head.set_weights([rng.normal(0, 2, w.shape) for w in classifier.head.get_weights()])
    waveforms = _clips(2, 2 * SEGMENT, seed=2)
    version = export_saved_model(
        "tiny_audio", resources=[frontend, classifier],
        endpoints=audio_classifier_endpoints(frontend, classifier, SEGMENT, GENRES),
        warmup_inputs={"waveforms": waveforms}, manifest={"experiment": "tiny_audio"},
        base_dir=str(tmp_path_factory.mktemp("saved_models")))
    serve = tf.saved_model.load(version.path).signatures["serving_default"]
    return frontend, classifier, version, serve


def _clips(count, samples, seed):
    rng = np.random.default_rng(seed)
    time = np.arange(samples) / 8000
    tones = np.sin(2 * np.pi * rng.uniform(100, 3000, (count, 1)) * time)
    return (0.5 * tones + 0.1 * rng.normal(size=(count, samples))).astype(np.float32)


def _live(frontend, classifier, clip):
    """Segment by segment with the live layers: the mean of the segments' softmax."""
    segments = [clip[start:start + SEGMENT] for start in range(0, len(clip) - SEGMENT + 1,
                                                                  SEGMENT)]
    logits = classifier(frontend(np.stack(segments)), training=False)
    return np.mean(keras.ops.convert_to_numpy(keras.ops.softmax(logits)), axis=0), len(segments)


def test_served_probabilities_equal_the_live_segment_mean(exported):
    frontend, classifier, _, serve = exported
    # 3.5 segments: the half segment is dropped, as in training.
    clips = _clips(3, 3 * SEGMENT + SEGMENT // 2, seed=3)
    served = serve(waveforms=tf.constant(clips))
    for clip, probabilities, count in zip(clips, served["probabilities"].numpy(),
                                          served["segments"].numpy()):
        expected, expected_count = _live(frontend, classifier, clip)
        np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)
        assert count == expected_count == 3
    labels = served["label"].numpy()
    np.testing.assert_array_equal(labels, np.argmax(served["probabilities"], axis=-1))
    assert [g.decode() for g in served["genre"].numpy()] == [GENRES[i] for i in labels]


def test_one_segment_and_any_length_serve(exported):
    frontend, classifier, _, serve = exported
    for samples in (SEGMENT, 5 * SEGMENT + 7):
        clip = _clips(1, samples, seed=samples)
        served = serve(waveforms=tf.constant(clip))["probabilities"].numpy()[0]
        np.testing.assert_allclose(served, _live(frontend, classifier, clip[0])[0], rtol=1e-5,
                                   atol=1e-6)


def test_the_export_checker_passes_in_a_fresh_process(exported):
    _, _, version, _ = exported
    result = check_export(version.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all registered in core TensorFlow" in result.stdout


# Waveforms → the answer. A rank-1 waveform used to fail inside tf.signal.frame.
REQUESTS = {
    "np.full((1, 2400), np.nan, np.float32)":
        "refused: assertion failed: [waveforms: expected finite samples, got NaN or infinity]",
    "np.full((1, 2400), 3000.0, np.float32)":
        "refused: assertion failed: [waveforms: largest |sample| (float audio in [-1, 1]; "
        "divide int16 samples by 32768): expected a value in [0, 1], got] [3000]",
    "np.zeros((65, 1200), np.float32)":
        "refused: assertion failed: [waveforms: batch size: expected a value in [1, 64], got] "
        "[65]",
    "np.zeros((1, 1 << 24), np.float32)":
        "refused: assertion failed: [waveforms: samples per request: expected a value ≤ "
        "8,388,608, got] [16777216]",
    "np.zeros((1, 1199), np.float32)":
        "refused: assertion failed: [waveforms: samples per clip: expected a value ≥ 1,200, got] "
        "[1199]",
    "np.zeros((2400,), np.float32)":
        "refused: assertion failed: [waveforms: expected float32 [batch, samples], got shape] "
        "[2400]",
    "np.zeros((1, 2, 2400), np.float32)":
        "refused: assertion failed: [waveforms: expected float32 [batch, samples], got shape] "
        "[1 2 2400]",
    "np.zeros((2, 2400), np.float32)":
        "served: {'genre': (2,), 'label': (2,), 'probabilities': (2, 3), 'segments': (2,)}",
}


def test_garbage_and_oversized_requests_are_refused_naming_the_input(exported):
    returncode, lines = requests_in_fresh_process(
        exported[2].path, [f"{{'waveforms': {waveforms}}}" for waveforms in REQUESTS])
    assert returncode == 0, lines
    assert lines == list(REQUESTS.values())
