"""Labelled texts for a BERT classifier under label noise: tfds `ag_news_subset` (the
paper runs), `imdb_reviews` or another tfds text classification dataset, a `.csv` or
`.jsonl` file, a folder of `.txt` files per class, or the offline synthetic topics.

Every source ends as three NumPy splits (texts as Python `str`, labels int64) shuffled
with `seed`; label noise comes later (`dlx_tf.projects.bert_noise.label_noise`). A split the source
lacks is carved from train: test then validation, by `test_fraction` and
`validation_fraction` of train's size. ag_news_subset's `title` and `description` are
joined as "title. description". Empty or undecodable texts are skipped, counted in
`info["skipped"]` and reported on stderr; every other problem is a `DataError`.
"""

import dataclasses
import os

import numpy as np

from dlx_tf.data.text_files import (
    FOLDER_LAYOUTS,
    TABLE_EXTENSIONS,
    SkipLog,
    read_folder,
    read_table,
)
from dlx_tf.data.tfds_source import prepared, tfds_builder
from dlx_tf.errors import DataError, UsageError

SPLITS = ("train", "validation", "test")
SYNTHETIC_SOURCE = "synthetic topics (made-up-word documents, dlx_tf.data.synthetic.topics)"
LOCAL = f"'synthetic', a .csv or .jsonl file, a folder ({FOLDER_LAYOUTS})"
ACCEPTED = (f"{LOCAL}, or a tfds text classification dataset (ag_news_subset, imdb_reviews, "
            "tfds:<name>)")


@dataclasses.dataclass(frozen=True)
class TextExamples:
    """One split: `texts` an object array of Python `str` `[n]`, `labels` int64 `[n]` in
    `[0, num_classes)`."""

    texts: np.ndarray
    labels: np.ndarray

    def __len__(self):
        return len(self.labels)


@dataclasses.dataclass(frozen=True)
class LabelledTexts:
    """Train, validation and test `TextExamples` and `info` for the run record (source,
    synthetic, class names, exact counts, skipped examples per reason, text features)."""

    train: TextExamples
    validation: TextExamples
    test: TextExamples
    info: dict


def load_text_classification(source, seed=0, validation_fraction=0.1, test_fraction=0.1,
                             max_train_examples=None, text_column="text", label_column="label",
                             class_names=None, synthetic_counts=(1200, 300, 300)):
    """Loads `source` into shuffled train/validation/test splits.

    Args:
        source: `synthetic`, a tfds name (`ag_news_subset`, `tfds:imdb_reviews`), a `.csv`
            or `.jsonl` path, or a folder (`root/<class>/*.txt`, or `root/train/<class>/`
            and `root/test/<class>/` with an optional `root/validation/<class>/`).
        seed: seeds every split, subsample and shuffle; the same seed gives the same splits.
        validation_fraction, test_fraction: of train's size, for splits the source lacks.
        max_train_examples: a seeded subsample of train after the held-out splits are cut.
        text_column, label_column: columns or keys of a table; tfds feature names preferred
            over discovery.
        class_names: the class list, in label order; labels (or class folders) must be
            among them. None: sorted distinct names, 0..max for integer labels, or the
            dataset's own ClassLabel names.
        synthetic_counts: `(train, validation, test)` documents for `synthetic`.

    Example:
        data = load_text_classification("ag_news_subset", seed=1, max_train_examples=5000)
        data.train.texts[0], data.info["class_names"][data.train.labels[0]]
    """
    _check_arguments(validation_fraction, test_fraction, max_train_examples, class_names)
    skips = SkipLog()
    path = os.path.expanduser(source)
    if source == "synthetic":
        name, splits, names, text_features = _synthetic(seed, synthetic_counts, skips)
        _same_classes(name, class_names, names)
    elif not source.startswith("tfds:") and os.path.isfile(path):
        if not path.lower().endswith(TABLE_EXTENSIONS):
            raise DataError(f"{source}: unsupported file type (expected {ACCEPTED})")
        name, text_features = os.path.abspath(path), [text_column]
        texts, labels, names = read_table(path, text_column, label_column, class_names, skips)
        splits = {"train": (texts, labels)}
    elif not source.startswith("tfds:") and os.path.isdir(path):
        name, text_features = os.path.abspath(path), ["<class>/*.txt file contents"]
        splits, names = read_folder(path, class_names, skips)
    else:
        name, splits, names, text_features = _from_tfds(
            source, source.removeprefix("tfds:"), text_column, label_column, class_names,
            skips)
    skips.warn(name)
    splits = {split: (np.array(texts, dtype=object), np.asarray(labels, np.int64))
              for split, (texts, labels) in splits.items()}
    rng = np.random.default_rng(seed)
    carved = [split for split in ("test", "validation") if split not in splits]
    _carve(splits, carved, rng, {"test": test_fraction, "validation": validation_fraction})
    if max_train_examples is not None:
        splits["train"] = _take(splits["train"], rng.permutation(len(splits["train"][1]))
                                [:max_train_examples])
    splits = {split: _take(splits[split], rng.permutation(len(splits[split][1])))
              for split in SPLITS}
    _check_splits(name, splits, names, skips)
    info = {
        "source": name,
        "synthetic": source == "synthetic",
        "class_names": list(names),
        "num_classes": len(names),
        **{f"{split}_examples": len(splits[split][1]) for split in SPLITS},
        "held_out_from_train": carved,
        "max_train_examples": max_train_examples,
        "seed": seed,
        "skipped": dict(skips.counts),
        "text_features": text_features,
    }
    return LabelledTexts(*(TextExamples(*splits[split]) for split in SPLITS), info=info)


