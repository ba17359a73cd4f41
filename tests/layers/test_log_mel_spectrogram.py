import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip, check_keras_file_round_trip, check_saved_model_matches

from dlx_tf.errors import DataError, UsageError
from dlx_tf.layers.log_mel_spectrogram import LogMelSpectrogram

# Non-default arguments: a small telephone-band front end.
SMALL = dict(sample_rate=8000, frame_length=256, frame_step=96, num_mel_bins=20,
             lower_edge_hertz=50.0, upper_edge_hertz=3500.0)


def _chirp_and_noise(samples, sample_rate=8000, seed=0):
    t = np.arange(samples) / sample_rate
    # 100 Hz sweeping up to 3000 Hz over 0.2 s, over white noise so every band has energy.
    chirp = 0.5 * np.sin(2 * np.pi * (100 * t + (2900 / 0.4) * t**2))
    noise = 0.1 * np.random.default_rng(seed).normal(size=samples)
    return (chirp + noise).astype("float32")


def _hertz_to_mel(hertz):
    return 1127.0 * np.log(1.0 + hertz / 700.0)


def _reference_mel_matrix(num_mel_bins, fft_length, sample_rate, lower, upper):
    """HTK triangles, linear in mel, peak 1, nothing on the DC bin."""
    bin_mels = _hertz_to_mel(np.arange(fft_length // 2 + 1) * sample_rate / fft_length)
    edges = np.linspace(_hertz_to_mel(lower), _hertz_to_mel(upper), num_mel_bins + 2)
    matrix = np.zeros((fft_length // 2 + 1, num_mel_bins))
    for band in range(num_mel_bins):
        left, center, right = edges[band:band + 3]
        rising = (bin_mels - left) / (center - left)
        falling = (right - bin_mels) / (right - center)
        matrix[:, band] = np.maximum(0.0, np.minimum(rising, falling))
    matrix[0] = 0.0
    return matrix


def _reference_mel_power(waveform, sample_rate, frame_length, frame_step, fft_length,
                         num_mel_bins, lower_edge_hertz, upper_edge_hertz):
    waveform = waveform.astype(np.float64)
    count = 1 + (len(waveform) - frame_length) // frame_step
    frames = np.lib.stride_tricks.as_strided(
        waveform, shape=(count, frame_length),
        strides=(frame_step * waveform.strides[0], waveform.strides[0]), writeable=False,
    )
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame_length) / frame_length)
    power = np.abs(np.fft.rfft(frames * window, n=fft_length)) ** 2
    return power @ _reference_mel_matrix(num_mel_bins, fft_length, sample_rate,
                                         lower_edge_hertz, upper_edge_hertz)


@pytest.mark.parametrize("fft_length", [None, 512])
def test_matches_numpy_reference(fft_length):
    layer = LogMelSpectrogram(**SMALL, fft_length=fft_length, log_offset=1e-3)
    waveform = _chirp_and_noise(1700)
    expected = _reference_mel_power(waveform, **SMALL, fft_length=fft_length or 256)
    log_mel = layer(waveform[None]).numpy()[0]
    assert log_mel.shape == expected.shape == (16, 20) and log_mel.dtype == np.float32
    np.testing.assert_allclose(np.exp(log_mel.astype(np.float64)) - 1e-3, expected, rtol=1e-4)
    np.testing.assert_allclose(log_mel, np.log(expected + 1e-3), atol=1e-4)


def test_mel_matrix_is_a_constant_and_silence_gives_log_offset():
    layer = LogMelSpectrogram(**SMALL)
    assert layer.weights == []
    np.testing.assert_allclose(
        layer._mel_weights.numpy(), _reference_mel_matrix(20, 256, 8000, 50.0, 3500.0), atol=1e-5)
    np.testing.assert_allclose(layer(np.zeros((1, 300), "float32")), np.log(1e-6), rtol=1e-6)


@pytest.mark.parametrize("samples, frames", [(256, 1), (351, 1), (352, 2), (1000, 8)])
def test_frame_count(samples, frames):
    layer = LogMelSpectrogram(**SMALL)
    assert layer.frames(samples) == frames
    assert layer(np.zeros((3, samples), "float32")).shape == (3, frames, 20)
    assert layer(np.zeros(samples, "float32")).shape == (frames, 20)  # one waveform
    assert layer.compute_output_shape((None, samples)) == (None, frames, 20)
    assert layer.compute_output_shape((None, None)) == (None, None, 20)


@pytest.mark.parametrize("tone_hertz", [300.0, 1000.0, 2500.0])
def test_pure_tone_peaks_in_the_band_centred_nearest_to_it(tone_hertz):
    layer = LogMelSpectrogram(sample_rate=8000, frame_length=256, frame_step=128,
                              num_mel_bins=20)
    tone = np.sin(2 * np.pi * tone_hertz * np.arange(2000) / 8000).astype("float32")
    centres = np.linspace(0.0, _hertz_to_mel(4000.0), 22)[1:-1]
    nearest = np.argmin(np.abs(centres - _hertz_to_mel(tone_hertz)))
    np.testing.assert_array_equal(np.argmax(layer(tone).numpy(), axis=-1), nearest)


def test_unknown_batch_and_length_under_tf_function_and_tf_data():
    layer = LogMelSpectrogram(**SMALL)
    waveforms = np.stack([_chirp_and_noise(700, seed=s) for s in range(3)])
    eager = layer(waveforms).numpy()

    serve = tf.function(layer, input_signature=[tf.TensorSpec([None, None], tf.float32)])
    np.testing.assert_allclose(serve(waveforms), eager, rtol=1e-5, atol=1e-5)
    assert serve(waveforms[:1, :500]).shape == (1, 3, 20)  # same graph, other sizes

    mapped = tf.data.Dataset.from_tensor_slices(waveforms).map(layer).batch(3)
    np.testing.assert_allclose(next(iter(mapped)), eager, rtol=1e-5, atol=1e-5)


@pytest.fixture
def mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_float32_under_mixed_precision(mixed_float16):
    waveform = _chirp_and_noise(700)[None]
    layer = LogMelSpectrogram(**SMALL)
    assert layer.compute_dtype == "float32"
    expected = _reference_mel_power(waveform[0], **SMALL, fft_length=256)
    np.testing.assert_allclose(np.exp(layer(waveform).numpy()[0]) - 1e-6, expected, rtol=1e-4)

    inputs = keras.Input((None,))
    features = LogMelSpectrogram.from_config(layer.get_config())(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2)(features))
    assert features.dtype == "float32" and model.output.dtype == "float16"
    assert model(waveform).shape == (1, 5, 2)


def test_rejects_bad_arguments_and_inputs():
    with pytest.raises(UsageError, match="fft_length: expected an integer >= frame_length 256"):
        LogMelSpectrogram(**SMALL, fft_length=128)
    with pytest.raises(UsageError, match="upper_edge_hertz.*<= sample_rate / 2 = 4000"):
        LogMelSpectrogram(sample_rate=8000, upper_edge_hertz=5000.0)
    with pytest.raises(UsageError, match="frame_step: expected a positive integer, got 0"):
        LogMelSpectrogram(frame_step=0)
    layer = LogMelSpectrogram(**SMALL)
    with pytest.raises(UsageError, match="samples: expected an integer >= frame_length 256"):
        layer.frames(255)
    with pytest.raises(DataError, match="at least frame_length 256 samples, got 200"):
        layer(np.zeros((2, 200), "float32"))
    with pytest.raises(DataError, match=r"\[batch, samples\] or \[samples\]"):
        layer(np.zeros((2, 1, 300), "float32"))


def test_config_round_trip():
    check_config_round_trip(LogMelSpectrogram, {**SMALL, "fft_length": 512, "log_offset": 1e-3})


def test_keras_file_and_saved_model_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((None,)), LogMelSpectrogram(**SMALL)])
    waveforms = np.stack([_chirp_and_noise(600, seed=s) for s in range(2)])
    check_keras_file_round_trip(model, waveforms, tmp_path)

    def serve(waveforms):
        return {"log_mel": model.layers[0](waveforms)}

    signature = [tf.TensorSpec([None, None], tf.float32, name="waveforms")]
    check_saved_model_matches("log_mel", model.layers[0], {"serving_default": (serve, signature)},
                              {"waveforms": waveforms}, {"log_mel": model(waveforms).numpy()},
                              tmp_path)
