import json
import os

import av
import numpy as np
import pytest

from dlx_tf.data.synthetic.captioned_clips import (
    ANNOTATIONS,
    BEATS,
    COLOURS,
    SPLITS,
    write_captioned_clips,
)
from dlx_tf.data.video_clips import ClipDecoding, decode_clip
from dlx_tf.errors import UsageError

CLIPS = 8
SETTINGS = {"clips": CLIPS, "seconds": 2.0, "size": 32, "fps": 4, "silent_every": 2,
            "test_fraction": 0.25, "validate_fraction": 0.25}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("clips"))
    return folder, write_captioned_clips(folder, seed=5, **SETTINGS)


def file_bytes(folder):
    names = [ANNOTATIONS] + [f"videos/{name}" for name in sorted(os.listdir(
        os.path.join(folder, "videos")))]
    return {name: open(os.path.join(folder, name), "rb").read() for name in names}


def test_layout_is_msr_vtt_and_marked_synthetic(written):
    folder, annotations = written
    with open(os.path.join(folder, ANNOTATIONS), encoding="utf-8") as file:
        assert json.load(file) == annotations
    assert annotations["synthetic"] is True
    ids = [video["video_id"] for video in annotations["videos"]]
    assert ids == [f"video{n}" for n in range(CLIPS)]
    assert sorted(os.listdir(os.path.join(folder, "videos"))) == sorted(f"{i}.mp4" for i in ids)
    assert all(video["split"] in SPLITS and isinstance(video["category"], int)
               for video in annotations["videos"])
    assert [sum(v["split"] == split for v in annotations["videos"]) for split in SPLITS] == [
        4, 2, 2]  # of 4 pairs: 1 test and 1 validate pair
    for video_id in ids:
        captions = [s for s in annotations["sentences"] if s["video_id"] == video_id]
        assert len(captions) == 3 and any(s["mentions_sound"] for s in captions)
        assert any(not s["mentions_sound"] for s in captions)


def test_pairs_look_alike_share_a_split_and_differ_in_sound(written):
    _, annotations = written
    videos = annotations["videos"]
    for first, second in zip(videos[::2], videos[1::2]):
        look = ("colour", "shape", "direction", "speed")
        assert [first["attributes"][k] for k in look] == [second["attributes"][k] for k in look]
        assert first["split"] == second["split"]
        sound = ("sound", "beat")
        assert [first["attributes"][k] for k in sound] != [second["attributes"][k] for k in sound]
    assert sum(v["attributes"]["sound"] == "silence" for v in videos) == CLIPS // 4


def test_clips_decode_with_audio_unless_silent(written):
    folder, annotations = written
    for video in annotations["videos"]:
        path = os.path.join(folder, "videos", f"{video['video_id']}.mp4")
        with av.open(path) as container:
            assert container.streams.video[0].codec_context.name == "h264"
        clip = decode_clip(path, ClipDecoding(frames_per_clip=2, size=32))
        silent = video["attributes"]["sound"] == "silence"
        assert clip.has_audio is not silent and clip.audio.any() is not silent
        assert clip.seconds == pytest.approx(SETTINGS["seconds"])
        # The shape's colour is the brightest, most saturated pixel's.
        pixels = clip.frames[0].reshape(-1, 3).astype(int)
        colour = pixels[np.argmax(pixels.max(1) - pixels.min(1))]
        np.testing.assert_allclose(colour, COLOURS[video["attributes"]["colour"]], atol=40)


def test_captions_name_the_attributes(written):
    _, annotations = written
    attributes = {v["video_id"]: v["attributes"] for v in annotations["videos"]}
    for sentence in annotations["sentences"]:
        clip, caption = attributes[sentence["video_id"]], sentence["caption"]
        for key in ("colour", "shape", "direction"):
            assert clip[key] in caption
        if sentence["mentions_sound"]:
            heard = "silence" if clip["sound"] == "silence" else f"{clip['beat']} {clip['sound']}"
            assert heard in caption
        else:
            assert not any(word in caption for word in ("drum", "bell", "silence", *BEATS))


def test_same_seed_writes_the_same_bytes_and_another_seed_other_clips(written, tmp_path):
    folder, annotations = written
    again = write_captioned_clips(str(tmp_path / "again"), seed=5, **SETTINGS)
    assert file_bytes(str(tmp_path / "again")) == file_bytes(folder)
    other = write_captioned_clips(str(tmp_path / "other"), seed=6, **SETTINGS)
    assert other["videos"] != again["videos"]


def test_an_odd_clip_count_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="clips: expected an even integer >= 2, got 7"):
        write_captioned_clips(str(tmp_path), clips=7)