def _check_arguments(validation_fraction, test_fraction, max_train_examples, class_names):
    for name, fraction in (("validation_fraction", validation_fraction),
                           ("test_fraction", test_fraction)):
        if not 0 < fraction < 1:
            raise UsageError(f"{name}: expected a fraction in (0, 1), got {fraction}")
    if validation_fraction + test_fraction >= 1:
        raise UsageError(f"validation_fraction + test_fraction: expected less than 1, got "
                         f"{validation_fraction} + {test_fraction}")
    if max_train_examples is not None and max_train_examples < 1:
        raise UsageError(f"max_train_examples: expected None or at least 1, got "
                         f"{max_train_examples}")
    if class_names is not None and (
            isinstance(class_names, str) or len(set(class_names)) < max(2, len(class_names))
            or not all(isinstance(name, str) and name for name in class_names)):
        raise UsageError(f"class_names: expected 2 or more distinct non-empty strings, got "
                         f"{class_names!r}")


def _carve(splits, carved, rng, fractions):
    """Cuts the held-out splits a source lacks from a seeded permutation of train."""
    train = splits["train"]
    order = rng.permutation(len(train[1]))
    start = 0
    for split in carved:
        # Halves round up, as in label_noise; at least one, so a small source fills every split.
        count = max(1, int(len(order) * fractions[split] + 0.5))
        splits[split] = _take(train, order[start:start + count])
        start += count
    splits["train"] = _take(train, order[start:])


def _take(split, indices):
    texts, labels = split
    return texts[indices], labels[indices]


def _check_splits(name, splits, names, skips):
    counts = ", ".join(f"{split} {len(splits[split][1])}" for split in SPLITS)
    for split in SPLITS:
        if not len(splits[split][1]):
            raise DataError(f"{name}: the {split} split is empty (expected examples in every "
                            f"split, got {counts}; skipped {skips.counts})")
    present = [names[i] for i in np.unique(splits["train"][1])]
    if len(present) < 2:
        raise DataError(f"{name}: train holds {len(present)} class ({', '.join(present)}); "
                        "expected at least 2")


def _same_classes(where, class_names, names):
    """A source with its own classes takes `class_names` only as a check, never a renaming."""
    if class_names is not None and list(class_names) != list(names):
        raise DataError(f"{where}: class_names {list(class_names)} differ from the dataset's "
                        f"classes {list(names)}")


