import os

import numpy as np
import pytest

from dlx_tf.data import video_clips
from dlx_tf.data.clip_cache import ClipCache
from dlx_tf.data.synthetic.captioned_clips import write_clip
from dlx_tf.data.video_clips import ClipDecoding
from dlx_tf.errors import DataError

SETTINGS = ClipDecoding(frames_per_clip=3, size=8)


def write_grey_clip(path, level):
    frames = np.full((8, 16, 16, 3), level, np.uint8)
    write_clip(path, frames, 4, np.zeros(8000, np.float32), 8000)


@pytest.fixture
def decodes(monkeypatch):
    """Counts the calls of `video_clips.decode_clip`, which still decodes."""
    calls = []
    decode = video_clips.decode_clip

    def counted(path, decoding):
        calls.append((path, decoding))
        return decode(path, decoding)

    monkeypatch.setattr(video_clips, "decode_clip", counted)
    return calls


@pytest.fixture
def clip_path(tmp_path):
    path = str(tmp_path / "video3.mp4")
    write_grey_clip(path, 100)
    return path


def test_second_load_reads_the_cache_without_decoding(tmp_path, clip_path, decodes):
    cache = ClipCache(str(tmp_path / "cache"), SETTINGS)
    first = cache.load(clip_path)
    second = ClipCache(str(tmp_path / "cache"), SETTINGS).load(clip_path)  # a later run
    assert len(decodes) == 1
    np.testing.assert_array_equal(second.frames, first.frames)
    np.testing.assert_array_equal(second.audio, first.audio)
    assert (second.has_audio, second.distinct_frames, second.seconds) == (
        first.has_audio, first.distinct_frames, first.seconds)
    assert os.listdir(tmp_path / "cache") == [os.path.basename(cache.entry_path(clip_path))]


@pytest.mark.parametrize("change", [{"frames_per_clip": 4}, {"size": 16}, {"sample_rate": 8000},
                                    {"max_seconds": 100.0}])
def test_a_changed_setting_misses_the_cache(tmp_path, clip_path, decodes, change):
    ClipCache(str(tmp_path / "cache"), SETTINGS).load(clip_path)
    changed = ClipDecoding(**{**vars(SETTINGS), **change})
    cache = ClipCache(str(tmp_path / "cache"), changed)
    clip = cache.load(clip_path)
    assert len(decodes) == 2 and decodes[1][1] == changed
    assert (cache.hits, cache.misses) == (0, 1)
    assert clip.frames.shape == (changed.frames_per_clip, changed.size, changed.size, 3)


def test_a_changed_file_misses_the_cache(tmp_path, clip_path, decodes):
    cache = ClipCache(str(tmp_path / "cache"), SETTINGS)
    assert cache.load(clip_path).frames.mean() == pytest.approx(100, abs=3)
    stat = os.stat(clip_path)
    write_grey_clip(clip_path, 200)
    os.utime(clip_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a coarse clock
    assert cache.load(clip_path).frames.mean() == pytest.approx(200, abs=3)
    assert len(decodes) == 2


def test_a_damaged_entry_is_decoded_again(tmp_path, clip_path, decodes):
    cache = ClipCache(str(tmp_path / "cache"), SETTINGS)
    cache.load(clip_path)
    with open(cache.entry_path(clip_path), "wb") as file:
        file.write(b"not an npz")
    assert cache.load(clip_path).frames.shape == (3, 8, 8, 3)
    assert len(decodes) == 2


def test_a_missing_clip_is_a_data_error_naming_it(tmp_path):
    path = str(tmp_path / "video9.mp4")
    with pytest.raises(DataError) as error:
        ClipCache(str(tmp_path / "cache"), SETTINGS).load(path)
    assert str(error.value) == f"{path}: cannot decode (No such file or directory)"
