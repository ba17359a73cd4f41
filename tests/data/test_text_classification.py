import csv
import json

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from dlx_tf.data.text_classification import load_text_classification
from dlx_tf.errors import DataError, UsageError

MOCK_EXAMPLES = 20


def write_csv(path, rows, header=("text", "label")):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return str(path)


def write_tree(root, files):
    """`files`: {relative path: str or bytes contents}."""
    for name, contents in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(contents, bytes):
            path.write_bytes(contents)
        else:
            path.write_text(contents, encoding="utf-8")
    return str(root)


def distinct_rows(n, labels=("neg", "pos")):
    return [(f"document {i} about {labels[i % len(labels)]}", labels[i % len(labels)])
            for i in range(n)]


def all_splits(data):
    return [data.train, data.validation, data.test]


def pairs(data):
    """{text: class name} over every split."""
    names = data.info["class_names"]
    return {text: names[label] for split in all_splits(data)
            for text, label in zip(split.texts, split.labels)}


def assert_well_typed(data):
    for split in all_splits(data):
        assert split.texts.dtype == object and split.labels.dtype == np.int64
        assert split.texts.shape == split.labels.shape == (len(split),)
        assert all(type(text) is str for text in split.texts)
        assert 0 <= split.labels.min() and split.labels.max() < data.info["num_classes"]


@pytest.fixture(scope="module")
def mock_tfds():
    """ag_news_subset and imdb_reviews loaded once under mock tfds, with the raw mock
    examples they came from (train and test serve the same examples under mock)."""
    with tfds.testing.mock_data(num_examples=MOCK_EXAMPLES):
        loads = {name: load_text_classification(name, seed=2)
                 for name in ("ag_news_subset", "tfds:imdb_reviews")}
        raw = {name: list(tfds.as_numpy(tfds.load(name, split="train")))
               for name in ("ag_news_subset", "imdb_reviews")}
    return loads, raw


def test_csv_with_string_labels_splits_by_fractions_and_keeps_text_label_pairs(tmp_path):
    rows = distinct_rows(40)
    data = load_text_classification(write_csv(tmp_path / "reviews.csv", rows), seed=1)
    assert_well_typed(data)
    assert data.info == {
        "source": str(tmp_path / "reviews.csv"), "synthetic": False,
        "class_names": ["neg", "pos"], "num_classes": 2, "train_examples": 32,
        "validation_examples": 4, "test_examples": 4,
        "held_out_from_train": ["test", "validation"], "max_train_examples": None, "seed": 1,
        "skipped": {"empty_text": 0, "undecodable": 0}, "text_features": ["text"],
    }
    assert pairs(data) == dict(rows)


def test_csv_integer_labels_are_indices_with_or_without_class_names(tmp_path):
    rows = [(f"text {i}", i % 3) for i in range(30)]
    path = write_csv(tmp_path / "topics.csv", rows)
    data = load_text_classification(path)
    assert data.info["class_names"] == ["0", "1", "2"]
    assert pairs(data) == {text: str(label) for text, label in rows}
    named = load_text_classification(path, class_names=("sports", "world", "tech"))
    assert named.info["class_names"] == ["sports", "world", "tech"]
    assert pairs(named) == {text: ("sports", "world", "tech")[label] for text, label in rows}


def test_jsonl_with_string_int_and_named_labels_and_custom_columns(tmp_path):
    records = [{"body": f"item {i}", "y": ["spam", "ham"][i % 2], "id": i} for i in range(20)]
    data = load_text_classification(write_jsonl(tmp_path / "mail.jsonl", records),
                                    text_column="body", label_column="y")
    assert data.info["class_names"] == ["ham", "spam"]
    assert data.info["text_features"] == ["body"]
    assert pairs(data) == {r["body"]: r["y"] for r in records}

    records = [{"text": f"item {i}", "label": i % 2} for i in range(20)]
    path = write_jsonl(tmp_path / "ints.jsonl", records)
    assert load_text_classification(path).info["class_names"] == ["0", "1"]
    named = load_text_classification(path, class_names=["ham", "spam"])
    assert pairs(named) == {r["text"]: ["ham", "spam"][r["label"]] for r in records}


