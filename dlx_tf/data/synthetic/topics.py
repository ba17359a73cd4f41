"""An offline topic-classification corpus: long documents of made-up words in which each
class has its own topic vocabulary, mixed into a large vocabulary shared by all classes.

Documents vary in how much topic they carry and many mention a second topic, so the
task has a ceiling below 100 % and a classifier must weigh evidence, as with news
articles; being generated, every class name starts with "synthetic".
"""

import numpy as np

CLASS_NAMES = ("synthetic world", "synthetic sports", "synthetic business",
               "synthetic science")
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"


def generate_topic_corpus(split_counts, seed, topic_words=24, shared_words=600,
                          document_words=(120, 260), topic_rate=(0.1, 0.3),
                          second_topic_share=0.6):
    """Generates labelled documents for each split from one seeded vocabulary.

    Args:
        split_counts: `{split: number of documents}`, e.g. `{"train": 1200, "test": 300}`.
        seed: seeds the vocabulary and every document.
        topic_words: words in each class's topic vocabulary.
        shared_words: words every class uses, drawn with Zipf-like frequencies.
        document_words: the (min, max) length of a document in words.
        topic_rate: the (min, max) fraction of a document's words drawn from its topic,
            uniform per document: low-rate documents are hard to classify.
        second_topic_share: how much topic, relative to the document's own, a second,
            random other topic contributes (uniform in [0, second_topic_share]).

    Returns:
        `({split: (texts, labels)}, class_names)`: texts an object array of str, labels
        int64, classes balanced in expectation.
    """
    rng = np.random.default_rng(seed)
    words = _pseudo_words(rng, len(CLASS_NAMES) * topic_words + shared_words)
    topics = words[: len(CLASS_NAMES) * topic_words].reshape(len(CLASS_NAMES), topic_words)
    shared = words[len(CLASS_NAMES) * topic_words:]
    shared_p = 1.0 / np.arange(1, shared_words + 1)  # Zipf: a few very common words
    shared_p /= shared_p.sum()
    splits = {}
    for split, count in split_counts.items():
        labels = rng.integers(0, len(CLASS_NAMES), size=count).astype(np.int64)
        texts = np.array([_document(rng, label, topics, shared, shared_p, document_words,
                                    topic_rate, second_topic_share) for label in labels],
                         dtype=object)
        splits[split] = (texts, labels)
    return splits, CLASS_NAMES


def _document(rng, label, topics, shared, shared_p, lengths, topic_rate, second_share):
    length = int(rng.integers(lengths[0], lengths[1] + 1))
    own = rng.uniform(*topic_rate)
    other = (label + rng.integers(1, len(topics))) % len(topics)
    second = own * rng.uniform(0.0, second_share)
    source = rng.choice(3, size=length, p=[own, second, 1.0 - own - second])
    tokens = np.where(
        source == 0, rng.choice(topics[label], size=length),
        np.where(source == 1, rng.choice(topics[other], size=length),
                 rng.choice(shared, size=length, p=shared_p)))
    sentences = np.array_split(tokens, max(1, length // 14))
    return " ".join(" ".join(sentence).capitalize() + "." for sentence in sentences)


def _pseudo_words(rng, count):
    """`count` distinct pronounceable words of 2-3 consonant-vowel syllables."""
    words = set()
    while len(words) < count:
        syllables = rng.integers(2, 4)
        words.add("".join(rng.choice(list(_CONSONANTS)) + rng.choice(list(_VOWELS))
                          for _ in range(syllables)))
    return rng.permutation(sorted(words))
