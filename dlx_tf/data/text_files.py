"""Readers for labelled text on disk, used by `text_classification`: a `.csv` or `.jsonl`
table, or a folder of `.txt` files with one sub-folder per class.

Readers keep every text as written (no stripping, no lower-casing); texts that are empty
or cannot be decoded go to a `SkipLog` with the place they were found, never silently.
"""

import codecs
import csv
import io
import json
import os
import re
import sys

import numpy as np

from dlx_tf.errors import DataError

TABLE_EXTENSIONS = (".csv", ".jsonl")
FOLDER_LAYOUTS = "root/<class>/*.txt, or root/train/<class>/*.txt + root/test/<class>/*.txt"
_REASONS = {
    "empty_text": "examples with empty or whitespace-only text",
    "undecodable": "examples whose text is not valid UTF-8",
    "binary": "examples whose text holds NUL characters (binary, or UTF-16 without a BOM)",
    "not_txt": "files in class folders that are not .txt",
    "unused_class_folder": "files in class folders outside the class list",
}


class SkipLog:
    """Counts skipped examples per reason and remembers where the first of each was."""

    def __init__(self):
        self.counts = {"empty_text": 0, "undecodable": 0}
        self._first = {}

    def add(self, reason, where, count=1):
        self.counts[reason] = self.counts.get(reason, 0) + count
        self._first.setdefault(reason, where)

    def keep(self, text, where):
        """Whether `text` is usable; an empty, whitespace-only or binary one is logged."""
        if text is None or not text.strip():
            self.add("empty_text", where)
            return False
        if "\x00" in text:  # no text format uses NUL; UTF-16 read as UTF-8 is full of them
            self.add("binary", where)
            return False
        return True

    def warn(self, source):
        for reason, count in self.counts.items():
            if count:
                print(f"warning: {source}: skipped {count} ({reason}: {_REASONS[reason]}; "
                      f"first: {self._first[reason]})", file=sys.stderr)


def read_table(path, text_column, label_column, class_names, skips):
    """`(texts, labels int64, class_names)` from a `.csv` (header row) or `.jsonl` file
    whose labels are class names or integer indices."""
    with open(path, "rb") as file:
        raw = file.read()
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        content = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = bom + error.start
        raise DataError(f"{path}: not UTF-8 text (byte 0x{raw[offset]:02x} at byte offset "
                        f"{offset})") from error
    read = _csv_rows if path.lower().endswith(".csv") else _jsonl_rows
    texts, raw_labels, wheres = [], [], []
    for where, text, label in read(path, content, text_column, label_column):
        if label is None or (isinstance(label, str) and not label.strip()):
            raise DataError(f"{where}: empty label in column '{label_column}'")
        if skips.keep(text, where):
            texts.append(text)
            raw_labels.append(label.strip() if isinstance(label, str) else label)
            wheres.append(where)
    labels, names = _resolve_labels(raw_labels, wheres, class_names)
    return texts, labels, names


def _csv_rows(path, content, text_column, label_column):
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        _require_columns(path, reader.fieldnames or [], (text_column, label_column), "columns")
        for row in reader:
            # line_num is where the record ends: exact unless a quoted field spans lines.
            yield f"{path} line {reader.line_num}", row[text_column], row[label_column]
    except csv.Error as error:
        raise DataError(f"{path} line {reader.line_num}: malformed CSV ({error})") from error


def _jsonl_rows(path, content, text_column, label_column):
    # Not splitlines(): JSON strings may hold a raw U+2028, which it would split on.
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{where}: malformed JSON ({error.msg} at column {error.colno})"
                            ) from error
        if not isinstance(record, dict):
            raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
        _require_columns(where, list(record), (text_column, label_column), "keys")
        text, label = record[text_column], record[label_column]
        if text is not None and not isinstance(text, str):
            raise DataError(f"{where} field '{text_column}': expected a string, got "
                            f"{type(text).__name__} {text!r}")
        if label is not None and (isinstance(label, bool) or not isinstance(label, (str, int))):
            raise DataError(f"{where} field '{label_column}': expected a class name or an "
                            f"integer index, got {type(label).__name__} {label!r}")
        yield where, text, label


