"""Per-example audio augmentations for the training pipeline: gain, time shift, SpecAugment.

Every function is stateless: the same `[2]` integer `seed` (as `Run.fit` passes to its
`augment`) gives the same result, in eager code or inside `tf.data.Dataset.map`. Each
function folds its own constant into the seed before drawing, so passing one example's
seed to several of them still gives independent draws. A setting of 0 disables an
augmentation, and a disabled one returns its input tensor itself.

SpecAugment is Park et al. 2019, "SpecAugment", https://arxiv.org/abs/1904.08779, §2
(frequency and time masking; time warping is left out).
"""

import dataclasses
import numbers

import tensorflow as tf

from dlx_tf.errors import DataError, UsageError

# Folded into the seed so that each augmentation draws from its own stream.
_GAIN_STREAM, _SHIFT_STREAM, _MASK_STREAM = 1, 2, 3


@dataclasses.dataclass(frozen=True)
class AudioAugmentation:
    """Which augmentations `augment_waveform` / `augment_spectrogram` apply; 0 disables.

    Args:
        gain_db: `random_gain`'s `max_db`.
        shift_fraction: `random_time_shift`'s `max_fraction`.
        freq_masks: SpecAugment frequency masks per example (m_F).
        freq_width: widest frequency mask in mel bins (F).
        time_masks: SpecAugment time masks per example (m_T).
        time_width: widest time mask in frames (T).
        max_time_fraction: a time mask covers at most this fraction of the frames (p).

    Example:
    ```python
    # ±6 dB gain, then the masks of SpecAugment's LibriSpeech basic policy (LB, Table 1).
    AudioAugmentation(gain_db=6.0, freq_masks=1, freq_width=27, time_masks=1, time_width=100)
    ```
    """

    gain_db: float = 0.0
    shift_fraction: float = 0.0
    freq_masks: int = 0
    freq_width: int = 0
    time_masks: int = 0
    time_width: int = 0
    max_time_fraction: float = 1.0

    def __post_init__(self):
        _check_number("gain_db", self.gain_db)
        _check_fraction("shift_fraction", self.shift_fraction)
        _check_mask_arguments(self.freq_masks, self.freq_width, self.time_masks,
                              self.time_width, self.max_time_fraction)


def augment_waveform(waveform, seed, augmentation):
    """`random_gain` then `random_time_shift` as `augmentation` enables them.

    Args:
        waveform: float `[samples]`.
        seed: `[2]` integer tensor.
        augmentation: an `AudioAugmentation`.
    """
    waveform = random_gain(waveform, seed, augmentation.gain_db)
    return random_time_shift(waveform, seed, augmentation.shift_fraction)


def augment_spectrogram(spectrogram, seed, augmentation, mask_value):
    """`spec_augment` with `augmentation`'s masks; the input itself when it has none.

    Args:
        spectrogram: `[frames, mel_bins]` or `[frames, mel_bins, channels]`.
        seed: `[2]` integer tensor.
        augmentation: an `AudioAugmentation`.
        mask_value: the value of masked cells, e.g. the training mean.
    """
    return spec_augment(
        spectrogram, seed, augmentation.freq_masks, augmentation.freq_width,
        augmentation.time_masks, augmentation.time_width, mask_value,
        max_time_fraction=augmentation.max_time_fraction,
    )


def random_gain(waveform, seed, max_db):
    """Scales `waveform` by `10^(g / 20)`, g ~ U[-max_db, max_db] decibels.

    Args:
        waveform: float tensor, any shape; one gain for all of it.
        seed: `[2]` integer tensor.
        max_db: largest gain or attenuation in dB; 0 returns `waveform`.
    """
    _check_number("max_db", max_db)
    if max_db == 0:
        return waveform
    waveform = tf.convert_to_tensor(waveform)
    seed = tf.random.experimental.stateless_fold_in(seed, _GAIN_STREAM)
    gain_db = tf.random.stateless_uniform([], seed, -max_db, max_db, dtype=tf.float32)
    return waveform * tf.cast(tf.pow(10.0, gain_db / 20.0), waveform.dtype)


def random_time_shift(waveform, seed, max_fraction):
    """Rolls `waveform` circularly by k ~ U{-m..m} samples, m = floor(max_fraction · samples).

    Args:
        waveform: `[samples]` (or `[..., samples]`, all rows rolled alike).
        seed: `[2]` integer tensor.
        max_fraction: largest shift as a fraction of the length, in [0, 1]; 0 returns
            `waveform`.
    """
    _check_fraction("max_fraction", max_fraction)
    if max_fraction == 0:
        return waveform
    waveform = tf.convert_to_tensor(waveform)
    samples = tf.shape(waveform, out_type=tf.int64)[-1]
    most = tf.cast(tf.floor(tf.cast(samples, tf.float64) * max_fraction), tf.int64)
    seed = tf.random.experimental.stateless_fold_in(seed, _SHIFT_STREAM)
    shift = _uniform_integers([], seed, 2 * most + 1) - most
    return tf.roll(waveform, shift, axis=-1)


