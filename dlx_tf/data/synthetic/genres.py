"""Synthetic "genre" songs for the offline Audio-Net smoke run (SYNTHETIC: no real music).

Each song is a melody voice plus a drum kit on a rhythm cycle of 12 grid steps, drawn
from its class's recipe. The class names describe the sound and are never real genre
names. The classes differ in rhythm, pitch and timbre together, and every single cue is
shared by several classes:

    class    cycle  kick         snare        hat          note root scale     timbre
    pulse    0.60 s x.....x..... ............ ...x.....x..  3   A3   maj pent  odd, pluck
    drone    0.70 s ............ ............ ............ 12   E2   5ths/8ves all, held, vib
    chime    0.64 s ............ ............ ............  4   D5   maj pent  8ves, ringing
    shuffle  0.66 s x........... ......x..... x...x.x...x.  4   A2   min pent  all, pluck
    march    0.72 s x.....x..... ...x.....x.. ............  3   C4   major     odd, staccato
    hiss     0.48 s x........... ............ xxxxxxxxxxxx  6   G2   whole     sine, swell, br
    buzz     0.50 s ............ ............ ............  2   A4   chromatic all, held, vib
    knock    0.60 s x..x....x... ......x...x. ..x..x..x..x  6   D2   minor     sine, pluck
    glide    0.72 s x........... ............ ............  6   G3   minor     sine, swell, vib
    flutter  0.56 s ............ ...x.....x.. ............  4   C5   minor     odd, held, trem

The kick is a low sine falling from 130 to 45 Hz, the snare noise over a 190 Hz body, the
hat high-passed noise. "note" is a melody note's length in grid steps (cycle / 12), "root"
the scale's lowest note. Harmonics: "sine" the fundamental only, "odd" square-ish (1, 1/3,
1/5), "all" saw-ish (1/k for k = 1..6), "8ves" the 1st, 2nd and 4th. Envelopes: "pluck"
decays in 0.09-0.15 s, "ringing" in 0.25 s, "held" sustains the note, "staccato" fades
over its last 80 ms, "swell" rises and fades over 0.1 s. Extras: "vib" vibrato (drone 0.25
semitones at 3 Hz, buzz 0.5 at 6.5 Hz, glide 0.8 at 4 Hz), "trem" a 7-11 Hz tremolo, "br"
breath noise following the notes (0.6 of the tone; drone, shuffle, glide and flutter
carry a trace of 0.02-0.05).

Within a class each song draws its own tempo (cycle ±8 %), transposition (-3..+3 semitones
plus up to a quarter tone of detuning), melody notes (uniform over the scale), start
within the cycle, tone phase, harmonic amplitudes (×0.7..1.3 each; absent ones stay
absent), vibrato and tremolo rates, drum level (×0.5..1.5 against the melody), dropped
(8 %) and softer (velocity 0.7..1) drum hits, background noise (-40..-25 dB) and
loudness. Loudness carries no class information: every song is scaled to an RMS of 0.1
times a gain of -12..0 dB, then down if its peak would pass 0.99. A cycle lasts at most
0.78 s and a note at most 0.76 s, so every 1.5 s segment of a song carries its cues.
"""

import dataclasses
from typing import NamedTuple

import numpy as np

from dlx_tf.errors import UsageError

_STEPS = 12  # grid steps per rhythm cycle: divisible by 2, 3, 4 and 6, for straight and swing
_ODD = (1, 0, 1 / 3, 0, 1 / 5, 0)
_ALL = (1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6)
_SINE = (1, 0, 0, 0, 0, 0)
_OCTAVES = (1, 0.5, 0, 0.35, 0, 0)
_MAJOR_PENTATONIC = (0, 2, 4, 7, 9, 12)
_MINOR = (0, 2, 3, 5, 7, 8, 10, 12)
_NONE = "." * _STEPS
_TEMPO_JITTER = 0.08
_DROP_HIT = 0.08
_TARGET_RMS = 0.1
_MIN_SAMPLE_RATE = 4000  # keeps the highest fundamental, ~1.4 kHz, below Nyquist