def _require_columns(where, found, wanted, kind):
    for column in wanted:
        if column not in found:
            raise DataError(f"{where}: missing column '{column}' ({kind} found: "
                            f"{', '.join(map(repr, found)) or 'none'})")


def _resolve_labels(raw, wheres, class_names):
    """Class names are matched first, then integer indices; without `class_names` the
    classes are 0..max when every label is an integer, else the sorted distinct names."""
    indices = [_as_index(label) for label in raw]
    if class_names is not None:
        names = list(class_names)
        lookup = {name: i for i, name in enumerate(names)}
        labels = []
        for label, index, where in zip(raw, indices, wheres):
            if isinstance(label, str) and label in lookup:
                labels.append(lookup[label])
            elif index is not None and 0 <= index < len(names):
                labels.append(index)
            else:
                raise DataError(f"{where}: label {label!r} is not a class (allowed: "
                                f"{', '.join(names)}, or an index 0-{len(names) - 1})")
    elif raw and None not in indices:
        for index, where in zip(indices, wheres):
            if index < 0:
                raise DataError(f"{where}: label {index} is negative (expected class names "
                                "or indices from 0)")
        top = max(indices)
        missing = sorted(set(range(top + 1)) - set(indices))
        if missing:
            shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
            raise DataError(f"{wheres[indices.index(top)]}: label {top} makes classes "
                            f"0-{top}, but {len(missing)} of them have no example ({shown}): "
                            "fix the label or give the class names")
        labels, names = indices, [str(i) for i in range(top + 1)]
    else:
        names = sorted({str(label) for label in raw})
        lookup = {name: i for i, name in enumerate(names)}
        labels = [lookup[str(label)] for label in raw]
    return np.array(labels, np.int64), names


def _as_index(label):
    if isinstance(label, int):
        return label
    return int(label) if re.fullmatch(r"-?\d+", label) else None


def read_folder(root, class_names, skips):
    """`({split: (texts, labels int64)}, class_names)` from `root/<class>/*.txt` (split
    "train") or `root/{train,test}/<class>/*.txt` with an optional `root/validation/`."""
    subfolders = _subfolders(root)
    if {"train", "test"} <= set(subfolders):
        layout = {split: os.path.join(root, split) for split in ("train", "validation", "test")
                  if split in subfolders}
    else:
        layout = {"train": root}
    classes = {split: _subfolders(folder) for split, folder in layout.items()}
    if class_names is None:
        # Classes in train and test both: aclImdb's train/unsup/ holds unlabelled reviews.
        names = sorted(set(classes["train"]).intersection(*classes.values()))
    else:
        names = list(class_names)
        for split, folder in layout.items():
            missing = [name for name in names if name not in classes[split]]
            if missing:
                raise DataError(f"{folder}: no folder for class {', '.join(missing)} (class "
                                f"folders found: {', '.join(classes[split]) or 'none'})")
    if not names:
        raise DataError(f"{root}: no class folders (expected {FOLDER_LAYOUTS})")
    splits = {}
    for split, folder in layout.items():
        texts, labels = [], []
        for name in classes[split]:
            files = _files(os.path.join(folder, name), skips)
            if name not in names:
                skips.add("unused_class_folder", os.path.join(folder, name), len(files))
                continue
            for path in files:
                text = _read_text(path, skips)
                if text is not None and skips.keep(text, path):
                    texts.append(text)
                    labels.append(names.index(name))
        for index, name in enumerate(names):
            if index not in labels:  # it would be a class without examples, silently
                raise DataError(f"{os.path.join(folder, name)}: class folder holds no usable "
                                ".txt file")
        splits[split] = (texts, np.array(labels, np.int64))
    return splits, names


def _subfolders(folder):
    return sorted(name for name in os.listdir(folder)
                  if not name.startswith(".") and os.path.isdir(os.path.join(folder, name)))


def _files(folder, skips):
    """Sorted `.txt` paths in `folder`; other files are logged, hidden ones ignored."""
    paths = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        if name.lower().endswith(".txt"):
            paths.append(path)
        else:
            skips.add("not_txt", path)
    return paths


def _read_text(path, skips):
    with open(path, "rb") as file:
        raw = file.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        skips.add("undecodable", path)
        return None
