"""Plain text for a character-level language model: Jane Austen's novels from Project
Gutenberg (downloaded once, then read from a cache), the offline synthetic language, or
the user's own `.txt` files.

Train and validation are cut by sections (chapters and letters, or paragraph blocks when
a document has too few headings), never by random lines: a validation chapter shares no
sentence with train, so validation loss measures generalisation rather than recall.
Gutenberg's licence header and footer are stripped. Empty or undecodable files are
skipped, listed in `info["skipped"]` and reported on stderr; every other problem is a
`DataError`.
"""

import bisect
import codecs
import dataclasses
import http.client
import os
import re
import shutil
import sys
import tempfile
import urllib.request

from dlx_tf.errors import DataError, UsageError

# Project Gutenberg ebook numbers: the six novels plus Lady Susan and the juvenilia.
AUSTEN_NOVELS = {
    "Persuasion": 105,
    "Northanger Abbey": 121,
    "Mansfield Park": 141,
    "Emma": 158,
    "Lady Susan": 946,
    "Love and Freindship and Other Early Works": 1212,
    "Pride and Prejudice": 1342,
    "Sense and Sensibility": 161,
}
GUTENBERG_URL = "https://www.gutenberg.org/cache/epub/{id}/pg{id}.txt"
DEFAULT_CACHE_DIR = os.path.join("~", ".cache", "dlx_tf", "gutenberg")
ACCEPTED = ("'austen', 'synthetic', a folder of .txt files, a .txt file, or a comma-separated "
            "list of files")

_MARKER = r"^[ \t]*\*{3}[ \t]*%s OF TH(?:E|IS) PROJECT GUTENBERG (?:E-?BOOK|ETEXT)\b[^\n]*$"
_START = re.compile(_MARKER % "START", re.IGNORECASE | re.MULTILINE)
_END = re.compile(_MARKER % "END", re.IGNORECASE | re.MULTILINE)
# Older files repeat the title in a last line of prose just before the END marker.
_END_NOTE = re.compile(r"\n[ \t]*End of (?:the )?Project Gutenberg\b[^\n]*\s*\Z", re.IGNORECASE)
_HEADING = re.compile(r"^[ \t]*(?:CHAPTER|Chapter|LETTER|Letter)[ \t]+(?:[IVXLCDM]+|\d+)"
                      r"[ \t]*[.:;,)\]]*[ \t]*$", re.MULTILINE)
_PARAGRAPH_START = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


@dataclasses.dataclass(frozen=True)
class TextCorpus:
    """Train and validation text and `info` for the run record: source, synthetic,
    per-document character and section counts, totals and skipped files."""

    train: str
    validation: str
    info: dict


def load_text_corpus(source, *, validation_every=10, cache_dir=None, synthetic_options=None,
                     seed=0):
    """Loads `source` and cuts it into train and validation text.

    Args:
        source: `austen` (eight Project Gutenberg ebooks, cached in `cache_dir`),
            `synthetic` (`dlx_tf.data.synthetic.language`), a folder (its `*.txt` files,
            sorted, not recursive), a `.txt` file, or a comma-separated list of files.
        validation_every: every `validation_every`-th section of each document goes to
            validation (sections `validation_every - 1`, `2 * validation_every - 1`, ...).
        cache_dir: where `austen` keeps `pg<id>.txt`; default `~/.cache/dlx_tf/gutenberg`.
            Put the files there by hand to work offline.
        synthetic_options: keyword arguments of `synthetic_language_corpus` (not `seed`).
        seed: seeds the synthetic language; the other sources are deterministic.

    Example:
        corpus = load_text_corpus("austen", validation_every=10)
        len(corpus.train), corpus.info["documents"][0]["sections"]
    """
    if isinstance(validation_every, bool) or not isinstance(validation_every, int) or (
            validation_every < 2):
        raise UsageError(f"validation_every: expected an integer of at least 2, got "
                         f"{validation_every!r}")
    source = os.fspath(source)
    if source == "synthetic":
        return _synthetic(synthetic_options or {}, seed)
    skipped = []
    if source == "austen":
        name, documents = "austen", _austen(cache_dir)
    else:
        paths = _user_paths(source)
        name = ",".join(os.path.abspath(path) for path in paths)
        documents = []
        for path in paths:
            text = _read_document(path, skipped)
            if text is not None:
                documents.append((os.path.basename(path), path, text))
    if not documents:
        listed = "; ".join(f"{skip['path']}: {skip['reason']}" for skip in skipped)
        raise DataError(f"{source}: no usable text (expected non-empty UTF-8 files; skipped "
                        f"{listed})")
    trains, validations, records = [], [], []
    for title, path, text in documents:
        train, validation, sections, split_by = _split_document(text, validation_every)
        trains.append(train)
        validations.append(validation)
        records.append({"name": title, "path": path, "train_chars": len(train),
                        "validation_chars": len(validation), "sections": sections,
                        "split_by": split_by})
    train = "\n\n".join(part for part in trains if part)
    validation = "\n\n".join(part for part in validations if part)
    for split, text in (("train", train), ("validation", validation)):
        if not text:
            raise DataError(f"{source}: the {split} text is empty (documents too short to cut "
                            f"into {2 * validation_every} sections; got "
                            f"{[record['sections'] for record in records]})")
    info = {"source": name, "synthetic": False, "documents": records,
            "train_chars": len(train), "validation_chars": len(validation),
            "validation_every": validation_every, "skipped": skipped}
    if source == "austen":
        info["cache_dir"] = _cache_dir(cache_dir)
    return TextCorpus(train, validation, info)


