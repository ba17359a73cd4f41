import math

import av
import numpy as np
import pytest

from dlx_tf.data.synthetic.captioned_clips import write_clip
from dlx_tf.data.video_clips import ClipDecoding, decode_clip, sample_indices, sample_times
from dlx_tf.errors import DataError, UsageError

FPS = 4
SECONDS = 5.5
AUDIO_RATE = 22050


def numbered_frames(count, height=32, width=48):
    """Grey frames whose brightness is 8 x their index, so a decoded frame tells its index."""
    return np.repeat(8 * np.arange(count, dtype=np.uint8), height * width * 3).reshape(
        count, height, width, 3)


def tone(seconds, hz=440.0):
    t = np.arange(round(seconds * AUDIO_RATE)) / AUDIO_RATE
    return (0.4 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """A 5.5 s clip at 4 fps with a 440 Hz tone, the same without audio, a corrupt file and
    an MP4 holding only audio."""
    folder = tmp_path_factory.mktemp("clips")
    paths = {name: str(folder / f"{name}.mp4") for name in ("sound", "silent", "corrupt",
                                                             "audio_only")}
    frames = numbered_frames(round(SECONDS * FPS))
    write_clip(paths["sound"], frames, FPS, tone(SECONDS), AUDIO_RATE)
    write_clip(paths["silent"], frames, FPS)
    with open(paths["corrupt"], "wb") as file:
        file.write(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    with av.open(paths["audio_only"], "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(tone(0.1)[None], format="fltp", layout="mono")
        frame.sample_rate, frame.pts = AUDIO_RATE, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return paths


def test_sampling_rule_is_at_most_one_frame_a_second_spread_uniformly():
    np.testing.assert_allclose(sample_times(5.5, 3), [5.5 / 6, 5.5 / 2, 5.5 * 5 / 6])
    np.testing.assert_allclose(sample_times(5.5, 12), 0.55 + 1.1 * np.arange(5))  # 5 in 5.5 s
    np.testing.assert_allclose(sample_times(0.4, 12), [0.2])  # a short clip still gives one
    assert sample_indices(3, 6).tolist() == [0, 0, 1, 1, 2, 2]
    assert sample_indices(5, 8).tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    assert sample_indices(4, 4).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("frames_per_clip, distinct", [(3, 3), (8, 5)])
def test_frames_are_the_ones_showing_at_the_sampled_times(clips, frames_per_clip, distinct):
    clip = decode_clip(clips["sound"], ClipDecoding(frames_per_clip=frames_per_clip, size=16))
    assert clip.frames.shape == (frames_per_clip, 16, 16, 3)
    assert clip.frames.dtype == np.uint8
    assert clip.distinct_frames == distinct
    assert clip.seconds == pytest.approx(SECONDS)
    # The frame showing at time t is number floor(t * fps); each is repeated in time order.
    times = [(k + 0.5) * SECONDS / distinct for k in range(distinct)]
    shown = [8 * math.floor(t * FPS) for t in times]
    expected = [shown[slot * distinct // frames_per_clip] for slot in range(frames_per_clip)]
    np.testing.assert_allclose(clip.frames.mean(axis=(1, 2, 3)), expected, atol=3)


def test_frames_are_resized_on_the_shorter_side_and_centre_cropped(tmp_path):
    path = str(tmp_path / "wide.mp4")
    thirds = np.zeros((2, 48, 96, 3), np.uint8)
    thirds[:, :, :32, 0] = thirds[:, :, 32:64, 1] = thirds[:, :, 64:, 2] = 255
    write_clip(path, thirds, FPS)
    frame = decode_clip(path, ClipDecoding(frames_per_clip=1, size=16)).frames[0]
    # 96 x 48 -> 32 x 16, whose middle 16 columns are the green third.
    assert frame.shape == (16, 16, 3)
    green = frame[:, 3:13].reshape(-1, 3).mean(0)
    assert green[1] > 200 and green[0] < 60 and green[2] < 60


def test_audio_is_mono_16khz_as_long_as_the_clip(clips):
    clip = decode_clip(clips["sound"], ClipDecoding(frames_per_clip=2, size=8))
    assert clip.has_audio
    assert clip.audio.dtype == np.float32
    assert clip.audio.shape == (round(SECONDS * 16000),)
    spectrum = np.abs(np.fft.rfft(clip.audio))
    assert np.argmax(spectrum) * 16000 / len(clip.audio) == pytest.approx(440, abs=2)
    assert np.abs(clip.audio).max() == pytest.approx(0.4, abs=0.05)


def test_a_clip_without_audio_gives_zeros_and_has_audio_false(clips):
    clip = decode_clip(clips["silent"], ClipDecoding(frames_per_clip=2, size=8))
    assert not clip.has_audio
    assert clip.audio.shape == (round(SECONDS * 16000),)
    assert not clip.audio.any()


@pytest.mark.parametrize("name, reason", [("corrupt", "cannot decode"),
                                          ("audio_only", "no video stream"),
                                          ("missing", "No such file")])
def test_unusable_files_raise_one_line_naming_the_path(clips, tmp_path, name, reason):
    path = clips.get(name, str(tmp_path / "missing.mp4"))
    with pytest.raises(DataError, match=reason) as error:
        decode_clip(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


@pytest.mark.parametrize("limit, reason", [({"max_seconds": 5.0}, "5.5 s long, more than"),
                                           ({"max_frame_pixels": 48 * 32 - 1},
                                            "48x32 are 1,536 pixels")])
def test_limits_from_the_metadata_refuse_the_clip(clips, limit, reason):
    with pytest.raises(DataError, match=reason):
        decode_clip(clips["sound"], ClipDecoding(**limit))


def test_bad_settings_are_usage_errors():
    with pytest.raises(UsageError, match="frames_per_clip: expected an integer >= 1, got 0"):
        ClipDecoding(frames_per_clip=0)
    with pytest.raises(UsageError, match="max_seconds"):
        ClipDecoding(max_seconds=-1)