class _Recipe(NamedTuple):
    cycle: float  # seconds per rhythm cycle, before the tempo jitter
    drums: tuple  # kick, snare and hat patterns over the cycle's steps, "x" a hit
    note_steps: int  # grid steps per melody note
    root: int  # MIDI note of the scale's root, before the transposition
    scale: tuple  # semitones above the root the melody draws from
    harmonics: tuple  # amplitudes of harmonics 1..6
    envelope: tuple  # attack, decay (inf: held) and release of every note, seconds
    vibrato: float = 0.0  # peak deviation, semitones
    vibrato_rate: float = 5.5  # Hz, before a per-song ±15 %
    tremolo: float = 0.0  # depth of the amplitude dip, 0..1
    breath: float = 0.0  # noise riding the note envelope, relative to the tone


_PLUCK, _HELD, _SWELL = (0.005, 0.09, 0.015), (0.01, np.inf, 0.03), (0.1, np.inf, 0.1)
_RECIPES = {
    "pulse": _Recipe(0.60, ("x.....x.....", _NONE, "...x.....x.."), 3, 57, _MAJOR_PENTATONIC,
                     _ODD, _PLUCK),
    "drone": _Recipe(0.70, (_NONE,) * 3, 12, 40, (0, 7, 12, 19, 24), _ALL, (0.08, np.inf, 0.08),
                     vibrato=0.25, vibrato_rate=3.0, breath=0.05),
    "chime": _Recipe(0.64, (_NONE,) * 3, 4, 74, _MAJOR_PENTATONIC, _OCTAVES,
                     (0.003, 0.25, 0.01)),
    "shuffle": _Recipe(0.66, ("x...........", "......x.....", "x...x.x...x."), 4, 45,
                       (0, 3, 5, 7, 10, 12), _ALL, (0.005, 0.15, 0.02), breath=0.02),
    "march": _Recipe(0.72, ("x.....x.....", "...x.....x..", _NONE), 3, 60,
                     (0, 2, 4, 5, 7, 9, 11, 12), _ODD, (0.01, np.inf, 0.08)),
    "hiss": _Recipe(0.48, ("x...........", _NONE, "xxxxxxxxxxxx"), 6, 43,
                    (0, 2, 4, 6, 8, 10, 12), _SINE, _SWELL, breath=0.6),
    "buzz": _Recipe(0.50, (_NONE,) * 3, 2, 69, (0, 1, 2, 3, 4, 5, 6, 7), _ALL, _HELD,
                    vibrato=0.5, vibrato_rate=6.5),
    "knock": _Recipe(0.60, ("x..x....x...", "......x...x.", "..x..x..x..x"), 6, 38, _MINOR,
                     _SINE, (0.005, 0.1, 0.02)),
    "glide": _Recipe(0.72, ("x...........", _NONE, _NONE), 6, 55, _MINOR, _SINE, _SWELL,
                     vibrato=0.8, vibrato_rate=4.0, breath=0.05),
    "flutter": _Recipe(0.56, (_NONE, "...x.....x..", _NONE), 4, 72, _MINOR, _ODD, _HELD,
                       tremolo=0.8, breath=0.02),
}
SYNTHETIC_GENRES = tuple(_RECIPES)


@dataclasses.dataclass(frozen=True, eq=False)
class SyntheticGenres:
    """Synthetic songs, `songs_per_genre` of each class, ordered class by class.

    Args:
        waveforms: float32 `[songs, samples]`, peak within [-1, 1].
        labels: int32 `[songs]`, indices into `genres`.
        song_ids: a unique `f"{genre}.{index:05d}"` per song, like GTZAN's `"blues.00029"`.
        genres: the class names, `SYNTHETIC_GENRES`.

    Example:
        >>> songs = synthetic_genre_songs(12, seconds=6.0, sample_rate=8000, seed=0)
        >>> songs.waveforms.shape, songs.song_ids[0]
        ((120, 48000), 'pulse.00000')
    """

    waveforms: np.ndarray
    labels: np.ndarray
    song_ids: tuple
    genres: tuple