def strip_gutenberg_boilerplate(text, name):
    """`text` with a BOM removed, newlines as `\\n` and, if it has Project Gutenberg
    markers, only what lies between the START and END marker lines."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    start, end = _START.search(text), _END.search(text)
    if start is None and end is None:
        return text
    if start is None:
        raise DataError(f"{name}: a '*** END OF THE PROJECT GUTENBERG EBOOK' line without a "
                        "START line before it (expected both markers or neither)")
    end = _END.search(text, start.end())
    if end is None:
        raise DataError(f"{name}: a '*** START OF THE PROJECT GUTENBERG EBOOK' line without an "
                        "END line after it (expected both markers or neither)")
    return _END_NOTE.sub("\n", text[start.end():end.start()]).strip("\n") + "\n"


def split_sections(text):
    """`text` cut before every chapter or letter heading line (`CHAPTER XLVII.`,
    `Letter 4`); `"".join(sections) == text`. Text before the first heading is the first
    section; headings with nothing but headings between them (a table of contents, a
    `CHAPTER I` right at the start) stay in one section."""
    boundaries = [0]
    for match in _HEADING.finditer(text):
        between = text[boundaries[-1]:match.start()]
        if _HEADING.sub("", between).strip():
            boundaries.append(match.start())
    return [text[a:b] for a, b in zip(boundaries, boundaries[1:] + [len(text)])]


def _split_document(text, validation_every):
    """`(train, validation, number of sections, how the sections were cut)`."""
    count = 2 * validation_every
    sections, split_by = split_sections(text), "headings"
    if len(sections) < count:
        sections, split_by = _paragraph_blocks(text, count), "paragraph blocks"
    held_out = validation_every - 1
    train = "".join(s for i, s in enumerate(sections) if i % validation_every != held_out)
    validation = "".join(sections[held_out::validation_every])
    return train.strip(), validation.strip(), len(sections), split_by


def _paragraph_blocks(text, count):
    """`text` cut into up to `count` blocks of about equal size at paragraph starts (after
    a blank line), or at line starts when there are too few paragraphs."""
    cuts = [match.end() for match in _PARAGRAPH_START.finditer(text) if match.end() < len(text)]
    if len(cuts) < count - 1:
        cuts = [match.end() for match in re.finditer("\n", text) if match.end() < len(text)]
    chosen = set()
    for k in range(1, count):
        target = len(text) * k / count
        i = bisect.bisect_left(cuts, target)
        nearest = [cuts[j] for j in (i - 1, i) if 0 <= j < len(cuts)]
        if nearest:
            chosen.add(min(nearest, key=lambda cut: abs(cut - target)))
    boundaries = [0, *sorted(chosen), len(text)]
    return [text[a:b] for a, b in zip(boundaries, boundaries[1:])]


def _synthetic(options, seed):
    from dlx_tf.data.synthetic.language import synthetic_language_corpus

    if "seed" in options:
        raise UsageError("synthetic_options: 'seed' is load_text_corpus's own argument")
    train, validation, details = synthetic_language_corpus(**options, seed=seed)
    document = {"name": "synthetic", "train_chars": len(train),
                "validation_chars": len(validation), "sections": None}
    info = {**details, "source": details.get("source", "synthetic"), "synthetic": True,
            "documents": [document], "train_chars": len(train),
            "validation_chars": len(validation), "skipped": []}
    return TextCorpus(train, validation, info)


def _cache_dir(cache_dir):
    return os.path.abspath(os.path.expanduser(cache_dir or DEFAULT_CACHE_DIR))


def _austen(cache_dir):
    folder = _cache_dir(cache_dir)
    documents = []
    for title, number in AUSTEN_NOVELS.items():
        path = os.path.join(folder, f"pg{number}.txt")
        if not os.path.isfile(path):
            _download(GUTENBERG_URL.format(id=number), path, title)
        text, problem = _decode(path)
        if problem:
            raise DataError(f"{path}: {title} is {problem}; delete it to download it again")
        _require_markers(text, f"{path} ({title})", "delete it to download it again")
        documents.append((title, path, strip_gutenberg_boilerplate(text, path)))
    return documents


def _download(url, path, title):
    """Fetches `url` into `path` through a temporary file in the same folder, so an
    interrupted download never leaves a partial `path`."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise DataError(f"cache_dir {folder}: cannot create it ({error})") from error
    print(f"downloading {title}: {url} -> {path}", file=sys.stderr)
    handle, partial = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part",
                                       dir=folder)
    os.close(handle)
    try:
        _fetch(url, partial)
        with open(partial, "rb") as file:
            _require_markers(file.read().decode("utf-8", "replace"), url,
                             f"for offline use, save the ebook as {path}")
        os.replace(partial, path)
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DataError(f"{url}: could not download {title} ({error}); for offline use, "
                        f"download it elsewhere and save it as {path}") from error
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _fetch(url, path):
    """Writes the bytes at `url` to `path`."""
    request = urllib.request.Request(url, headers={"User-Agent": "dlx_tf"})
    with urllib.request.urlopen(request, timeout=60) as response, open(path, "wb") as file:
        shutil.copyfileobj(response, file)