def test_class_per_folder_tree_uses_sorted_folder_names(tmp_path):
    files = {f"{name}/{i}.txt": f"{name} story {i}\n" for name in ("world", "sports", "arts")
             for i in range(10)}
    data = load_text_classification(write_tree(tmp_path / "news", files), seed=5)
    assert_well_typed(data)
    assert data.info["class_names"] == ["arts", "sports", "world"]
    assert [len(split) for split in all_splits(data)] == [24, 3, 3]
    assert pairs(data) == {text: path.split("/")[0] for path, text in files.items()}


def test_train_test_tree_carves_validation_and_skips_unlabelled_folders(tmp_path, capsys):
    files = {f"{split}/{name}/{i}_{split}.txt": f"{split} {name} review {i}"
             for split, count in (("train", 20), ("test", 5)) for name in ("neg", "pos")
             for i in range(count)}
    files.update({f"train/unsup/{i}.txt": f"unlabelled {i}" for i in range(7)})
    files["train/urls_pos.txt"] = "not a class folder: ignored"
    files["train/pos/notes.md"] = "not a .txt file"
    root = write_tree(tmp_path / "aclImdb", files)
    data = load_text_classification(root, validation_fraction=0.25)
    assert data.info["class_names"] == ["neg", "pos"]
    assert data.info["held_out_from_train"] == ["validation"]
    assert [len(split) for split in all_splits(data)] == [30, 10, 10]
    assert all(text.startswith("test ") for text in data.test.texts)
    assert all(text.startswith("train ") for text in data.validation.texts)
    assert data.info["skipped"] == {"empty_text": 0, "undecodable": 0, "not_txt": 1,
                                    "unused_class_folder": 7}
    err = capsys.readouterr().err
    assert (f"warning: {root}: skipped 7 (unused_class_folder: files in class folders outside "
            f"the class list; first: {root}/train/unsup)") in err
    assert (f"warning: {root}: skipped 1 (not_txt: files in class folders that are not .txt; "
            f"first: {root}/train/pos/notes.md)") in err


def test_empty_texts_are_skipped_counted_and_reported(tmp_path, capsys):
    rows = distinct_rows(20)
    rows[1] = ("", "pos")
    rows[6] = ("  \t ", "neg")
    path = write_csv(tmp_path / "gaps.csv", rows)
    data = load_text_classification(path)
    assert data.info["skipped"] == {"empty_text": 2, "undecodable": 0}
    assert sum(len(split) for split in all_splits(data)) == 18
    assert (f"warning: {path}: skipped 2 (empty_text: examples with empty or whitespace-only "
            f"text; first: {path} line 3)") in capsys.readouterr().err


def test_undecodable_txt_files_are_skipped_counted_and_reported(tmp_path, capsys):
    files = {f"{name}/{i}.txt": f"{name} {i}" for name in ("a", "b") for i in range(6)}
    files["b/bad.txt"] = b"caf\xe9 latin-1"
    files["a/blank.txt"] = "\n"
    root = write_tree(tmp_path / "mixed", files)
    data = load_text_classification(root)
    assert data.info["skipped"] == {"empty_text": 1, "undecodable": 1}
    assert sum(len(split) for split in all_splits(data)) == 12
    err = capsys.readouterr().err
    assert (f"warning: {root}: skipped 1 (undecodable: examples whose text is not valid UTF-8; "
            f"first: {root}/b/bad.txt)") in err
    assert f"skipped 1 (empty_text: examples with empty or whitespace-only text; first: " \
           f"{root}/a/blank.txt)" in err


@pytest.mark.parametrize("name", ["latin1.csv", "latin1.jsonl"])
def test_table_that_is_not_utf8_is_an_error_with_the_byte_offset(tmp_path, name):
    path = tmp_path / name
    line = b'{"text": "caf\xe9", "label": "a"}\n' if name.endswith("jsonl") else b"caf\xe9,a\n"
    header = b"" if name.endswith("jsonl") else b"text,label\n"
    path.write_bytes(header + b"fine" + (b"," if header else b"") + line)
    offset = len(header) + 4 + (1 if header else 0) + line.index(b"\xe9")
    with pytest.raises(DataError, match=rf"{path}: not UTF-8 text \(byte 0xe9 at byte offset "
                                        rf"{offset}\)"):
        load_text_classification(str(path))


