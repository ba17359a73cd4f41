"""Reads a folder of genre sub-folders of WAV songs (`root/<genre>/*.wav`) into int16 PCM,
used by `genre_clips`.

The widely shared Kaggle copy of GTZAN nests the genres one level down
(`Data/genres_original/<genre>/<genre>.<nnnnn>.wav`), and one of its files,
`jazz.00054.wav`, is not a valid WAV. Songs that cannot be used (undecodable, another
sample rate, shorter than one segment) are skipped with a one-line warning on stderr and
recorded as `{"path", "reason"}`; a genre left with no usable song is a `DataError`.
"""

import os
import re
import sys

import numpy as np
import tensorflow as tf

from dlx_tf.errors import DataError

LAYOUT = "root/<genre>/*.wav, or root/<one folder>/<genre>/*.wav as in Kaggle's genres_original"
# Left out of discovery: hidden files and the resource-fork folder macOS adds to zip files.
_IGNORED_PREFIXES = (".", "__MACOSX")


def skip_song(skipped, path, reason):
    """Records a song that cannot be used in `skipped` and says so on stderr."""
    skipped.append({"path": path, "reason": reason})
    print(f"warning: skipped {path}: {reason}", file=sys.stderr)


def to_pcm16(waveform):
    """int16 PCM from float samples in [-1, 1] scaled by 32768, as `tf.audio.decode_wav`
    returns them (so a 16-bit file comes back exactly), rounded and clipped."""
    return np.clip(np.round(np.asarray(waveform, np.float64) * 32768), -32768, 32767).astype(
        np.int16)


def find_genre_root(root):
    """The folder whose sub-folders are the genres: `root` itself, or its only sub-folder
    that holds genre folders (Kaggle's `genres_original`)."""
    if not os.path.isdir(root):
        what = "not a folder" if os.path.exists(root) else "no such file or folder"
        raise DataError(f"{root}: {what} (expected a folder laid out as {LAYOUT})")
    if _genre_folders(root):
        return root
    nested = [path for path in _subfolders(root) if _genre_folders(path)]
    if len(nested) == 1:
        return nested[0]
    found = ", ".join(os.path.basename(path) for path in nested) or "none"
    raise DataError(f"{root}: no genre folders holding .wav files (expected {LAYOUT}; "
                    f"sub-folders holding genre folders: {found})")


def read_wav_folder(root, sample_rate, min_samples, skipped):
    """Every usable song under `root`, in genre then file-name order.

    Args:
        root: the folder given by the user; see `find_genre_root`.
        sample_rate: the rate every song must have (we do not resample).
        min_samples: songs with fewer samples (less than one segment) are skipped.
        skipped: a list that receives `{"path", "reason"}` for each skipped song.

    Returns:
        `(genre_root, genres, songs)`: the folder the genres were read from, the sorted
        genre names (index = label) and a list of `(song_id, label, int16 waveform)`.
    """
    genre_root = find_genre_root(root)
    genres = tuple(_genre_folders(genre_root))
    songs = []
    for label, genre in enumerate(genres):
        folder = os.path.join(genre_root, genre)
        names = _wav_files(folder)
        kept = 0
        for name in names:
            path = os.path.join(folder, name)
            waveform = _read_song(path, sample_rate, min_samples, skipped)
            if waveform is not None:
                songs.append((name[:-len(".wav")], label, waveform))
                kept += 1
        if not kept:
            first = skipped[-len(names)]
            raise DataError(f"{folder}: no usable song (expected at least 1, got 0: all "
                            f"{len(names)} .wav files skipped; first: {first['path']}: "
                            f"{first['reason']})")
    return genre_root, genres, songs


def _read_song(path, sample_rate, min_samples, skipped):
    """The song as int16 mono PCM, or None after recording why it was skipped."""
    try:
        audio, rate = tf.audio.decode_wav(tf.io.read_file(path))
    except tf.errors.OpError as error:
        skip_song(skipped, path, f"not a readable 16-bit PCM WAV ({_op_message(error)})")
        return None
    except UnicodeDecodeError:
        # TensorFlow quotes the bad header bytes in its message and then fails to decode it.
        skip_song(skipped, path, "not a readable 16-bit PCM WAV (garbled header)")
        return None
    rate = int(rate)
    if rate != sample_rate:
        skip_song(skipped, path, f"sample rate {rate} Hz, expected {sample_rate} Hz "
                                 "(songs are not resampled)")
        return None
    if audio.shape[0] < min_samples:
        skip_song(skipped, path, f"{audio.shape[0]} samples, shorter than one segment of "
                                 f"{min_samples}")
        return None
    # (samples, channels) -> (samples,): stereo files are averaged to mono.
    return to_pcm16(np.mean(audio.numpy(), axis=1))


def _op_message(error):
    """TensorFlow's error without the function-node prefix and the op suffix."""
    message = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", error.message)
    return re.sub(r"\s*\[Op:\w+\].*", "", message, flags=re.S).strip().splitlines()[0]


def _subfolders(root):
    return [os.path.join(root, name) for name in sorted(os.listdir(root))
            if not name.startswith(_IGNORED_PREFIXES) and os.path.isdir(os.path.join(root, name))]


def _genre_folders(root):
    return [os.path.basename(path) for path in _subfolders(root) if _wav_files(path)]


def _wav_files(folder):
    return [name for name in sorted(os.listdir(folder))
            if name.lower().endswith(".wav") and not name.startswith(_IGNORED_PREFIXES)
            and os.path.isfile(os.path.join(folder, name))]
