"""Log-mel spectrogram of raw waveforms, computed in the graph with core TF ops."""

import numbers

import keras
import tensorflow as tf

from dlx_tf.errors import DataError, UsageError


@keras.saving.register_keras_serializable(package="dlx_tf")
class LogMelSpectrogram(keras.layers.Layer):
    """Waveforms to `log(mel power + log_offset)`, frames along time, mel bins last.

    power = |STFT|² with a periodic Hann window and no end padding, so a waveform of
    `samples` gives `frames(samples) = 1 + (samples - frame_length) // frame_step` frames.
    The mel filterbank is `tf.signal.linear_to_mel_weight_matrix`: HTK mel scale
    (`1127 ln(1 + f / 700)`), triangles of peak 1 between band edges spaced evenly in mel
    from `lower_edge_hertz` to `upper_edge_hertz`, and no weight on the DC bin.

    Only core TF ops (`tf.signal`), so the layer runs in a `tf.data` map and inside a
    SavedModel served by TF Serving. It has no weights and always computes in float32,
    whatever the global dtype policy: a float16 FFT would lose the quiet bins.

    Args:
        sample_rate: samples per second of the input.
        frame_length: STFT window length in samples.
        frame_step: hop between frames in samples.
        fft_length: FFT size, at least `frame_length`; `None` means `frame_length`.
        num_mel_bins: number of mel bands.
        lower_edge_hertz: lower edge of the lowest mel band.
        upper_edge_hertz: upper edge of the highest band; `None` means `sample_rate / 2`.
        log_offset: added to the mel power before the log, so silence stays finite.

    Example:
    ```python
    layer = LogMelSpectrogram()  # 22050 Hz, 2048-sample window, hop 512, 128 mels
    layer(keras.ops.zeros((2, 22050 * 3))).shape  # (2, 126, 128)
    ```
    """

    def __init__(self, sample_rate=22050, frame_length=2048, frame_step=512, fft_length=None,
                 num_mel_bins=128, lower_edge_hertz=0.0, upper_edge_hertz=None,
                 log_offset=1e-6, **kwargs):
        # float32 unless the saved config says otherwise, also under mixed_float16.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        fft_length = frame_length if fft_length is None else fft_length
        upper_edge_hertz = sample_rate / 2 if upper_edge_hertz is None else upper_edge_hertz
        _check_arguments(sample_rate, frame_length, frame_step, fft_length, num_mel_bins,
                         lower_edge_hertz, upper_edge_hertz, log_offset)
        self.sample_rate = sample_rate
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.num_mel_bins = num_mel_bins
        self.lower_edge_hertz = float(lower_edge_hertz)
        self.upper_edge_hertz = float(upper_edge_hertz)
        self.log_offset = float(log_offset)
        # A constant, not a weight: nothing to train or checkpoint, folded into the graph.
        with tf.init_scope():
            self._mel_weights = tf.signal.linear_to_mel_weight_matrix(
                num_mel_bins, fft_length // 2 + 1, sample_rate, self.lower_edge_hertz,
                self.upper_edge_hertz, dtype=tf.float32,
            )  # (fft_length // 2 + 1, num_mel_bins)

    def frames(self, samples):
        """Frames in the output for a waveform of `samples` samples."""
        if not isinstance(samples, numbers.Integral) or samples < self.frame_length:
            raise UsageError(f"samples: expected an integer >= frame_length "
                             f"{self.frame_length}, got {samples!r}")
        return 1 + (samples - self.frame_length) // self.frame_step

    def call(self, waveforms):
        waveforms = tf.cast(waveforms, tf.float32)
        rank = waveforms.shape.rank
        if rank not in (1, 2):
            raise DataError(f"waveforms: expected float32 [batch, samples] or [samples], got "
                            f"shape {waveforms.shape}")
        samples = waveforms.shape[-1]
        if samples is not None and samples < self.frame_length:
            raise DataError(f"waveforms: expected at least frame_length {self.frame_length} "
                            f"samples, got {samples}")
        stft = tf.signal.stft(
            waveforms, self.frame_length, self.frame_step, fft_length=self.fft_length,
            window_fn=tf.signal.hann_window, pad_end=False,
        )  # (batch, frames, fft_length // 2 + 1), complex64
        power = tf.math.square(tf.math.real(stft)) + tf.math.square(tf.math.imag(stft))
        mel = tf.tensordot(power, self._mel_weights, axes=1)  # (batch, frames, num_mel_bins)
        return tf.math.log(mel + self.log_offset)

    def compute_output_shape(self, input_shape):
        *batch, samples = input_shape
        frames = None if samples is None else self.frames(samples)
        return (*batch, frames, self.num_mel_bins)

    def get_config(self):
        config = super().get_config()
        config.update(
            sample_rate=self.sample_rate,
            frame_length=self.frame_length,
            frame_step=self.frame_step,
            fft_length=self.fft_length,
            num_mel_bins=self.num_mel_bins,
            lower_edge_hertz=self.lower_edge_hertz,
            upper_edge_hertz=self.upper_edge_hertz,
            log_offset=self.log_offset,
        )
        return config


def _check_arguments(sample_rate, frame_length, frame_step, fft_length, num_mel_bins,
                     lower_edge_hertz, upper_edge_hertz, log_offset):
    for name, value in [("frame_length", frame_length), ("frame_step", frame_step),
                        ("num_mel_bins", num_mel_bins)]:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise UsageError(f"{name}: expected a positive integer, got {value!r}")
    if (not isinstance(fft_length, numbers.Integral) or isinstance(fft_length, bool)
            or fft_length < frame_length):
        raise UsageError(f"fft_length: expected an integer >= frame_length {frame_length}, "
                         f"got {fft_length!r}")
    if not isinstance(sample_rate, numbers.Real) or not sample_rate > 0:
        raise UsageError(f"sample_rate: expected a positive number, got {sample_rate!r}")
    if not 0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2:
        raise UsageError(
            f"lower_edge_hertz, upper_edge_hertz: expected 0 <= lower < upper <= sample_rate / 2 "
            f"= {sample_rate / 2}, got {lower_edge_hertz!r} and {upper_edge_hertz!r}"
        )
    if not isinstance(log_offset, numbers.Real) or not log_offset > 0:
        raise UsageError(f"log_offset: expected a positive number, got {log_offset!r}")