def test_label_outside_the_class_list_is_an_error_naming_line_label_and_allowed(tmp_path):
    rows = distinct_rows(6) + [("odd one", "neutral")]
    path = write_csv(tmp_path / "three.csv", rows)
    with pytest.raises(DataError, match=rf"{path} line 8: label 'neutral' is not a class "
                                        r"\(allowed: neg, pos, or an index 0-1\)"):
        load_text_classification(path, class_names=["neg", "pos"])
    path = write_jsonl(tmp_path / "index.jsonl", [{"text": "x", "label": 0},
                                                  {"text": "y", "label": 2}])
    with pytest.raises(DataError, match=rf"{path} line 2: label 2 is not a class"):
        load_text_classification(path, class_names=["neg", "pos"])
    path = write_jsonl(tmp_path / "negative.jsonl", [{"text": "x", "label": -1}])
    with pytest.raises(DataError, match=rf"{path} line 1: label -1 is negative"):
        load_text_classification(path)


def test_missing_columns_and_empty_labels_are_errors(tmp_path):
    path = write_csv(tmp_path / "cols.csv", [("a", "neg")], header=("body", "label"))
    with pytest.raises(DataError, match=rf"{path}: missing column 'text' \(columns found: "
                                        r"'body', 'label'\)"):
        load_text_classification(path)
    path = write_jsonl(tmp_path / "keys.jsonl", [{"text": "a", "label": "x"}, {"text": "b"}])
    with pytest.raises(DataError, match=rf"{path} line 2: missing column 'label' \(keys found: "
                                        r"'text'\)"):
        load_text_classification(path)
    path = write_csv(tmp_path / "blank_label.csv", [("a", "neg"), ("b", " ")])
    with pytest.raises(DataError, match=rf"{path} line 3: empty label in column 'label'"):
        load_text_classification(path)


@pytest.mark.parametrize("line, problem", [
    ('{"text": "a", "label": ', r"malformed JSON \(Expecting value at column 24\)"),
    ('["a", "b"]', "expected a JSON object, got list"),
    ('{"text": 3, "label": "a"}', "field 'text': expected a string, got int 3"),
    ('{"text": "a", "label": 1.5}', "field 'label': expected a class name or an integer "
                                     "index, got float 1.5"),
])
def test_malformed_jsonl_lines_are_errors_naming_the_line(tmp_path, line, problem):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "fine", "label": "a"}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path} line 3:? {problem}"):
        load_text_classification(str(path))


def test_unknown_sources_and_file_types_are_errors_listing_what_is_accepted(tmp_path):
    accepted = (r"\(expected 'synthetic', a \.csv or \.jsonl file, a folder \(root/<class>/"
                r"\*\.txt, or root/train/<class>/\*\.txt \+ root/test/<class>/\*\.txt\), or a "
                r"tfds text classification dataset \(ag_news_subset, imdb_reviews, "
                r"tfds:<name>\)\)")
    with pytest.raises(DataError, match=r"--data no_such_corpus: no tfds dataset of that name; "
                                        r"--data also accepts 'synthetic', a \.csv or \.jsonl "
                                        r"file, a folder \(root/<class>/"):
        load_text_classification("no_such_corpus")
    with pytest.raises(DataError, match=r"missing\.csv: no such file " + accepted):
        load_text_classification(str(tmp_path / "missing.csv"))
    (tmp_path / "notes.txt").write_text("a\n")
    with pytest.raises(DataError, match=r"notes\.txt: unsupported file type " + accepted):
        load_text_classification(str(tmp_path / "notes.txt"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"empty: no class folders \(expected root/<class>"):
        load_text_classification(str(tmp_path / "empty"))


def test_tfds_dataset_without_a_text_feature_is_an_error_naming_the_features():
    with pytest.raises(DataError, match=r"tfds:mnist: no usable text feature \(expected .*; "
                                        r"found image \(Image\), label \(ClassLabel\)\)"):
        load_text_classification("tfds:mnist")


def test_empty_splits_and_single_class_train_are_errors(tmp_path):
    path = write_csv(tmp_path / "two.csv", distinct_rows(2))
    with pytest.raises(DataError, match=rf"{path}: the train split is empty \(expected "
                                        r"examples in every split, got train 0, validation 1, "
                                        r"test 1; skipped \{'empty_text': 0"):
        load_text_classification(path)
    path = write_csv(tmp_path / "one_class.csv", distinct_rows(20, labels=("pos",)))
    with pytest.raises(DataError, match=rf"{path}: train holds 1 class \(pos\); expected at "
                                        "least 2"):
        load_text_classification(path)
    path = write_csv(tmp_path / "all_blank.csv", [(" ", "pos")] * 5)
    with pytest.raises(DataError, match=r"skipped \{'empty_text': 5, 'undecodable': 0\}"):
        load_text_classification(path)


@pytest.mark.parametrize("kwargs, message", [
    ({"validation_fraction": 0}, r"validation_fraction: expected a fraction in \(0, 1\), got 0"),
    ({"test_fraction": 0.5, "validation_fraction": 0.5}, r"expected less than 1, got 0.5 \+ 0.5"),
    ({"max_train_examples": 0}, "max_train_examples: expected None or at least 1, got 0"),
    ({"class_names": ["a", "a"]}, r"class_names: expected 2 or more distinct non-empty "
                                  r"strings, got \['a', 'a'\]"),
    ({"class_names": "ab"}, "class_names: expected 2 or more distinct non-empty strings"),
])
def test_bad_arguments_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError, match=message):
        load_text_classification("synthetic", **kwargs)