def _require_markers(text, where, advice):
    # A proxy's error page or a truncated file must not be cached and read as a novel.
    if not (_START.search(text) and _END.search(text)):
        raise DataError(f"{where}: not a complete Project Gutenberg text (expected '*** START "
                        f"OF THE PROJECT GUTENBERG EBOOK' and '*** END OF ...' lines, got "
                        f"{len(text)} characters starting {text[:40]!r}); {advice}")


def _user_paths(source):
    """The files `source` names, in order and without repeats."""
    whole = os.path.expanduser(source)
    items = [source] if os.path.exists(whole) else [
        item.strip() for item in source.split(",") if item.strip()]
    paths, missing = [], []
    for item in items:
        path = os.path.expanduser(item)
        if os.path.isdir(path):
            found = sorted(name for name in os.listdir(path) if name.lower().endswith(".txt")
                           and not name.startswith(".")
                           and os.path.isfile(os.path.join(path, name)))
            if not found:
                raise DataError(f"{path}: no .txt files in this folder (expected {ACCEPTED})")
            paths.extend(os.path.join(path, name) for name in found)
        elif os.path.isfile(path):
            paths.append(path)
        else:
            missing.append(item)
    if missing or not paths:
        raise DataError(f"{', '.join(missing) or repr(source)}: no such file or folder "
                        f"(expected {ACCEPTED})")
    unique = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def _read_document(path, skipped):
    """The document's text, or None (logged in `skipped`, warned on stderr)."""
    text, reason = _decode(path)
    if text is not None:
        text = strip_gutenberg_boilerplate(text, path)
        if text.strip():
            return text
        reason = "empty or whitespace-only text"
    skipped.append({"path": path, "reason": reason})
    print(f"warning: {path}: skipped ({reason})", file=sys.stderr)
    return None


def _decode(path):
    """`(text, None)`, or `(None, why not)` for bytes that are not UTF-8."""
    with open(path, "rb") as file:
        raw = file.read()
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8"), None
    except UnicodeDecodeError as error:
        offset = bom + error.start
        return None, f"not UTF-8 text (byte 0x{raw[offset]:02x} at byte offset {offset})"
