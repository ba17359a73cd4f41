"""Files and folders that are never seen half-written."""

import os
import shutil


def write_atomically(path, write):
    """Calls `write(temporary)` beside `path` and renames the result into place, so `path`
    is never a partial file or folder; an older one there (a rerun) is replaced."""
    folder, name = os.path.split(path)
    stem, suffix = os.path.splitext(name)  # Keras insists on the `.keras` suffix
    temporary = os.path.join(folder, f".{stem}.tmp{suffix}")
    _remove(temporary)  # left by a process killed while writing
    write(temporary)
    if not os.path.isdir(path):
        os.replace(temporary, path)
        return
    # A rename cannot replace a folder that holds files: the old one is moved aside first.
    old = os.path.join(folder, f".{stem}.old{suffix}")
    _remove(old)
    os.replace(path, old)
    os.replace(temporary, path)
    shutil.rmtree(old)


def _remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)