def test_same_seed_same_disjoint_splits_other_seed_other_splits(tmp_path):
    rows = distinct_rows(100)
    path = write_csv(tmp_path / "seeded.csv", rows)
    first, again, other = (load_text_classification(path, seed=s) for s in (3, 3, 4))
    for a, b in zip(all_splits(first), all_splits(again)):
        np.testing.assert_array_equal(a.texts, b.texts)
        np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(first.test.texts, other.test.texts)
    sets = [set(split.texts) for split in all_splits(first)]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert set.union(*sets) == {text for text, _ in rows}
    # Shuffled, not in file order.
    assert list(first.train.texts) != sorted(first.train.texts, key=lambda t: int(t.split()[1]))


def test_max_train_examples_is_a_seeded_subsample_of_train(tmp_path):
    path = write_csv(tmp_path / "many.csv", distinct_rows(60))
    full = load_text_classification(path, seed=7)
    small = load_text_classification(path, seed=7, max_train_examples=10)
    assert len(small.train) == small.info["train_examples"] == 10
    assert small.info["max_train_examples"] == 10
    assert set(small.train.texts) < set(full.train.texts)
    assert set(small.test.texts) == set(full.test.texts)
    assert set(small.validation.texts) == set(full.validation.texts)
    again = load_text_classification(path, seed=7, max_train_examples=10)
    np.testing.assert_array_equal(small.train.texts, again.train.texts)
    bigger = load_text_classification(path, seed=7, max_train_examples=1000)
    assert len(bigger.train) == len(full.train)


def test_tfds_ag_news_joins_title_and_description(mock_tfds):
    loads, raw = mock_tfds
    data = loads["ag_news_subset"]
    assert_well_typed(data)
    assert data.info["source"] == "tfds:ag_news_subset"
    assert data.info["class_names"] == ["World", "Sports", "Business", "Sci/Tech"]
    assert data.info["text_features"] == ["title", "description"]
    assert data.info["held_out_from_train"] == ["validation"]
    assert (len(data.train), len(data.validation), len(data.test)) == (18, 2, MOCK_EXAMPLES)
    joined = {f"{e['title'].decode().strip()}. {e['description'].decode().strip()}":
              int(e["label"]) for e in raw["ag_news_subset"]}
    assert dict(zip(data.test.texts, data.test.labels.tolist())) == joined
    train = dict(zip([*data.train.texts, *data.validation.texts],
                     [*data.train.labels.tolist(), *data.validation.labels.tolist()]))
    assert train == joined


def test_tfds_imdb_reviews_keeps_text_and_class_names(mock_tfds):
    loads, raw = mock_tfds
    data = loads["tfds:imdb_reviews"]
    assert_well_typed(data)
    assert data.info["source"] == "tfds:imdb_reviews" and data.info["synthetic"] is False
    assert data.info["class_names"] == ["neg", "pos"] and data.info["num_classes"] == 2
    assert data.info["text_features"] == ["text"]
    assert data.info["test_examples"] == MOCK_EXAMPLES
    assert sorted(data.test.texts) == sorted(e["text"].decode() for e in raw["imdb_reviews"])


