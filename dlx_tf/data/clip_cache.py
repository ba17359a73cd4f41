"""A disk cache of decoded clips, so later epochs and runs do not decode video again.

Each clip is one `.npz` file under the cache folder, named by a hash of the clip's absolute
path, size and modification time and of every `ClipDecoding` field: a changed file or a
changed setting misses the cache and decodes afresh (stale entries stay until the folder is
deleted). Entries are written atomically, so a killed run never leaves a partial one.
"""

import dataclasses
import hashlib
import json
import os
import zipfile

import numpy as np

from dlx_tf.atomic_files import write_atomically
from dlx_tf.data import video_clips
from dlx_tf.errors import DataError

_FORMAT = 1  # bump when DecodedClip or the decoding changes meaning


class ClipCache:
    """Decodes clips through `video_clips.decode_clip`, keeping the results in `folder`.

    Args:
        folder: where the `.npz` entries live; created when missing.
        decoding: the `video_clips.ClipDecoding` every clip is decoded with.

    Example:
        cache = ClipCache("runs/cache/clips", ClipDecoding(size=224))
        clip = cache.load("MSRVTT/videos/all/video7.mp4")  # decodes; the next call reads
    """

    def __init__(self, folder, decoding):
        self.folder = folder
        self.decoding = decoding
        self.hits = 0
        self.misses = 0

    def load(self, path):
        """The `DecodedClip` of `path`, from the cache or decoded (and then cached); a clip
        that cannot be decoded raises `video_clips.decode_clip`'s `DataError`."""
        entry = self.entry_path(path)
        clip = _read(entry)
        if clip is not None:
            self.hits += 1
            return clip
        self.misses += 1
        clip = video_clips.decode_clip(path, self.decoding)
        os.makedirs(self.folder, exist_ok=True)
        write_atomically(entry, lambda temporary: _write(temporary, clip))
        return clip

    def entry_path(self, path):
        """The cache file of `path` under the current file and settings."""
        try:
            stat = os.stat(path)
        except OSError as error:
            raise DataError(f"{path}: cannot decode ({error.strerror})") from error
        key = json.dumps({"format": _FORMAT, "path": os.path.abspath(path), "bytes": stat.st_size,
                          "mtime_ns": stat.st_mtime_ns,
                          "decoding": dataclasses.asdict(self.decoding)}, sort_keys=True)
        name = os.path.splitext(os.path.basename(path))[0]
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return os.path.join(self.folder, f"{name}.{digest}.npz")


def _write(path, clip):
    with open(path, "wb") as file:
        np.savez(file, **{field.name: getattr(clip, field.name)
                          for field in dataclasses.fields(clip)})


def _read(path):
    """The cached `DecodedClip`, or None when there is none or it cannot be read."""
    try:
        with np.load(path) as entry:
            return video_clips.DecodedClip(
                frames=entry["frames"], distinct_frames=int(entry["distinct_frames"]),
                audio=entry["audio"], has_audio=bool(entry["has_audio"]),
                seconds=float(entry["seconds"]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # absent, or damaged
        return None