def spec_augment_mask(frames, mel_bins, seed, freq_masks, freq_width, time_masks, time_width,
                      max_time_fraction=1.0):
    """Bool `[frames, mel_bins]`, True where kept, False in SpecAugment's masks (§2).

    Each frequency mask covers mel bins `[f0, f0 + f)` with f ~ U{0..F} and
    f0 ~ U{0..ν - f}; each time mask covers frames `[t0, t0 + t)` with t ~ U{0..T'},
    T' = min(T, floor(p · τ)), and t0 ~ U{0..τ - t}. Masks may overlap. Widths are capped
    at the array's size, so every mask lies inside it.

    Args:
        frames: τ, an int or int scalar tensor.
        mel_bins: ν, an int or int scalar tensor.
        seed: `[2]` integer tensor.
        freq_masks: number of frequency masks (m_F).
        freq_width: widest frequency mask (F).
        time_masks: number of time masks (m_T).
        time_width: widest time mask (T).
        max_time_fraction: p in [0, 1].
    """
    _check_mask_arguments(freq_masks, freq_width, time_masks, time_width, max_time_fraction)
    frames = tf.cast(frames, tf.int64)
    mel_bins = tf.cast(mel_bins, tf.int64)
    seed = tf.random.experimental.stateless_fold_in(seed, _MASK_STREAM)
    freq_seed, time_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    time_limit = tf.cast(tf.floor(tf.cast(frames, tf.float64) * max_time_fraction), tf.int64)
    freq_masked = _masked_positions(mel_bins, freq_seed, freq_masks,
                                    tf.minimum(tf.constant(freq_width, tf.int64), mel_bins))
    time_masked = _masked_positions(frames, time_seed, time_masks,
                                    tf.minimum(tf.constant(time_width, tf.int64), time_limit))
    return tf.logical_not(tf.logical_or(time_masked[:, None], freq_masked[None, :]))


def spec_augment(spectrogram, seed, freq_masks, freq_width, time_masks, time_width, mask_value,
                 max_time_fraction=1.0):
    """Sets the cells outside `spec_augment_mask` to `mask_value`; others are untouched.

    Park et al. mask with the mean, 0 after their normalisation. Our classifiers normalise
    inside the model, so pass the training mean of the (unnormalised) spectrogram.

    Args:
        spectrogram: `[frames, mel_bins]` or `[frames, mel_bins, channels]`.
        seed: `[2]` integer tensor.
        freq_masks, freq_width, time_masks, time_width, max_time_fraction: as
            `spec_augment_mask`; with no masks or zero widths, returns `spectrogram`.
        mask_value: the value of masked cells.
    """
    _check_mask_arguments(freq_masks, freq_width, time_masks, time_width, max_time_fraction)
    if freq_masks * freq_width == 0 and time_masks * time_width == 0:
        return spectrogram
    spectrogram = tf.convert_to_tensor(spectrogram)
    if spectrogram.shape.rank not in (2, 3):
        raise DataError(f"spectrogram: expected [frames, mel_bins] or [frames, mel_bins, "
                        f"channels], got shape {spectrogram.shape}")
    shape = tf.shape(spectrogram)
    keep = spec_augment_mask(shape[0], shape[1], seed, freq_masks, freq_width, time_masks,
                             time_width, max_time_fraction)
    if spectrogram.shape.rank == 3:
        keep = keep[:, :, None]
    return tf.where(keep, spectrogram, tf.cast(mask_value, spectrogram.dtype))


def _masked_positions(size, seed, count, widest):
    """Bool `[size]`: True inside any of `count` masks of width U{0..widest}."""
    if count == 0:
        return tf.zeros([size], tf.bool)
    width_seed, start_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    widths = _uniform_integers([count], width_seed, widest + 1)  # (count,)
    starts = _uniform_integers([count], start_seed, size - widths + 1)  # (count,)
    positions = tf.range(size)[:, None]  # (size, 1)
    inside = tf.logical_and(positions >= starts, positions < starts + widths)  # (size, count)
    return tf.reduce_any(inside, axis=1)


def _uniform_integers(shape, seed, upper):
    """int64 uniform on {0..upper-1}, `upper` broadcast to `shape` (may differ per element).

    `stateless_uniform` wants scalar integer bounds; the remainder of a full-range draw
    allows one per element, with a bias of at most upper / 2^64.
    """
    bits = tf.random.stateless_uniform(shape, seed, minval=None, maxval=None, dtype=tf.int64)
    return tf.math.floormod(bits, upper)


def _check_number(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0:
        raise UsageError(f"{name}: expected a number >= 0, got {value!r}")


def _check_fraction(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value <= 1:
        raise UsageError(f"{name}: expected a number in [0, 1], got {value!r}")


def _check_mask_arguments(freq_masks, freq_width, time_masks, time_width, max_time_fraction):
    for name, value in [("freq_masks", freq_masks), ("freq_width", freq_width),
                        ("time_masks", time_masks), ("time_width", time_width)]:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise UsageError(f"{name}: expected an integer >= 0, got {value!r}")
    _check_fraction("max_time_fraction", max_time_fraction)