def _synthetic(seed, counts, skips):
    from dlx_tf.data.synthetic.topics import generate_topic_corpus

    generated, names = generate_topic_corpus(dict(zip(SPLITS, counts)), seed)
    splits = {}
    for split, (texts, labels) in generated.items():
        keep = np.array([skips.keep(text, f"synthetic {split} example {i}")
                         for i, text in enumerate(texts)], bool)
        splits[split] = (texts[keep], labels[keep])
    return SYNTHETIC_SOURCE, splits, list(names), ["text"]


def _from_tfds(source, name, text_column, label_column, class_names, skips):
    if source.lower().endswith(TABLE_EXTENSIONS):
        raise DataError(f"--data {source}: no such file (expected {ACCEPTED})")
    builder = tfds_builder(source, also=LOCAL)
    where = f"tfds:{name}"
    label_key, text_keys = _tfds_features(where, builder.info.features, text_column, label_column)
    label_feature = builder.info.features[label_key]
    _same_classes(where, class_names, label_feature.names)
    prepared(builder, source, also=LOCAL)
    # Mocked tfds has no split metadata and serves any split name.
    available = set(builder.info.splits) or {"train", "test"}
    if "train" not in available:
        raise DataError(f"{where}: no 'train' split (splits found: "
                        f"{', '.join(sorted(available))})")
    wanted = [split for split in SPLITS if split in available]
    splits = {split: _read_tfds(dataset, f"{where} {split}", text_keys, label_key,
                                label_feature.num_classes, skips)
              for split, dataset in zip(wanted, builder.as_dataset(split=wanted))}
    return where, splits, list(label_feature.names), text_keys


def _tfds_features(where, features, text_column, label_column):
    """The ClassLabel feature and the string feature(s) that make the text."""
    import tensorflow_datasets as tfds

    class_labels = [key for key, f in features.items() if isinstance(f, tfds.features.ClassLabel)]
    strings = [key for key, f in features.items()
               if isinstance(f, tfds.features.Tensor) and np.dtype(f.np_dtype).kind == "O"
               and not f.shape]
    label = label_column if label_column in class_labels else (
        class_labels[0] if len(class_labels) == 1 else None)
    if text_column in strings:
        text = [text_column]
    elif {"title", "description"} <= set(strings):
        text = ["title", "description"]
    else:
        text = strings if len(strings) == 1 else None
    if label is None or text is None:
        found = ", ".join(f"{key} ({type(f).__name__})" for key, f in features.items())
        raise DataError(f"{where}: no usable {'label' if label is None else 'text'} feature "
                        f"(expected a ClassLabel '{label_column}' or a single ClassLabel, and "
                        f"a string feature '{text_column}', title + description, or a single "
                        f"string feature; found {found})")
    return label, text


def _read_tfds(dataset, where, text_keys, label_key, num_classes, skips):
    import tensorflow_datasets as tfds

    keys = [*text_keys, label_key]
    dataset = dataset.map(lambda example: {key: example[key] for key in keys}).batch(1024)
    texts, labels, index = [], [], 0
    for batch in tfds.as_numpy(dataset):
        for *parts, label in zip(*(batch[key] for key in keys)):
            at, index = f"{where} example {index}", index + 1
            try:
                parts = [part.decode("utf-8") for part in parts]
            except UnicodeDecodeError:
                skips.add("undecodable", at)
                continue
            # ag_news_subset: "title. description"; a single feature is kept as written.
            text = (". ".join(part.strip() for part in parts if part.strip())
                    if len(parts) > 1 else parts[0])
            if not skips.keep(text, at):
                continue
            if not 0 <= label < num_classes:
                raise DataError(f"{at} feature '{label_key}': label {label} is not a class "
                                f"(allowed: 0-{num_classes - 1})")
            texts.append(text)
            labels.append(int(label))
    return texts, labels
