"""Synthetic captioned clips for the offline Multi-Net smoke run (SYNTHETIC: no real video).

Writes real MP4 files (H.264 video, AAC audio) in the MSR-VTT layout, so the smoke run
decodes them through the same path as real clips:

    folder/videos/video0.mp4, video1.mp4, ...
    folder/annotations.json  {"synthetic": true, "videos": [{"video_id", "category",
                              "split", ...}], "sentences": [{"caption", "video_id", ...}]}

Each clip shows one coloured shape (colour, shape) crossing a plain background (direction,
speed) over a soundtrack: a low drum (a thud falling from 150 to 60 Hz) or a high bell
(inharmonic partials of 1300 Hz ringing for 0.3 s), struck at a steady (2 per second) or
rapid (5 per second) beat, or silence (no audio stream at all, as in many MSR-VTT clips).
Clips come in pairs that look alike (same colour, shape, direction and speed; other start
points) and sound different, so only the sound tells a pair apart, and captions such as
"a red circle moves left slowly while a steady low drum beats" are answered better by a
model that hears. Each clip gets one caption per template in `_TEMPLATES`; a sentence's
`mentions_sound` says whether it names the sound.
"""

import json
import os

import av
import numpy as np

from dlx_tf.atomic_files import write_atomically
from dlx_tf.errors import UsageError

ANNOTATIONS = "annotations.json"
COLOURS = {"red": (220, 40, 40), "green": (40, 190, 60), "blue": (50, 80, 230),
           "yellow": (235, 215, 40)}
SHAPES = ("circle", "square", "triangle")
DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
SPEEDS = {"slowly": 0.25, "quickly": 0.6}  # share of the frame crossed during the clip
SOUNDS = ("low drum", "high bell")
BEATS = {"steady": 2.0, "rapid": 5.0}  # strikes per second
_SOUND_PHRASES = {"low drum": "beats", "high bell": "rings"}
_TEMPLATES = (  # (caption, mentions_sound)
    ("a {colour} {shape} moves {direction} {speed} {while_sound}", True),
    ("a {shape} in {colour} going {direction} {speed}", False),
    ("{sound_phrase}, a {colour} {shape} drifts {direction}", True),
)
_BACKGROUND = (30, 30, 36)
_RADIUS = 0.12  # of the frame side
_AUDIO_RATE = 22050  # not 16 kHz, so the decoder's resampling is exercised
SPLITS = ("train", "validate", "test")  # MSR-VTT's split names


def write_captioned_clips(folder, clips=24, seconds=3.0, size=64, fps=8, seed=0,
                          silent_every=4, test_fraction=0.25, validate_fraction=0.125):
    """Writes `clips` synthetic clips and their annotation JSON under `folder`.

    Args:
        folder: created if missing; `videos/` and `annotations.json` are replaced.
        clips: an even number of clips (they come in look-alike pairs), at least 2.
        seconds, size, fps: every clip's length, square frame side in pixels and frame rate.
        seed: seeds every choice; the same seed writes the same bytes.
        silent_every: every n-th pair has a silent clip (0: none is silent).
        test_fraction, validate_fraction: shares of the pairs in the test and validate
            splits (both clips of a pair share a split); the rest is train.

    Returns:
        The annotation dict written to `folder/annotations.json`.

    Example:
        annotations = write_captioned_clips("runs/data/clips", clips=24, seed=0)
        annotations["sentences"][0]["caption"]
    """
    if not isinstance(clips, int) or clips < 2 or clips % 2:
        raise UsageError(f"clips: expected an even integer >= 2, got {clips!r}")
    rng = np.random.default_rng(seed)
    pairs = clips // 2
    splits = np.array(["train"] * pairs, object)
    test, validate = round(pairs * test_fraction), round(pairs * validate_fraction)
    splits[rng.permutation(pairs)[:test + validate]] = ["test"] * test + ["validate"] * validate
    videos, sentences, media = [], [], []
    for pair in range(pairs):
        look = _draw_look(rng)
        sounds = _draw_sounds(rng, silent=bool(silent_every) and pair % silent_every == 0)
        for sound in sounds:
            n = len(videos)
            attributes = {**look, **sound}
            frames = _render_frames(rng, attributes, seconds, size, fps)
            audio = None if sound["sound"] == "silence" else _render_audio(rng, attributes,
                                                                           seconds)
            media.append((f"video{n}.mp4", frames, audio))
            videos.append({"video_id": f"video{n}", "id": n,
                           "category": SHAPES.index(look["shape"]), "split": str(splits[pair]),
                           "start time": 0.0, "end time": seconds, "attributes": attributes})
            sentences += [{"caption": caption, "video_id": f"video{n}",
                           "mentions_sound": mentions, "sen_id": len(sentences) + i}
                          for i, (caption, mentions) in enumerate(captions(attributes))]

    def write_videos(temporary):
        os.makedirs(temporary)
        for name, frames, audio in media:
            write_clip(os.path.join(temporary, name), frames, fps, audio, _AUDIO_RATE)

    os.makedirs(folder, exist_ok=True)
    write_atomically(os.path.join(folder, "videos"), write_videos)
    annotations = {"synthetic": True, "info": {"generator": __name__, "seed": seed,
                                               "seconds": seconds, "size": size, "fps": fps},
                   "videos": videos, "sentences": sentences}
    write_atomically(os.path.join(folder, ANNOTATIONS), lambda temporary: _write_json(
        temporary, annotations))
    return annotations


