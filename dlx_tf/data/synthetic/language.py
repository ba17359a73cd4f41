"""An offline text corpus from a stochastic source whose entropy rate is known in closed
form, so a character language model's validation cross-entropy (nats per character) can
be compared with the best any model can reach.

The source is a stationary first-order Markov chain over a lexicon of made-up words and
the punctuation marks "," and ".". Words are written with a leading space, punctuation
without (" kavo lune, dari tomesu."), and no written form is a prefix of another, so the
characters determine the words; being generated, the corpus is flagged "synthetic".
"""

import bisect
import re
from dataclasses import dataclass

import numpy as np

from dlx_tf.errors import DataError

_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_PUNCTUATION = (",", ".")
_SYLLABLE_P = (0.5, 0.35, 0.15)  # 1-3 syllables: short words keep the rate per char up
# Of the Dirichlet over a row's successors: uneven rows, yet none that is near certain.
# With the defaults the rate is 0.39-0.49 nats per character over seeds 0-9.
_CONCENTRATION = 2.0
_ATTEMPTS = 100


@dataclass(frozen=True, eq=False)
class SyntheticLanguage:
    """A stationary Markov chain over made-up words and punctuation, with its entropy rate.

    Each lexicon entry is followed by `successors` distinct entries, picked with Zipf-like
    popularity (a few entries follow many others), with probabilities from a Dirichlet
    draw. Punctuation is never followed by punctuation; a ring `i -> i + 1` among the
    successors makes the chain irreducible, and aperiodicity is checked, so the chain has
    one stationary distribution and the closed-form entropy rates below hold. A "word" in
    the rates' names is any lexicon entry, punctuation included.

    Args:
        surfaces: the written form of each entry: `" kavo"` for a word, `","` or `"."`.
        transitions: `[n, n]` float64, row `i` the distribution of the entry after `i`.
        stationary: `[n]` float64, the stationary distribution `pi` (`pi P = pi`).

    Example:
        >>> language = SyntheticLanguage.make(num_words=40, successors=8, seed=0)
        >>> text = language.generate(10_000, seed=1)
        >>> log_p, transitions = language.word_log_probability(text)
        >>> -log_p / len(text)  # close to language.entropy_rate_per_char
    """

    surfaces: tuple[str, ...]
    transitions: np.ndarray
    stationary: np.ndarray

    @classmethod
    def make(cls, num_words=40, successors=8, seed=0):
        """A language of `num_words` words plus "," and ".", drawn from `seed`."""
        if num_words < 2:
            raise ValueError(f"num_words: expected at least 2, got {num_words}")
        if not 2 <= successors <= num_words:
            raise ValueError(f"successors: expected 2..{num_words} (num_words), got {successors}")
        rng = np.random.default_rng(seed)
        words = _prefix_free_words(rng, num_words)
        half = num_words // 2
        # Punctuation sits between words so that the ring i -> i + 1 never joins two marks.
        surfaces = (*words[:half], _PUNCTUATION[0], *words[half:], _PUNCTUATION[1])
        punctuation = np.array([surface in _PUNCTUATION for surface in surfaces])
        for _ in range(_ATTEMPTS):
            transitions = _transitions(rng, punctuation, successors)
            if _is_primitive(transitions > 0):
                return cls(surfaces, transitions, _stationary(transitions))
        raise RuntimeError(f"no aperiodic chain in {_ATTEMPTS} draws (seed {seed})")

    @property
    def entropy_rate_per_word(self):
        """Nats per lexicon entry."""
        # Cover & Thomas, Elements of Information Theory, Thm 4.2.4 (stationary Markov chain).
        p = self.transitions
        log_p = np.log(p, out=np.zeros_like(p), where=p > 0)
        return float(-self.stationary @ (p * log_p).sum(axis=1))

    @property
    def mean_chars_per_word(self):
        """Characters per lexicon entry under the stationary distribution."""
        return float(self.stationary @ np.array([len(s) for s in self.surfaces]))

    @property
    def entropy_rate_per_char(self):
        """Nats per character: the best cross-entropy a character model can reach."""
        # Prefix-free surfaces make words -> characters injective, so by a renewal argument
        # the per-character rate is the per-word rate over the mean word length.
        return self.entropy_rate_per_word / self.mean_chars_per_word

    def generate(self, num_chars, seed):
        """Text of at least `num_chars` characters, ending at the first word boundary at or
        after `num_chars`; the first word is drawn from the stationary distribution. A
        longer text from the same seed extends a shorter one."""
        if num_chars < 0:
            raise ValueError(f"num_chars: expected >= 0, got {num_chars}")
        if num_chars == 0:
            return ""
        # Every entry has at least one character, so num_chars draws always suffice.
        uniforms = np.random.default_rng(seed).random(num_chars).tolist()
        rows = [np.flatnonzero(row) for row in self.transitions]
        following = [row.tolist() for row in rows]
        cumulative = [_cumulative(p[row]) for p, row in zip(self.transitions, rows)]
        lengths = [len(surface) for surface in self.surfaces]
        state = bisect.bisect_right(_cumulative(self.stationary), uniforms[0])
        states, total, step = [state], lengths[state], 1
        while total < num_chars:
            state = following[state][bisect.bisect_right(cumulative[state], uniforms[step])]
            states.append(state)
            total += lengths[state]
            step += 1
        return "".join([self.surfaces[state] for state in states])

    def word_log_probability(self, text):
        """`(sum of ln P over the transitions after the first word, number of transitions)`
        for `text` parsed back into lexicon entries; `-inf` if a transition is impossible."""
        entries = self._parse(text)
        if len(entries) < 2:
            return 0.0, 0
        with np.errstate(divide="ignore"):
            log_p = np.log(self.transitions[entries[:-1], entries[1:]])
        return float(log_p.sum()), len(entries) - 1

    def sample_fidelity(self, text):
        """How well generated `text` keeps to the language: `{"entries": pieces read,
        "in_lexicon": fraction of them that are lexicon entries, "possible_transitions":
        fraction of consecutive lexicon entries the chain can emit in that order}`.
        Unlike `word_log_probability`, a misspelt word costs one piece, not the text."""
        index = {surface: i for i, surface in enumerate(self.surfaces)}
        pieces = [index.get(piece, -1) for piece in re.findall(r" ?[^ ,.]+|[,.]", text)]
        known = np.array(pieces) >= 0
        pairs = [(a, b) for a, b in zip(pieces, pieces[1:]) if a >= 0 and b >= 0]
        possible = [self.transitions[a, b] > 0 for a, b in pairs]
        return {"entries": len(pieces),
                "in_lexicon": float(known.mean()) if pieces else 0.0,
                "possible_transitions": float(np.mean(possible)) if possible else 0.0}

    def _parse(self, text):
        index = {surface: i for i, surface in enumerate(self.surfaces)}
        # Surfaces are prefix-free, so at most one alternative matches at any offset.
        pattern = re.compile("|".join(re.escape(surface) for surface in self.surfaces))
        entries, offset = [], 0
        for match in pattern.finditer(text):
            if match.start() != offset:
                break
            entries.append(index[match.group()])
            offset = match.end()
        if offset != len(text):
            raise DataError(f"text: at character offset {offset}: expected a lexicon entry (a "
                            f"word with a leading space, ',' or '.'), got "
                            f"{text[offset:offset + 12]!r}")
        return np.array(entries, dtype=np.int64)


