import re

import numpy as np

from dlx_tf.data.synthetic.topics import generate_topic_corpus

COUNTS = {"train": 400, "test": 200}


def _words(text):
    return re.findall(r"[a-z]+", text.lower())


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    first, names = generate_topic_corpus({"train": 20}, seed=3)
    again, _ = generate_topic_corpus({"train": 20}, seed=3)
    other, _ = generate_topic_corpus({"train": 20}, seed=4)
    assert list(first["train"][0]) == list(again["train"][0])
    np.testing.assert_array_equal(first["train"][1], again["train"][1])
    assert list(first["train"][0]) != list(other["train"][0])
    # Another seed draws another vocabulary, not only other documents from the same one.
    assert {w for t in first["train"][0] for w in _words(t)} != {
        w for t in other["train"][0] for w in _words(t)}


def test_counts_labels_lengths_and_class_names():
    splits, names = generate_topic_corpus({"train": 60, "validation": 7, "test": 33}, seed=0)
    assert {split: len(texts) for split, (texts, _) in splits.items()} == {
        "train": 60, "validation": 7, "test": 33}
    assert len(names) == 4 and all(name.startswith("synthetic") for name in names)
    for texts, labels in splits.values():
        assert len(labels) == len(texts) and labels.dtype == np.int64
        assert labels.min() >= 0 and labels.max() < len(names)
        assert all(isinstance(text, str) and len(_words(text)) >= 120 for text in texts)
    assert set(splits["train"][1]) == set(range(len(names)))


def test_a_bag_of_words_nearest_centroid_classifier_learns_the_topics():
    splits, names = generate_topic_corpus(COUNTS, seed=0)
    train_texts, train_labels = splits["train"]
    index = {word: i for i, word in enumerate(sorted({w for t in train_texts
                                                       for w in _words(t)}))}

    def bag(texts):
        counts = np.zeros((len(texts), len(index)))
        for row, text in enumerate(texts):
            for word in _words(text):
                if word in index:
                    counts[row, index[word]] += 1
        return counts / np.linalg.norm(counts, axis=1, keepdims=True)

    train_bags = bag(train_texts)
    centroids = np.stack([train_bags[train_labels == c].mean(0) for c in range(len(names))])
    test_texts, test_labels = splits["test"]
    accuracy = np.mean(np.argmax(bag(test_texts) @ centroids.T, axis=1) == test_labels)
    assert accuracy > 0.7  # measured 0.91 with seed 0; chance is 0.25
