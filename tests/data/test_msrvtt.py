import csv
import json
import os
import shutil

import numpy as np
import pytest

from dlx_tf.data.msrvtt import load_captioned_clips
from dlx_tf.data.synthetic.captioned_clips import write_captioned_clips
from dlx_tf.data.video_clips import ClipDecoding
from dlx_tf.errors import DataError

DECODING = ClipDecoding(frames_per_clip=2, size=16)
SECONDS = 1.0


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """8 one-second clips in 4 look-alike pairs (2 with a silent clip): 4 train, 2 validate,
    2 test; the folder, its annotations and a shared cache folder."""
    folder = str(tmp_path_factory.mktemp("msrvtt"))
    annotations = write_captioned_clips(folder, clips=8, seconds=SECONDS, size=16, fps=4,
                                        seed=3, silent_every=2, test_fraction=0.25,
                                        validate_fraction=0.25)
    return folder, annotations, str(tmp_path_factory.mktemp("cache"))


def load(folder, cache, **options):
    return load_captioned_clips(folder, DECODING, cache, seed=0, **options)


def official_layout(root, source, train, test, corrupt=(), sentences=None):
    """MSR-VTT as downloaded: `TrainValVideo/`, `TestVideo/` and the two official JSON
    files, with the synthetic clips `train` and `test` and `corrupt` garbage files."""
    videos, files = [], []
    for split, ids, folder in (("train", train + list(corrupt), "TrainValVideo"),
                               ("test", test, "TestVideo")):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        for video_id in ids:
            videos.append({"video_id": video_id, "split": split, "category": 0})
            path = os.path.join(root, folder, f"{video_id}.mp4")
            if video_id in corrupt:
                with open(path, "wb") as file:
                    file.write(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)))
            else:
                shutil.copy(os.path.join(source, "videos", f"{video_id}.mp4"), path)
            files.append(path)
    if sentences is None:
        sentences = [{"video_id": v["video_id"], "caption": f"caption {i} of {v['video_id']}",
                      "sen_id": i} for i, v in enumerate(videos * 2)]
    for name, split_names in (("train_val_videodatainfo.json", ("train",)),
                              ("test_videodatainfo.json", ("test",))):
        chosen = [v for v in videos if v["split"] in split_names]
        ids = {v["video_id"] for v in chosen}
        write_json(os.path.join(root, name), {
            "videos": chosen, "sentences": [s for s in sentences if s["video_id"] in ids]})
    return sentences


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(data, file)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def ids_of(annotations, split):
    return [v["video_id"] for v in annotations["videos"] if v["split"] == split]


def test_official_splits_map_every_caption_to_its_clip(written):
    folder, annotations, cache = written
    data = load(folder, cache)
    by_clip = {}
    for sentence in annotations["sentences"]:
        by_clip.setdefault(sentence["video_id"], []).append(
            (sentence["caption"], sentence["mentions_sound"]))
    for split, count in (("train", 4), ("validate", 2), ("test", 2)):
        part = getattr(data, split)
        assert list(part.clip_ids) == ids_of(annotations, split) and len(part.clip_ids) == count
        assert [os.path.basename(p) for p in part.clip_paths] == [
            f"{v}.mp4" for v in part.clip_ids]
        got = {}
        for caption, clip, mentions in zip(part.captions, part.caption_clips,
                                           part.mentions_sound):
            got.setdefault(part.clip_ids[clip], []).append((caption, bool(mentions)))
        assert got == {v: by_clip[v] for v in part.clip_ids}
    silent = {split: sum(v["attributes"]["sound"] == "silence" for v in annotations["videos"]
                         if v["split"] == split) for split in ("train", "validate", "test")}
    assert sum(silent.values()) == 2
    assert data.info["clips_without_audio"] == silent
    assert data.info["synthetic"] is False and data.info["skipped"] == []
    assert data.info["captions"] == {"train": 12, "validate": 6, "test": 6}


def test_caption_dataset_elements_and_audio_crop_and_pad(written):
    folder, annotations, cache = written
    for audio_seconds in (0.5, 1.5):
        data = load(folder, cache, audio_seconds=audio_seconds)
        samples = round(audio_seconds * DECODING.sample_rate)
        elements = list(data.caption_dataset("train").as_numpy_iterator())
        assert len(elements) == len(data.train.captions)
        for (frames, audio, has_audio, caption), clip_index, text in zip(
                elements, data.train.caption_clips, data.train.captions):
            assert frames.dtype == np.uint8 and frames.shape == (2, 16, 16, 3)
            assert audio.dtype == np.float32 and audio.shape == (samples,)
            assert caption.decode() == text
            clip = data.cache.load(data.train.clip_paths[clip_index])
            np.testing.assert_array_equal(frames, clip.frames)
            assert has_audio == clip.has_audio
            kept = min(samples, len(clip.audio))
            np.testing.assert_array_equal(audio[:kept], clip.audio[:kept])
            assert not audio[kept:].any()  # zero padding past the clip's 1 s
            if clip.has_audio:
                assert np.abs(audio[:kept]).max() > 0.05
            else:
                assert not audio.any()
    assert data.info["cache"]["misses"] == 0  # every clip was decoded by the first load


