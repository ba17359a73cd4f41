import os

import pytest

from dlx_tf.data import text_corpus
from dlx_tf.data.text_corpus import (
    AUSTEN_NOVELS,
    load_text_corpus,
    split_sections,
    strip_gutenberg_boilerplate,
)
from dlx_tf.errors import DataError, UsageError


def roman(number):
    digits = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in digits:
        while number >= value:
            out, number = out + letters, number - value
    return out


def chapter_text(book, k):
    return f"Sentence {k} of {book} runs on.\nIt has a second line.\n\nAnd a paragraph {k}."


def novel(book, chapters, heading="CHAPTER {}"):
    """Front matter, then `chapters` chapters whose text names the book and chapter."""
    parts = [f"{book.upper()}\n\nBY A LADY\n\n\n"]
    for k in range(1, chapters + 1):
        parts.append(f"{heading.format(roman(k))}\n\n{chapter_text(book, k)}\n\n\n")
    return "".join(parts)


def gutenberg(title, body, start="*** START OF THE PROJECT GUTENBERG EBOOK {} ***",
              end="*** END OF THE PROJECT GUTENBERG EBOOK {} ***"):
    """`body` wrapped as a Project Gutenberg file: BOM, CRLF, header and licence."""
    text = (f"The Project Gutenberg eBook of {title}\n\nThis ebook is for the use of anyone.\n\n"
            f"{start.format(title.upper())}\n{body}\n{end.format(title.upper())}\n\n"
            "Section 1. General Terms of Use of Project Gutenberg-tm electronic works\n")
    return "\ufeff" + text.replace("\n", "\r\n")


