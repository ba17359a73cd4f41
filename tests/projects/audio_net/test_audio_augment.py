import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import DataError, UsageError
from dlx_tf.projects.audio_net.audio_augment import (
    AudioAugmentation,
    augment_spectrogram,
    augment_waveform,
    random_gain,
    random_time_shift,
    spec_augment,
    spec_augment_mask,
)

SEEDS = [tf.constant([7, i], tf.int64) for i in range(300)]
WAVEFORM = np.random.default_rng(0).permutation(50).astype("float32") + 1.0  # distinct values
SPECTROGRAM = np.random.default_rng(1).normal(size=(9, 6)).astype("float32")


def _masks(frames, mel_bins, **kwargs):
    draw = tf.function(lambda seed: spec_augment_mask(frames, mel_bins, seed, **kwargs))
    return np.stack([draw(seed).numpy() for seed in SEEDS])  # (seeds, frames, mel_bins)


def _runs(masked):
    """(start, length) of each run of True in a 1-D bool array."""
    edges = np.diff(np.concatenate([[0], masked.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), (ends - starts).tolist()))


def test_single_masks_cover_every_allowed_width_and_position_and_no_other():
    # τ = 9 frames, p = 0.4: time widths 0..min(5, floor(3.6)) = 0..3; ν = 6: widths 0..2.
    masks = _masks(9, 6, freq_masks=1, freq_width=2, time_masks=1, time_width=5,
                   max_time_fraction=0.4)
    assert masks.shape == (300, 9, 6) and masks.dtype == bool
    time_masks, freq_masks = set(), set()
    for mask in masks:
        masked_rows, masked_columns = np.all(~mask, axis=1), np.all(~mask, axis=0)
        # Every masked cell lies in a fully masked frame or a fully masked mel bin.
        np.testing.assert_array_equal(~mask, masked_rows[:, None] | masked_columns[None, :])
        time_runs, freq_runs = _runs(masked_rows), _runs(masked_columns)
        assert len(time_runs) <= 1 and len(freq_runs) <= 1
        time_masks.update(time_runs)
        freq_masks.update(freq_runs)
    # Every (start, width) that fits inside the array turns up: t0 ~ U{0..τ-t}, f0 ~ U{0..ν-f}.
    assert time_masks == {(start, width) for width in (1, 2, 3) for start in range(10 - width)}
    assert freq_masks == {(start, width) for width in (1, 2) for start in range(7 - width)}
    # Width 0 is drawn too: no frame masked 1/4 of the time (75 of 300), no bin 1/3 (100).
    assert 45 < np.sum(~np.any(np.all(~masks, axis=2), axis=1)) < 105
    assert 65 < np.sum(~np.any(np.all(~masks, axis=1), axis=1)) < 135


def test_several_masks_stay_within_their_total_width():
    masks = _masks(20, 12, freq_masks=2, freq_width=3, time_masks=3, time_width=4)
    for mask in masks:
        masked_rows, masked_columns = np.all(~mask, axis=1), np.all(~mask, axis=0)
        np.testing.assert_array_equal(~mask, masked_rows[:, None] | masked_columns[None, :])
        assert len(_runs(masked_rows)) <= 3 and masked_rows.sum() <= 3 * 4
        assert len(_runs(masked_columns)) <= 2 and masked_columns.sum() <= 2 * 3
    assert masks.sum(axis=(1, 2)).min() < masks.sum(axis=(1, 2)).max()  # the seed matters
    masked_rows_per_seed = np.all(~masks, axis=2).sum(axis=1)
    assert masked_rows_per_seed.max() > 4  # overlapping or not, several masks add up


def test_time_and_frequency_masks_draw_independently():
    # With τ = ν and T = F, masks drawn from one stream would be symmetric.
    masks = _masks(8, 8, freq_masks=1, freq_width=4, time_masks=1, time_width=4)[:50]
    assert sum(np.array_equal(mask, mask.T) for mask in masks) < 25


def test_same_seed_same_mask_other_seed_other_mask():
    kwargs = dict(freq_masks=2, freq_width=3, time_masks=2, time_width=4)
    first = spec_augment_mask(20, 12, SEEDS[0], **kwargs).numpy()
    np.testing.assert_array_equal(first, spec_augment_mask(20, 12, SEEDS[0], **kwargs))
    others = [spec_augment_mask(20, 12, seed, **kwargs).numpy() for seed in SEEDS[1:6]]
    assert not all(np.array_equal(first, other) for other in others)


@pytest.mark.parametrize("kwargs", [
    dict(freq_masks=0, freq_width=3, time_masks=0, time_width=4),
    dict(freq_masks=2, freq_width=0, time_masks=2, time_width=0),
    dict(freq_masks=0, freq_width=0, time_masks=2, time_width=4, max_time_fraction=0.0),
])
def test_no_masks_keep_everything(kwargs):
    assert np.all(spec_augment_mask(20, 12, SEEDS[0], **kwargs))


