"""Decodes one video clip file (MP4 and whatever else FFmpeg reads) into sampled frames and
a 16 kHz mono waveform, with PyAV.

Frames follow CLIP4Clip (Luo et al. 2021, https://arxiv.org/abs/2104.08860): at most one
frame per second of clip, spread uniformly over it, at most `frames_per_clip` of them,
each resized so its shorter side is `size` and centre-cropped to `size` x `size` (bicubic,
as CLIP's preprocessing). Limits read from the stream metadata before anything is decoded
keep an absurd file from costing minutes or gigabytes.
"""

import dataclasses
import itertools

import av
import numpy as np

from dlx_tf.errors import DataError, UsageError

DEFAULT_FRAMES_PER_CLIP = 12
AUDIO_SAMPLE_RATE = 16_000
MAX_SECONDS = 600.0  # MSR-VTT clips last 10-30 s
MAX_FRAME_PIXELS = 3840 * 2160  # 4K; a frame decodes to ~25 MB of RGB


@dataclasses.dataclass(frozen=True)
class ClipDecoding:
    """How clips are decoded; every field is part of the cache key (`clip_cache`).

    Args:
        frames_per_clip: frames returned per clip.
        size: the side of the square frames, pixels.
        sample_rate: of the returned audio, Hz.
        max_seconds: longer clips are refused (read from the metadata, not decoded).
        max_frame_pixels: clips with larger frames are refused (width x height).
    """

    frames_per_clip: int = DEFAULT_FRAMES_PER_CLIP
    size: int = 224
    sample_rate: int = AUDIO_SAMPLE_RATE
    max_seconds: float = MAX_SECONDS
    max_frame_pixels: int = MAX_FRAME_PIXELS

    def __post_init__(self):
        for name in ("frames_per_clip", "size", "sample_rate", "max_frame_pixels"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise UsageError(f"{name}: expected an integer >= 1, got {value!r}")
        if not isinstance(self.max_seconds, int | float) or not self.max_seconds > 0:
            raise UsageError(f"max_seconds: expected a number > 0, got {self.max_seconds!r}")


@dataclasses.dataclass(frozen=True, eq=False)
class DecodedClip:
    """One decoded clip.

    Args:
        frames: uint8 `[frames_per_clip, size, size, 3]` RGB, in time order.
        distinct_frames: how many of `frames` are different samples (see `sample_indices`).
        audio: float32 `[round(seconds * sample_rate)]` mono; zeros when `has_audio` is False.
        has_audio: whether the file has an audio stream that decoded to samples.
        seconds: the video stream's duration.
    """

    frames: np.ndarray
    distinct_frames: int
    audio: np.ndarray
    has_audio: bool
    seconds: float


def sample_times(seconds, frames_per_clip):
    """The times, in seconds, of the `min(frames_per_clip, max(1, floor(seconds)))` frames
    sampled from a clip: the centres of that many equal parts of it (so at most 1 per
    second, uniformly over the clip)."""
    count = min(frames_per_clip, max(1, int(seconds)))
    return (np.arange(count) + 0.5) * (seconds / count)


def sample_indices(distinct, frames_per_clip):
    """Which sampled frame fills each of the `frames_per_clip` slots: a clip with fewer
    sampled frames than slots repeats each in time order (3 frames in 6 slots: 0 0 1 1 2 2),
    so the frames stay evenly spread in time instead of ending in padding."""
    return np.arange(frames_per_clip) * distinct // frames_per_clip


def decode_clip(path, decoding=ClipDecoding()):
    """Decodes the clip at `path` into a `DecodedClip`.

    Raises a one-line `DataError` naming `path` and the reason when the file has no video
    stream, breaks a limit of `decoding`, or fails to decode; callers skip the clip and
    report it.

    Example:
        clip = decode_clip("MSRVTT/videos/all/video7.mp4", ClipDecoding(size=224))
        clip.frames.shape, clip.audio.shape  # (12, 224, 224, 3), (round(seconds * 16000),)
    """
    try:
        with av.open(path) as container:
            return _decode(container, path, decoding)
    except (av.FFmpegError, OSError) as error:
        raise DataError(f"{path}: cannot decode ({_one_line(error)})") from error


def _decode(container, path, decoding):
    if not container.streams.video:
        raise DataError(f"{path}: no video stream (expected a clip with video; streams: "
                        f"{', '.join(s.type for s in container.streams) or 'none'})")
    video = container.streams.video[0]
    width, height = video.codec_context.width, video.codec_context.height
    if width * height > decoding.max_frame_pixels:
        raise DataError(f"{path}: frames of {width}x{height} are {width * height:,} pixels, "
                        f"more than max_frame_pixels {decoding.max_frame_pixels:,}")
    seconds = _duration(container, video, path)
    if seconds > decoding.max_seconds:
        raise DataError(f"{path}: {seconds:.1f} s long, more than max_seconds "
                        f"{decoding.max_seconds:g}")
    times = sample_times(seconds, decoding.frames_per_clip)
    frames = _sampled_frames(container, video, times, decoding.size)
    if not frames:
        raise DataError(f"{path}: no video frame decoded")
    distinct = len(frames)
    frames = np.stack(frames)[sample_indices(distinct, decoding.frames_per_clip)]
    audio = np.zeros(round(seconds * decoding.sample_rate), np.float32)
    has_audio = (bool(container.streams.audio)
                 and _read_audio(container, audio, decoding.sample_rate) > 0)
    return DecodedClip(frames, distinct, audio, has_audio, seconds)


def _duration(container, video, path):
    """Seconds, from the video stream's metadata or else the container's."""
    if video.duration is not None and video.time_base:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    raise DataError(f"{path}: no duration in the stream metadata (expected a clip whose "
                    f"length is known before decoding)")


def _sampled_frames(container, video, times, size):
    """RGB frames `[size, size, 3]` showing at each of `times`: for each time, the last
    decoded frame that starts at or before it (the first frame for times before that)."""
    video.thread_type = "AUTO"
    picked, pending = [], None
    for frame in container.decode(video):
        start = frame.time if frame.time is not None else 0.0
        while len(picked) < len(times) and start > times[len(picked)]:
            picked.append(_square(frame if pending is None else pending, size))
        if len(picked) == len(times):
            break
        pending = frame
    while pending is not None and len(picked) < len(times):  # times past the last frame
        picked.append(_square(pending, size))
    return picked


def _square(frame, size):
    """The frame resized so its shorter side is `size`, centre-cropped to `size` x `size`."""
    scale = size / min(frame.width, frame.height)
    width, height = max(size, round(frame.width * scale)), max(size, round(frame.height * scale))
    rgb = frame.reformat(width, height, format="rgb24", interpolation="BICUBIC").to_ndarray()
    top, left = (height - size) // 2, (width - size) // 2
    return rgb[top:top + size, left:left + size]


def _read_audio(container, audio, sample_rate):
    """Writes the first audio stream, mono at `sample_rate`, into `audio` (float32 zeros as
    long as the clip) and returns how many samples it wrote; decoding stops once `audio` is
    full, so a stream longer than the metadata says costs nothing more."""
    container.seek(0)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    written = 0
    for frame in itertools.chain(container.decode(container.streams.audio[0]), [None]):
        for part in resampler.resample(frame):
            samples = part.to_ndarray()[0][:len(audio) - written]
            audio[written:written + len(samples)] = samples
            written += len(samples)
        if written == len(audio):
            break
    return written


def _one_line(error):
    """FFmpeg's reason without the errno and the path PyAV appends."""
    return " ".join((getattr(error, "strerror", None) or str(error)).split())