def write(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, contents in files.items():
        if isinstance(contents, bytes):
            (folder / name).write_bytes(contents)
        else:
            (folder / name).write_text(contents, encoding="utf-8", newline="")
    return folder


@pytest.mark.parametrize("start, end", [
    ("*** START OF THE PROJECT GUTENBERG EBOOK {} ***", "*** END OF THE {}"),
    ("*** START OF THIS PROJECT GUTENBERG EBOOK {} ***", "*** END OF THIS {}"),
    ("***START OF THE PROJECT GUTENBERG EBOOK {}***", "*** end of the {} ***"),
    ("*** START OF THIS PROJECT GUTENBERG ETEXT {} ***", "*** END OF THIS {}"),
])
def test_boilerplate_is_stripped_for_old_and_new_markers(start, end):
    end = end.replace("{}", "PROJECT GUTENBERG EBOOK {}")
    body = "EMMA\n\nCHAPTER I\n\nEmma Woodhouse, handsome, clever, and rich.\n"
    text = strip_gutenberg_boilerplate(gutenberg("Emma", body, start, end), "pg158.txt")
    assert text == body
    body_with_note = body + "\nEnd of the Project Gutenberg EBook of Emma, by Jane Austen\n"
    assert strip_gutenberg_boilerplate(gutenberg("Emma", body_with_note), "pg158.txt") == body


def test_text_without_markers_is_kept_with_newlines_normalised():
    assert strip_gutenberg_boilerplate("\ufeffMy own\r\nnovel.\rEnd.\n", "mine.txt") == (
        "My own\nnovel.\nEnd.\n")


@pytest.mark.parametrize("keep, match", [("START", "START .* without an END"),
                                         ("END", "END .* without a START")])
def test_a_lone_marker_is_an_error_naming_the_document(keep, match):
    lines = [line for line in gutenberg("Emma", "Text.").split("\r\n")
             if keep in line or "OF THE PROJECT" not in line]
    with pytest.raises(DataError, match=f"emma.txt: .*{match}"):
        strip_gutenberg_boilerplate("\n".join(lines), "emma.txt")


def test_sections_are_cut_at_chapter_and_letter_heading_lines():
    text = ("TITLE\n\nCONTENTS\n\nCHAPTER I\nCHAPTER II\n\n\n"
            "CHAPTER I\n\nChapter I was short.\n\n"
            "  Chapter 12  \n\nThe CHAPTER 3 in prose.\n"
            "CHAPTER XLVII.\nText.\n"
            "LETTER IV\nDear sir.\n"
            "Letter 5:\nMadam.\n")
    sections = split_sections(text)
    assert "".join(sections) == text
    assert [section.split("\n")[0] for section in sections] == [
        "TITLE", "CHAPTER I", "  Chapter 12  ", "CHAPTER XLVII.", "LETTER IV", "Letter 5:"]
    # Headings with nothing but headings between them (the contents, then the first
    # chapter's own heading) open one section, not a run of empty ones.
    assert sections[:2] == ["TITLE\n\nCONTENTS\n\n",
                            "CHAPTER I\nCHAPTER II\n\n\nCHAPTER I\n\nChapter I was short.\n\n"]
    assert split_sections("CHAPTER 1\nText.\nCHAPTER 2\nMore.\n") == [
        "CHAPTER 1\nText.\n", "CHAPTER 2\nMore.\n"]


def test_folder_splits_every_tenth_chapter_of_each_novel_into_validation(tmp_path):
    folder = write(tmp_path / "books", {
        "b_second.txt": novel("Second", 25, heading="Chapter {}"),
        "a_first.txt": gutenberg("First", novel("First", 21)),
        "notes.md": "not a document",
    })
    corpus = load_text_corpus(str(folder))
    for book, chapters in (("First", 21), ("Second", 25)):
        for k in range(1, chapters + 1):
            held_out = k % 10 == 9  # section 0 is the title page, section k chapter k
            assert (chapter_text(book, k) in corpus.validation) == held_out
            assert (chapter_text(book, k) in corpus.train) == (not held_out)
    assert corpus.train.startswith("FIRST\n\nBY A LADY") and "Gutenberg" not in corpus.train
    assert corpus.validation.startswith("CHAPTER IX\n\n") and "\n\nChapter IX\n" in (
        corpus.validation)
    documents = corpus.info["documents"]
    assert [(d["name"], d["sections"], d["split_by"]) for d in documents] == [
        ("a_first.txt", 22, "headings"), ("b_second.txt", 26, "headings")]
    assert sum(d["train_chars"] for d in documents) + 2 == len(corpus.train)
    assert sum(d["validation_chars"] for d in documents) + 2 == len(corpus.validation)
    assert corpus.info["train_chars"] == len(corpus.train)
    assert corpus.info["validation_chars"] == len(corpus.validation)
    assert corpus.info["synthetic"] is False and corpus.info["skipped"] == []


def test_too_few_headings_fall_back_to_paragraph_blocks(tmp_path):
    paragraphs = [f"Paragraph {i} says something.\nOver two lines {i}." for i in range(60)]
    path = write(tmp_path, {"plain.txt": "\n\n".join(paragraphs) + "\n"}) / "plain.txt"
    corpus = load_text_corpus(str(path), validation_every=5)
    assert corpus.info["documents"][0]["sections"] == 10
    assert corpus.info["documents"][0]["split_by"] == "paragraph blocks"
    held_out = [p for p in paragraphs if p in corpus.validation]
    assert [p for p in paragraphs if p in corpus.train] == [
        p for p in paragraphs if p not in held_out]
    # Blocks 4 and 9 of 10 about equal blocks: the 5th and the last tenth of the text.
    assert 10 <= len(held_out) <= 14 and paragraphs[0] not in held_out
    assert {26, 56, 59} <= {paragraphs.index(p) for p in held_out}
    assert not {20, 33, 50} & {paragraphs.index(p) for p in held_out}


def test_comma_separated_files_and_single_files(tmp_path):
    write(tmp_path, {"x.txt": novel("X", 20), "y.txt": novel("Y", 20)})
    x, y = str(tmp_path / "x.txt"), str(tmp_path / "y.txt")
    listed = load_text_corpus(f"{y}, {x},{y}")  # spaces allowed, repeats dropped
    assert [d["name"] for d in listed.info["documents"]] == ["y.txt", "x.txt"]
    alone = [load_text_corpus(path) for path in (tmp_path / "y.txt", x)]
    assert listed.train == "\n\n".join(corpus.train for corpus in alone)
    assert listed.validation == "\n\n".join(corpus.validation for corpus in alone)
    assert alone[1].info["source"] == x and listed.info["source"] == f"{y},{x}"


def test_empty_and_undecodable_files_are_skipped_with_a_warning(tmp_path, capsys):
    folder = write(tmp_path, {"bad.txt": b"caf\xe9 au lait", "blank.txt": " \n\n",
                              "good.txt": novel("Good", 20)})
    corpus = load_text_corpus(str(folder))
    assert corpus.info["skipped"] == [
        {"path": str(folder / "bad.txt"), "reason": "not UTF-8 text (byte 0xe9 at byte offset 3)"},
        {"path": str(folder / "blank.txt"), "reason": "empty or whitespace-only text"}]
    warnings = capsys.readouterr().err
    assert f"{folder / 'bad.txt'}: skipped" in warnings and "blank.txt: skipped" in warnings
    assert [d["name"] for d in corpus.info["documents"]] == ["good.txt"]
    (folder / "good.txt").unlink()
    with pytest.raises(DataError, match="no usable text.*bad.txt.*blank.txt"):
        load_text_corpus(str(folder))


def test_missing_paths_and_empty_folders_are_errors(tmp_path):
    write(tmp_path / "empty", {"readme.md": "no text files"})
    write(tmp_path, {"x.txt": novel("X", 20)})
    with pytest.raises(DataError, match="nope.txt, gone.txt: no such file or folder"):
        load_text_corpus(f"{tmp_path / 'x.txt'},nope.txt,gone.txt")
    with pytest.raises(DataError, match="austin: no such file.*'austen'"):
        load_text_corpus("austin")
    with pytest.raises(DataError, match="empty: no .txt files"):
        load_text_corpus(str(tmp_path / "empty"))
    with pytest.raises(DataError, match="validation text is empty"):
        load_text_corpus(str(write(tmp_path / "tiny", {"t.txt": "One line."})))


@pytest.mark.parametrize("every", [1, 0, 2.5, True])
def test_validation_every_must_be_an_integer_of_at_least_two(every):
    with pytest.raises(UsageError, match="validation_every"):
        load_text_corpus("austen", validation_every=every)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local stand-in for gutenberg.org reached through file:// URLs."""
    folder = write(tmp_path / "mirror", {
        f"pg{number}.txt": gutenberg(title, novel(title, 5)) for title, number in
        AUSTEN_NOVELS.items()})
    monkeypatch.setattr(text_corpus, "GUTENBERG_URL", folder.as_uri() + "/pg{id}.txt")
    return folder


def test_austen_downloads_each_novel_once_into_the_cache(tmp_path, mirror, monkeypatch):
    assert len(set(AUSTEN_NOVELS.values())) == 8 and AUSTEN_NOVELS["Pride and Prejudice"] == 1342
    cache = tmp_path / "cache"
    corpus = load_text_corpus("austen", validation_every=2, cache_dir=str(cache))
    assert sorted(os.listdir(cache)) == sorted(f"pg{n}.txt" for n in AUSTEN_NOVELS.values())
    assert [d["name"] for d in corpus.info["documents"]] == list(AUSTEN_NOVELS)
    assert corpus.info["source"] == "austen" and corpus.info["cache_dir"] == str(cache)
    assert "Gutenberg" not in corpus.train + corpus.validation
    # Title page and 5 chapters: sections 1, 3 and 5 (chapters I, III, V) are held out.
    assert chapter_text("Emma", 3) in corpus.validation and chapter_text("Emma", 4) in corpus.train

    def offline(url, path):
        raise AssertionError(f"fetched {url} again")

    monkeypatch.setattr(text_corpus, "_fetch", offline)
    again = load_text_corpus("austen", validation_every=2, cache_dir=str(cache))
    assert (again.train, again.validation) == (corpus.train, corpus.validation)


def test_an_interrupted_download_leaves_nothing_in_the_cache(tmp_path, mirror, monkeypatch):
    def interrupted(url, path):
        with open(path, "wb") as file:
            file.write(b"*** START OF THE PROJECT GUTENBERG EBOOK PERSUASION ***\nChap")
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(text_corpus, "_fetch", interrupted)
    cache = tmp_path / "cache"
    url = text_corpus.GUTENBERG_URL.format(id=105)
    with pytest.raises(DataError, match=f"{url}: could not download Persuasion .*connection "
                                        f"reset.*save it as {cache / 'pg105.txt'}"):
        load_text_corpus("austen", cache_dir=str(cache))
    assert os.listdir(cache) == []


def test_a_page_that_is_not_a_gutenberg_text_is_not_cached(tmp_path, mirror):
    (mirror / "pg121.txt").write_text("<html>Please log in to the wifi</html>")
    cache = tmp_path / "cache"
    with pytest.raises(DataError, match="pg121.txt: not a complete Project Gutenberg text"):
        load_text_corpus("austen", cache_dir=str(cache))
    assert "pg121.txt" not in os.listdir(cache) and "pg105.txt" in os.listdir(cache)
    (cache / "pg121.txt").write_text("a file put there by hand, but the wrong one")
    with pytest.raises(DataError, match="pg121.txt .Northanger Abbey.*delete it"):
        load_text_corpus("austen", cache_dir=str(cache))


def test_synthetic_source_passes_options_and_seed():
    pytest.importorskip("dlx_tf.data.synthetic.language")
    options = {"train_chars": 3000, "validation_chars": 600, "num_words": 12}
    corpus = load_text_corpus("synthetic", synthetic_options=options, seed=3)
    assert len(corpus.train) >= 3000 and len(corpus.validation) >= 600
    assert corpus.info["synthetic"] is True and corpus.info["source"] == "synthetic"
    assert corpus.info["entropy_rate_nats_per_char"] > 0
    assert corpus.info["train_chars"] == len(corpus.train) and corpus.info["skipped"] == []
    assert load_text_corpus("synthetic", synthetic_options=options, seed=3) == corpus
    assert load_text_corpus("synthetic", synthetic_options=options, seed=4).train != corpus.train
    with pytest.raises(UsageError, match="seed"):
        load_text_corpus("synthetic", synthetic_options={"seed": 1})