def captions(attributes):
    """`[(caption, mentions_sound)]`, one per template, from a clip's attributes."""
    if attributes["sound"] == "silence":
        sound_phrase = while_sound = "in silence"
    else:
        sound_phrase = (f"a {attributes['beat']} {attributes['sound']} "
                        f"{_SOUND_PHRASES[attributes['sound']]}")
        while_sound = f"while {sound_phrase}"
    return [(template.format(while_sound=while_sound, sound_phrase=sound_phrase, **attributes),
             mentions)
            for template, mentions in _TEMPLATES]


def write_clip(path, frames, fps, audio=None, sample_rate=_AUDIO_RATE):
    """Writes uint8 RGB `frames [t, h, w, 3]` (even h and w) as an H.264 MP4 at `fps`, with
    float32 mono `audio [samples]` in [-1, 1] as an AAC track, or no audio stream if None."""
    height, width = frames.shape[1:3]
    with av.open(path, "w", format="mp4") as container:
        # ultrafast on one thread writes the same bytes every run; "veryfast" and slower
        # presets varied between runs of the same frames (libx264 in PyAV 18.1).
        video = container.add_stream("h264", rate=fps, options={"preset": "ultrafast",
                                                                "crf": "18"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.thread_count = 1
        sound = None if audio is None else container.add_stream("aac", rate=sample_rate,
                                                                layout="mono")
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            chunk = sound.codec_context.frame_size or 1024
            for start in range(0, len(audio), chunk):
                part = av.AudioFrame.from_ndarray(
                    np.asarray(audio[None, start:start + chunk], np.float32), format="fltp",
                    layout="mono")
                part.sample_rate, part.pts = sample_rate, start
                container.mux(sound.encode(part))
            container.mux(sound.encode())


def _draw_look(rng):
    return {name: str(rng.choice(list(values))) for name, values in
            (("colour", COLOURS), ("shape", SHAPES), ("direction", DIRECTIONS),
             ("speed", SPEEDS))}


def _draw_sounds(rng, silent):
    """Two different soundtracks for a look-alike pair; one is silence if `silent`."""
    choices = [{"sound": sound, "beat": beat} for sound in SOUNDS for beat in BEATS]
    first, second = (choices[i] for i in rng.permutation(len(choices))[:2])
    return [first, {"sound": "silence", "beat": "none"} if silent else second]


def _render_frames(rng, attributes, seconds, size, fps):
    """uint8 `[round(seconds * fps), size, size, 3]`: the shape moving in a straight line
    from a random start that keeps it inside the frame."""
    radius = _RADIUS * size
    step = np.array(DIRECTIONS[attributes["direction"]]) * SPEEDS[attributes["speed"]] * size
    low = radius - np.minimum(step, 0)
    start = rng.uniform(low, size - radius - np.maximum(step, 0))
    y, x = np.mgrid[:size, :size] + 0.5
    frames = np.empty((round(seconds * fps), size, size, 3), np.uint8)
    for t in range(len(frames)):
        cx, cy = start + step * t / max(len(frames) - 1, 1)
        frames[t] = _BACKGROUND
        frames[t][_mask(attributes["shape"], (x - cx) / radius, (y - cy) / radius)] = (
            COLOURS[attributes["colour"]])
    return frames


def _mask(shape, dx, dy):
    """Pixels inside the shape, in coordinates relative to its centre over its radius."""
    if shape == "circle":
        return dx**2 + dy**2 <= 1
    if shape == "square":
        return np.maximum(np.abs(dx), np.abs(dy)) <= 0.85
    return (dy <= 0.8) & (np.abs(dx) <= (dy + 1) / 1.8)  # apex up, base at dy=0.8


def _render_audio(rng, attributes, seconds):
    """float32 `[round(seconds * 22050)]`: the instrument struck at the beat's rate from a
    random offset, peak 0.5."""
    t = np.arange(round(seconds * _AUDIO_RATE)) / _AUDIO_RATE
    period = 1 / BEATS[attributes["beat"]]
    since = (t + rng.uniform(0, period)) % period  # seconds since the last strike
    if attributes["sound"] == "low drum":  # a thud whose pitch falls from 150 to 60 Hz
        sweep = 60 * since + 90 * 0.04 * (1 - np.exp(-since / 0.04))
        wave = np.exp(-since / 0.12) * np.sin(2 * np.pi * sweep)
    else:  # a bell: inharmonic partials of ~1300 Hz
        hz = 1300 * rng.uniform(0.97, 1.03)
        wave = np.exp(-since / 0.3) * sum(weight * np.sin(2 * np.pi * hz * ratio * since)
                                          for ratio, weight in ((1, 1), (2.76, 0.5), (5.4, 0.25)))
    wave += rng.normal(0, 0.003, len(t))  # a faint room noise
    return (0.5 * wave / np.abs(wave).max()).astype(np.float32)


def _write_json(path, annotations):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(annotations, file, indent=1)