def synthetic_genre_songs(songs_per_genre, seconds, sample_rate, seed=0):
    """Draws `songs_per_genre` songs of every synthetic class (see the module docstring).

    Args:
        songs_per_genre: songs per class, 0 or more.
        seconds: length of every song.
        sample_rate: samples per second, an integer of at least 4000.
        seed: seeds every song; another seed draws other songs.

    Returns:
        A `SyntheticGenres`.
    """
    if not isinstance(songs_per_genre, int | np.integer) or songs_per_genre < 0:
        raise UsageError(f"songs_per_genre: expected an integer >= 0, got {songs_per_genre!r}")
    if not isinstance(sample_rate, int | np.integer) or sample_rate < _MIN_SAMPLE_RATE:
        raise UsageError(f"sample_rate: expected an integer >= {_MIN_SAMPLE_RATE} (Hz), got "
                         f"{sample_rate!r}")
    if (not isinstance(seconds, int | float | np.number) or not np.isfinite(seconds)
            or not seconds * sample_rate >= 1):
        raise UsageError(f"seconds: expected a length of at least one sample (1 / "
                         f"{sample_rate} s), got {seconds!r}")
    samples = round(seconds * sample_rate)
    rng = np.random.default_rng(seed)
    waveforms = np.empty((len(_RECIPES) * songs_per_genre, samples), np.float32)
    chunk = max(1, 2**19 // samples)  # songs rendered at once: bounds the working arrays
    for c, recipe in enumerate(_RECIPES.values()):
        songs = _draw_songs(rng, recipe, songs_per_genre, samples / sample_rate)
        for start in range(0, songs_per_genre, chunk):
            part = slice(start, min(start + chunk, songs_per_genre))
            rows = slice(c * songs_per_genre + part.start, c * songs_per_genre + part.stop)
            waveforms[rows] = _render(recipe, {k: v[part] for k, v in songs.items()},
                                      samples, sample_rate, rng)
    labels = np.repeat(np.arange(len(_RECIPES), dtype=np.int32), songs_per_genre)
    song_ids = tuple(f"{genre}.{index:05d}" for genre in _RECIPES
                     for index in range(songs_per_genre))
    return SyntheticGenres(waveforms, labels, song_ids, SYNTHETIC_GENRES)


def _draw_songs(rng, recipe, n, seconds):
    """Every random choice of `n` songs of one class, as arrays with the songs first."""
    u = rng.uniform
    step = recipe.cycle * u(1 - _TEMPO_JITTER, 1 + _TEMPO_JITTER, n) / _STEPS  # seconds
    offset = u(0.0, _STEPS, n) * step  # where in its cycle the song starts
    grid = int(np.max((seconds + offset) / step, initial=0)) + 2  # steps any sample reaches
    patterns = np.array([[hit == "x" for hit in pattern] for pattern in recipe.drums])
    hits = patterns[:, np.arange(grid) % _STEPS] * (rng.random((n, 3, grid)) > _DROP_HIT)
    picks = rng.integers(0, len(recipe.scale), (n, grid // recipe.note_steps + 1))
    pitch = (recipe.root + np.asarray(recipe.scale)[picks] + rng.integers(-3, 4, (n, 1))
             + u(-0.25, 0.25, (n, 1)))
    return {
        "step": step, "offset": offset,
        "drum_hits": (hits * u(0.7, 1.0, hits.shape)).astype(np.float32),  # velocities
        "note_hz": (440.0 * 2.0 ** ((pitch - 69) / 12)).astype(np.float32),
        "vibrato_rate": recipe.vibrato_rate * u(0.85, 1.15, n), "tremolo_rate": u(7, 11, n),
        "phases": u(0.0, 1.0, (n, 3)), "brightness": u(0.7, 1.3, (n, len(recipe.harmonics))),
        "drum_level": u(0.5, 1.5, n),
        "noise_db": u(-40.0, -25.0, n), "gain_db": u(-12.0, 0.0, n),
    }


def _render(recipe, song, samples, sample_rate, rng):
    """Waveforms `[n, samples]` of the songs whose random choices `song` holds."""
    n, grid = song["drum_hits"].shape[0], song["drum_hits"].shape[2]
    col = {k: (v[:, None] if v.ndim == 1 else v).astype(np.float32) for k, v in song.items()}
    t = np.arange(samples, dtype=np.float32) / np.float32(sample_rate)
    grid_t = t + col["offset"]  # (n, samples) seconds on the rhythm grid
    # Per-step tables `[n, grid]` reach the samples through one flat index (np.take is
    # several times faster than take_along_axis).
    at_step = (grid_t / col["step"]).astype(np.intp) + np.arange(0, n * grid, grid)[:, None]

    def per_sample(table):  # float32: integer steps times float32 seconds give float64
        return np.take(table.astype(np.float32).ravel(), at_step)

    # One white noise per song, uniform (faster to draw than normal) with unit variance,
    # feeds the snare, the hat, the breath and the background.
    noise = (rng.random((n, samples), dtype=np.float32) - 0.5) * np.float32(12**0.5)
    mix = _melody(recipe, col, t, grid_t, per_sample, noise, sample_rate)
    mix += col["drum_level"] * _drums(col, grid_t, per_sample, noise)
    mix += noise * (_rms(mix) * 10 ** (col["noise_db"] / 20))
    mix *= _TARGET_RMS * 10 ** (col["gain_db"] / 20) / _rms(mix)
    return mix * np.minimum(1.0, 0.99 / np.abs(mix).max(1, keepdims=True))


def _rms(x):
    return np.maximum(np.sqrt(np.mean(np.square(x), 1, keepdims=True)), 1e-8)


def _melody(recipe, col, t, grid_t, per_sample, noise, sample_rate):
    note_of_step = np.arange(col["drum_hits"].shape[2]) // recipe.note_steps
    since_onset = grid_t - per_sample(note_of_step * recipe.note_steps * col["step"])
    attack, decay, release = recipe.envelope
    envelope = np.minimum(since_onset / attack, 1)
    if np.isfinite(decay):
        envelope *= np.exp(since_onset / -decay)
    envelope *= np.clip((recipe.note_steps * col["step"] - since_onset) / release, 0, 1)
    # Every note starts and ends silent, so its phase need not continue the last note's:
    # in cycles it is hz * time since the onset, no running sum over the song needed.
    hz = per_sample(col["note_hz"][:, note_of_step])
    cycles = hz * since_onset + col["phases"][:, :1]
    if recipe.vibrato:
        # hz * 2 ** (v sin(2 pi r t) / 12) ~ hz * (1 + b sin(2 pi r t)) with b = v ln 2 / 12,
        # whose integral over t is hz * (t - b cos(2 pi r t) / (2 pi r)).
        depth = np.log(2) * recipe.vibrato / 12 / (2 * np.pi * col["vibrato_rate"])
        cycles -= hz * depth * np.cos(2 * np.pi * (col["vibrato_rate"] * t + col["phases"][:, 1:2]))
    theta = 2 * np.pi * (cycles - np.floor(cycles))
    tone = np.zeros_like(theta)
    fade_from, fade_to = 0.8 * sample_rate / 2, 0.9 * sample_rate / 2
    for k, weight in enumerate(recipe.harmonics / np.linalg.norm(recipe.harmonics), 1):
        if weight == 0 or k * hz.min() >= fade_to:
            continue
        partial = np.sin(k * theta)
        if k * hz.max() > fade_from:  # fade harmonics out before they alias
            partial *= np.clip((fade_to - k * hz) / (fade_to - fade_from), 0, 1)
        tone += weight * col["brightness"][:, k - 1 : k] * partial
    if recipe.tremolo:
        dip = np.sin(2 * np.pi * (col["tremolo_rate"] * t + col["phases"][:, 2:]))
        tone *= 1 - recipe.tremolo * (0.5 + 0.5 * dip)
    if recipe.breath:
        tone += np.float32(recipe.breath) * noise
    return envelope * tone


def _drums(col, grid_t, per_sample, noise):
    """Kick (a falling low sine), snare (noise and a 190 Hz body), hat (high noise)."""
    drums = np.zeros(grid_t.shape, np.float32)
    for d, level in enumerate((1.0, 0.7, 0.4)):  # kick, snare, hat against a melody RMS 0.7
        hits = col["drum_hits"][:, d]  # (n, grid) velocities, 0 where no hit
        if not hits.any():
            continue
        # Each step plays on the latest hit at or before it, so decays span steps.
        steps = np.arange(hits.shape[1])
        last = np.maximum.accumulate(np.where(hits > 0, steps, 0), axis=1)
        since = grid_t - per_sample(last * col["step"])
        velocity = per_sample(np.take_along_axis(hits, last, 1))  # 0 before the first hit
        if d == 0:  # pitch falls from 130 Hz to 45 Hz with a 30 ms time constant
            sweep = 45 * since + (130 - 45) * 0.03 * (1 - np.exp(since / -0.03))
            sound = np.exp(since / -0.15) * np.sin(2 * np.pi * sweep)
        elif d == 1:
            body = np.sin(2 * np.pi * 190 * since)
            sound = np.exp(since / -0.07) * (0.5 * (noise + np.roll(noise, 1, 1)) + 0.5 * body)
        else:
            sound = np.exp(since / -0.02) * 0.7 * (noise - np.roll(noise, 1, 1))
        drums += level * velocity * sound
    return drums