@pytest.mark.parametrize("channels", [False, True])
def test_spec_augment_sets_exactly_the_masked_cells(channels):
    kwargs = dict(freq_masks=1, freq_width=3, time_masks=2, time_width=3)
    spectrogram = SPECTROGRAM[:, :, None] if channels else SPECTROGRAM
    for seed in SEEDS[:5]:
        keep = spec_augment_mask(9, 6, seed, **kwargs).numpy()
        masked = spec_augment(spectrogram, seed, **kwargs, mask_value=-4.5).numpy()
        assert masked.shape == spectrogram.shape
        masked = masked[:, :, 0] if channels else masked
        np.testing.assert_array_equal(masked[keep], SPECTROGRAM[keep])  # bitwise
        assert np.all(masked[~keep] == -4.5)


def test_gain_is_one_factor_within_bounds_in_both_directions():
    gains_db = []
    gain = tf.function(lambda seed: random_gain(WAVEFORM, seed, max_db=6.0))
    for seed in SEEDS[:100]:
        ratio = gain(seed).numpy() / WAVEFORM
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)
        gains_db.append(20 * np.log10(ratio[0]))
    gains_db = np.array(gains_db)
    assert np.all(np.abs(gains_db) <= 6.0 + 1e-4)
    assert np.sum(gains_db > 3) > 10 and np.sum(gains_db < -3) > 10  # spread over the range
    np.testing.assert_array_equal(random_gain(WAVEFORM, SEEDS[0], 6.0),
                                  random_gain(WAVEFORM, SEEDS[0], 6.0))


def _shift_of(shifted, original=WAVEFORM):
    (shift,) = [k for k in range(-24, 25) if np.array_equal(np.roll(original, k), shifted)]
    return shift


def test_time_shift_is_a_circular_roll_by_every_allowed_amount():
    shifts = set()
    shift = tf.function(lambda seed: random_time_shift(WAVEFORM, seed, max_fraction=0.1))
    for seed in SEEDS[:150]:
        shifted = shift(seed).numpy()
        np.testing.assert_array_equal(np.sort(shifted), np.sort(WAVEFORM))
        shifts.add(_shift_of(shifted))
    assert shifts == set(range(-5, 6))  # m = floor(0.1 * 50) = 5


def test_waveform_augmentations_draw_independently_from_one_seed():
    augmentation = AudioAugmentation(gain_db=6.0, shift_fraction=0.4)
    both = tf.function(lambda seed: augment_waveform(WAVEFORM, seed, augmentation))
    gain = tf.function(lambda seed: random_gain(WAVEFORM, seed, 6.0))
    gains, shifts = [], []
    for seed in SEEDS[:100]:
        augmented, gained = both(seed).numpy(), gain(seed).numpy()
        np.testing.assert_array_equal(augmented, random_time_shift(gained, seed, 0.4))
        gains.append(gained[0] / WAVEFORM[0])
        shifts.append(_shift_of(augmented, gained))
    assert abs(np.corrcoef(gains, shifts)[0, 1]) < 0.3


def test_all_off_returns_the_input_itself():
    off = AudioAugmentation()
    assert augment_waveform(WAVEFORM, SEEDS[0], off) is WAVEFORM
    assert augment_spectrogram(SPECTROGRAM, SEEDS[0], off, mask_value=0.0) is SPECTROGRAM
    assert random_gain(WAVEFORM, SEEDS[0], 0) is WAVEFORM
    assert random_time_shift(WAVEFORM, SEEDS[0], 0.0) is WAVEFORM


def test_inside_dataset_map_with_the_run_seeds():
    augmentation = AudioAugmentation(gain_db=3.0, shift_fraction=0.2, freq_masks=1,
                                     freq_width=2, time_masks=1, time_width=3)
    seed_tensor = tf.constant(11, tf.int64)

    def augment(index, example):
        seed = tf.stack([seed_tensor, index])  # as Run.fit builds it
        waveform, spectrogram = example
        return (augment_waveform(waveform, seed, augmentation),
                augment_spectrogram(spectrogram, seed, augmentation, mask_value=0.5))

    examples = tf.data.Dataset.from_tensors((WAVEFORM, SPECTROGRAM)).repeat(3)
    outputs = list(examples.enumerate().map(augment))
    for index, (waveform, spectrogram) in enumerate(outputs):
        seed = tf.constant([11, index], tf.int64)
        np.testing.assert_array_equal(waveform, augment_waveform(WAVEFORM, seed, augmentation))
        np.testing.assert_array_equal(
            spectrogram, augment_spectrogram(SPECTROGRAM, seed, augmentation, 0.5))
    assert not np.array_equal(outputs[0][0], outputs[1][0])


def test_rejects_bad_settings():
    with pytest.raises(UsageError, match="freq_masks: expected an integer >= 0, got -1"):
        AudioAugmentation(freq_masks=-1)
    with pytest.raises(UsageError, match=r"shift_fraction: expected a number in \[0, 1\]"):
        AudioAugmentation(shift_fraction=1.5)
    with pytest.raises(UsageError, match="max_db: expected a number >= 0, got -3"):
        random_gain(WAVEFORM, SEEDS[0], -3)
    with pytest.raises(UsageError, match="time_width: expected an integer >= 0, got 2.5"):
        spec_augment_mask(9, 6, SEEDS[0], 1, 2, 1, 2.5)
    with pytest.raises(DataError, match=r"\[frames, mel_bins\].*got shape \(50,\)"):
        spec_augment(WAVEFORM, SEEDS[0], 1, 2, 1, 2, mask_value=0.0)