def test_tfds_bad_bytes_empty_texts_and_bad_labels(capsys):
    texts = [b"good one", b"\xff\xfe broken", b"   ", b"fine two", b"third", b"fourth",
             b"fifth", b"sixth"]

    def reviews(labels):
        def as_dataset(self, split, **kwargs):
            return tf.data.Dataset.from_tensor_slices(
                {"text": tf.constant(texts), "label": tf.constant(labels, tf.int64)})
        return as_dataset

    with tfds.testing.mock_data(as_dataset_fn=reviews([0, 1] * 4)):
        data = load_text_classification("imdb_reviews")
    # The mock serves the same 8 examples as train and as test: each split skips 2.
    assert data.info["skipped"] == {"empty_text": 2, "undecodable": 2}
    assert (len(data.train) + len(data.validation), len(data.test)) == (6, 6)
    err = capsys.readouterr().err
    assert ("warning: tfds:imdb_reviews: skipped 2 (undecodable: examples whose text is not "
            "valid UTF-8; first: tfds:imdb_reviews train example 1)") in err
    assert "text; first: tfds:imdb_reviews train example 2)" in err

    with tfds.testing.mock_data(as_dataset_fn=reviews([0, 1, 0, 1, 0, 5, 0, 1])):
        with pytest.raises(DataError, match=r"tfds:imdb_reviews train example 5 feature "
                                            r"'label': label 5 is not a class \(allowed: 0-1\)"):
            load_text_classification("imdb_reviews")
    with tfds.testing.mock_data(num_examples=4):
        with pytest.raises(DataError, match=r"tfds:imdb_reviews: class_names \['bad', 'good'\] "
                                            r"differ from the dataset's classes \['neg', 'pos'\]"):
            load_text_classification("imdb_reviews", class_names=["bad", "good"])


def test_synthetic_topics_are_marked_counted_and_seeded():
    data = load_text_classification("synthetic", seed=3, synthetic_counts=(40, 12, 10),
                                    max_train_examples=30)
    assert_well_typed(data)
    assert data.info["synthetic"] is True and "synthetic" in data.info["source"]
    assert all(name.startswith("synthetic ") for name in data.info["class_names"])
    assert data.info["num_classes"] == len(data.info["class_names"]) >= 2
    assert (len(data.train), len(data.validation), len(data.test)) == (30, 12, 10)
    assert data.info["held_out_from_train"] == []
    again = load_text_classification("synthetic", seed=3, synthetic_counts=(40, 12, 10),
                                     max_train_examples=30)
    np.testing.assert_array_equal(data.train.texts, again.train.texts)
    np.testing.assert_array_equal(data.test.labels, again.test.labels)


def test_a_stray_integer_label_is_an_error_naming_its_row(tmp_path):
    rows = [(f"text {i}", i % 3) for i in range(30)]
    rows[17] = ("a typo", 99)
    path = write_csv(tmp_path / "topics.csv", rows)
    with pytest.raises(DataError, match=rf"^{path} line 19: label 99 makes classes 0-99, but 96 "
                                        r"of them have no example \(3, 4, 5, 6, 7, \.\.\.\): "
                                        "fix the label or give the class names$"):
        load_text_classification(path)


def test_an_empty_class_folder_is_an_error_naming_it(tmp_path):
    files = {f"{name}/{i}.txt": f"{name} {i}" for name in ("a", "c") for i in range(6)}
    files["b/notes.md"] = "no .txt here"
    root = write_tree(tmp_path / "tree", files)
    with pytest.raises(DataError, match=f"^{root}/b: class folder holds no usable .txt file$"):
        load_text_classification(root)


def test_binary_looking_files_are_skipped_and_reported(tmp_path, capsys):
    files = {f"{name}/{i}.txt": f"{name} {i}" for name in ("a", "b") for i in range(6)}
    files["a/zeros.txt"] = b"\0" * 64
    files["b/utf16.txt"] = "written in UTF-16".encode("utf-16-le")
    root = write_tree(tmp_path / "tree", files)
    data = load_text_classification(root)
    assert data.info["skipped"] == {"empty_text": 0, "undecodable": 0, "binary": 2}
    assert sum(len(split) for split in all_splits(data)) == 12
    assert (f"warning: {root}: skipped 2 (binary: examples whose text holds NUL characters "
            f"(binary, or UTF-16 without a BOM); first: {root}/a/zeros.txt)"
            in capsys.readouterr().err)