def synthetic_language_corpus(train_chars=300_000, validation_chars=30_000, seed=0,
                              num_words=40, successors=8):
    """Train and validation text from one `SyntheticLanguage`, with its entropy rates.

    Args:
        train_chars: characters of training text (rounded up to a word boundary).
        validation_chars: characters of validation text (rounded up likewise).
        seed: seeds the language; the two texts use independent seeds derived from it.
        num_words: words in the lexicon, besides "," and ".".
        successors: entries that may follow each entry.

    Returns:
        `(train_text, validation_text, info)`: `info` holds the closed-form entropy rates
        (`entropy_rate_nats_per_char` is the floor for validation cross-entropy), the
        lexicon size (words and punctuation) and the lengths of the texts generated.
    """
    language = SyntheticLanguage.make(num_words, successors, seed)
    train_seed, validation_seed = (int(child.generate_state(1)[0])
                                   for child in np.random.SeedSequence(seed).spawn(2))
    train_text = language.generate(train_chars, train_seed)
    validation_text = language.generate(validation_chars, validation_seed)
    info = {
        "source": "synthetic",
        "synthetic": True,
        "description": "A synthetic language of made-up words and punctuation drawn from a "
                       "stationary Markov chain whose entropy rate is known in closed form.",
        "entropy_rate_nats_per_char": language.entropy_rate_per_char,
        "entropy_rate_nats_per_word": language.entropy_rate_per_word,
        "mean_chars_per_word": language.mean_chars_per_word,
        "lexicon_size": len(language.surfaces),
        "successors": successors,
        "train_chars": len(train_text),
        "validation_chars": len(validation_text),
    }
    return train_text, validation_text, info


def _prefix_free_words(rng, count):
    """`count` words of 1-3 consonant-vowel syllables, each with a leading space, none a
    prefix of another."""
    words = []
    for _ in range(1000 * count):
        syllables = rng.choice(len(_SYLLABLE_P), p=_SYLLABLE_P) + 1
        word = " " + "".join(rng.choice(list(_CONSONANTS)) + rng.choice(list(_VOWELS))
                             for _ in range(syllables))
        if not any(word.startswith(other) or other.startswith(word) for other in words):
            words.append(word)
            if len(words) == count:
                return words
    raise ValueError(f"num_words: could not draw {count} prefix-free words")


def _transitions(rng, punctuation, successors):
    n = len(punctuation)
    popularity = 1.0 / rng.permutation(np.arange(1, n + 1))  # Zipf-like ranks
    transitions = np.zeros((n, n))
    for i in range(n):
        ring = (i + 1) % n
        allowed = ~punctuation if punctuation[i] else np.ones(n, dtype=bool)
        weights = np.where(allowed, popularity, 0.0)
        weights[ring] = 0.0
        others = rng.choice(n, size=successors - 1, replace=False, p=weights / weights.sum())
        transitions[i, np.append(ring, others)] = rng.dirichlet(
            np.full(successors, _CONCENTRATION))
    return transitions


def _is_primitive(adjacency):
    """Irreducible and aperiodic: some power of the adjacency matrix is all positive, and
    by Wielandt's bound the power (n - 1)^2 + 1 is when any is."""
    n = len(adjacency)
    reach, power = adjacency.astype(np.int64), 1
    while power < (n - 1) ** 2 + 1:
        reach, power = np.minimum(reach @ reach, 1), 2 * power
    return bool(reach.all())


def _stationary(transitions):
    n = len(transitions)
    system = transitions.T - np.eye(n)
    system[-1] = 1.0  # one of pi (P - I) = 0 is redundant: replace it with sum(pi) = 1
    return np.linalg.solve(system, np.eye(n)[-1])


def _cumulative(p):
    # The last bound is exactly 1 so that bisect on a uniform in [0, 1) stays in range.
    cumulative = np.cumsum(p)
    cumulative[-1] = 1.0
    return cumulative.tolist()