def test_shuffled_captions_keep_their_clips_and_clip_dataset_follows_clip_order(written):
    folder, _, cache = written
    data = load(folder, cache)
    frames_of = [data.cache.load(path).frames for path in data.test.clip_paths]
    shuffled = list(data.caption_dataset("test", shuffle_seed=1).as_numpy_iterator())
    assert sorted(c.decode() for *_, c in shuffled) == sorted(data.test.captions)
    assert [c.decode() for *_, c in shuffled] != list(data.test.captions)
    for frames, _, _, caption in shuffled:  # a look-alike pair shares its visual caption
        clips = {clip for text, clip in zip(data.test.captions, data.test.caption_clips)
                 if text == caption.decode()}
        assert any(np.array_equal(frames, frames_of[clip]) for clip in clips)
    clips = list(data.clip_dataset("test").as_numpy_iterator())
    assert len(clips) == 2
    for (frames, _, _), expected in zip(clips, frames_of):
        np.testing.assert_array_equal(frames, expected)


def test_synthetic_source_is_written_once_and_read_like_real_data(tmp_path):
    options = dict(synthetic_clips=8, synthetic_seconds=SECONDS)
    data = load_captioned_clips("synthetic", DECODING, str(tmp_path), seed=5, **options)
    assert data.info["synthetic"] is True
    annotations_path = data.info["annotations"][0]
    assert annotations_path.startswith(str(tmp_path))
    written_at = os.stat(annotations_path).st_mtime_ns
    again = load_captioned_clips("synthetic", DECODING, str(tmp_path), seed=5, **options)
    assert os.stat(annotations_path).st_mtime_ns == written_at
    assert again.train.captions == data.train.captions
    assert again.info["cache"] == {**data.info["cache"], "hits": 8, "misses": 0}
    assert sum(data.info["clips"].values()) == 8


def test_official_download_layout_skips_and_reports_a_corrupt_clip(written, tmp_path):
    folder, annotations, cache = written
    train, test = ids_of(annotations, "train")[:3], ids_of(annotations, "test")
    official_layout(str(tmp_path), folder, train, test, corrupt=["video99"])
    data = load(str(tmp_path), cache)
    assert list(data.train.clip_ids) == train and list(data.test.clip_ids) == test
    assert data.validate.clip_ids == ()
    [skipped] = data.info["skipped"]
    assert skipped["path"] == str(tmp_path / "TrainValVideo" / "video99.mp4")
    assert "video99.mp4" in skipped["reason"]
    assert not any("video99" in caption for caption in data.train.captions)
    assert len(data.train.captions) == 6 and data.train.mentions_sound is None
    assert [data.train.clip_ids[i] for i in data.train.caption_clips] == [
        caption.split()[-1] for caption in data.train.captions]


def test_1k_a_split_reads_the_csvs(written, tmp_path):
    folder, annotations, cache = written
    train, test = ids_of(annotations, "train"), ids_of(annotations, "test")
    official_layout(str(tmp_path), folder, train + test[:1], test[1:])
    csv_folder = tmp_path / "msrvtt_data"
    csv_folder.mkdir()
    write_csv(csv_folder / "MSRVTT_train.9k.csv", ["video_id"], [[v] for v in train[:3]])
    write_csv(csv_folder / "MSRVTT_JSFUSION_test.csv", ["key", "vid_key", "video_id", "sentence"],
              [[f"ret{i}", f"msr{i}", v, f"the 1k-A caption of {v}"]
               for i, v in enumerate(test)])
    data = load(str(tmp_path), cache, split="1k-A")
    assert list(data.train.clip_ids) == train[:3] and list(data.test.clip_ids) == test
    assert data.validate.clip_ids == () and data.info["split"] == "1k-A"
    assert len(data.train.captions) == 6  # all JSON captions of the 9k clips
    assert data.test.captions == tuple(f"the 1k-A caption of {v}" for v in test)
    assert data.test.caption_clips.tolist() == [0, 1]


def test_bad_inputs_give_one_line_errors_naming_the_file(written, tmp_path):
    folder, annotations, cache = written
    train, test = ids_of(annotations, "train")[:2], ids_of(annotations, "test")[:1]

    def error(root, **options):
        with pytest.raises(DataError) as raised:
            load(str(root), cache, **options)
        assert "\n" not in str(raised.value)
        return str(raised.value)

    (tmp_path / "bare").mkdir()
    assert "no annotation file" in error(tmp_path / "bare")

    sentences = [{"video_id": train[0], "caption": "fine"}, {"video_id": "video77",
                                                             "caption": "lost"}]
    official_layout(str(tmp_path / "unknown"), folder, train, test, sentences=sentences)
    write_json(tmp_path / "unknown" / "train_val_videodatainfo.json", {
        "videos": [{"video_id": v, "split": "train"} for v in train], "sentences": sentences})
    message = error(tmp_path / "unknown")
    assert "train_val_videodatainfo.json field sentences[1].video_id" in message
    assert "'video77'" in message
    write_json(tmp_path / "unknown" / "train_val_videodatainfo.json", {
        "videos": [{"video_id": train[0], "split": "val"}], "sentences": []})
    message = error(tmp_path / "unknown")
    assert "field videos[0].split: expected one of train, validate, test, got 'val'" in message

    root = tmp_path / "csv"
    official_layout(str(root), folder, train, test)
    write_csv(root / "MSRVTT_train.9k.csv", ["video_id"], [[train[0]], ["video404"]])
    write_csv(root / "MSRVTT_JSFUSION_test.csv", ["video_id", "sentence"], [[test[0], "a"]])
    message = error(root, split="1k-A")
    assert "MSRVTT_train.9k.csv line 3 field video_id" in message and "'video404'" in message
    os.remove(root / "MSRVTT_JSFUSION_test.csv")
    assert "no MSRVTT_JSFUSION_test.csv" in error(root, split="1k-A")

    official_layout(str(tmp_path / "broken"), folder, [], test, corrupt=["video98"])
    message = error(tmp_path / "broken")
    assert "train split (official) is empty" in message and "got 0 of 1" in message
