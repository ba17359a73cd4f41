import numpy as np
import pytest

from dlx_tf.data.synthetic.language import SyntheticLanguage, synthetic_language_corpus
from dlx_tf.errors import DataError


@pytest.fixture(scope="module")
def language():
    return SyntheticLanguage.make(num_words=40, successors=8, seed=0)


def test_the_chain_is_a_stationary_markov_chain_over_a_prefix_free_lexicon(language):
    n = len(language.surfaces)
    assert n == 42 and language.transitions.shape == (n, n)
    np.testing.assert_allclose(language.transitions.sum(axis=1), 1.0, atol=1e-12)
    assert np.all((language.transitions > 0).sum(axis=1) == 8)
    np.testing.assert_allclose(language.stationary @ language.transitions,
                               language.stationary, atol=1e-12)
    assert language.stationary.min() > 0 and np.isclose(language.stationary.sum(), 1.0)
    surfaces = language.surfaces
    assert len(set(surfaces)) == n
    assert not any(a != b and b.startswith(a) for a in surfaces for b in surfaces)
    punctuation = [i for i, s in enumerate(surfaces) if s in (",", ".")]
    words = [s for s in surfaces if s not in (",", ".")]
    assert len(punctuation) == 2
    assert all(s[0] == " " and s[1:].isalpha() and 3 <= len(s) <= 7 for s in words)
    # Punctuation is never followed by punctuation.
    assert not language.transitions[np.ix_(punctuation, punctuation)].any()


def test_the_same_seed_gives_the_same_language_and_text_and_another_seed_another(language):
    again = SyntheticLanguage.make(seed=0)
    other = SyntheticLanguage.make(seed=1)
    assert again.surfaces == language.surfaces
    np.testing.assert_array_equal(again.transitions, language.transitions)
    assert other.surfaces != language.surfaces
    text = language.generate(2000, seed=5)
    assert text == again.generate(2000, seed=5)
    assert text != language.generate(2000, seed=6)
    # A longer text from the same seed extends a shorter one.
    assert language.generate(5000, seed=5).startswith(text)


def test_generate_stops_at_the_first_word_boundary_at_or_after_the_length(language):
    longest = max(len(s) for s in language.surfaces)
    for num_chars in (1, 17, 1000):
        text = language.generate(num_chars, seed=num_chars)
        assert num_chars <= len(text) < num_chars + longest
    assert language.generate(0, seed=0) == ""


def test_measured_log_probability_approaches_the_entropy_rate(language):
    # Shannon-McMillan-Breiman: -(1/n) ln P(X_1..X_n) -> the entropy rate, almost surely.
    text = language.generate(300_000, seed=11)
    log_p, transitions = language.word_log_probability(text)
    assert transitions > 50_000
    assert -log_p / transitions == pytest.approx(language.entropy_rate_per_word, rel=0.03)
    assert -log_p / len(text) == pytest.approx(language.entropy_rate_per_char, rel=0.03)
    assert len(text) / (transitions + 1) == pytest.approx(language.mean_chars_per_word,
                                                          rel=0.03)


def test_word_log_probability_parses_text_and_rejects_what_is_not_in_the_lexicon(language):
    first, second = language.surfaces[0], language.surfaces[1]
    log_p, transitions = language.word_log_probability(first + second)
    assert transitions == 1
    with np.errstate(divide="ignore"):
        assert log_p == pytest.approx(np.log(language.transitions[0, 1]))
    assert language.word_log_probability(first) == (0.0, 0)
    with pytest.raises(DataError, match="character offset 0"):
        language.word_log_probability("xyz qq")
    with pytest.raises(DataError, match=f"character offset {len(first)}"):
        language.word_log_probability(first + "!" + second)
    with pytest.raises(DataError, match=f"character offset {len(first)}"):
        language.word_log_probability(first + second[:-1])  # a word cut short


def test_the_default_rate_is_in_the_intended_range(language):
    assert 0.35 <= language.entropy_rate_per_char <= 0.6
    assert 3.0 <= language.mean_chars_per_word <= 6.0
    assert language.entropy_rate_per_word == pytest.approx(
        language.entropy_rate_per_char * language.mean_chars_per_word)
    assert language.entropy_rate_per_word < np.log(8)  # below uniform over 8 successors


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="successors"):
        SyntheticLanguage.make(num_words=5, successors=6)
    with pytest.raises(ValueError, match="successors"):
        SyntheticLanguage.make(successors=1)
    with pytest.raises(ValueError, match="num_words"):
        SyntheticLanguage.make(num_words=1)


def test_corpus_comes_from_one_language_with_its_rates_in_info(language):
    train, validation, info = synthetic_language_corpus(train_chars=20_000,
                                                        validation_chars=3_000, seed=0)
    assert info["source"] == "synthetic" and info["synthetic"] is True
    assert "synthetic" in info["description"] and "Markov" in info["description"]
    assert info["entropy_rate_nats_per_char"] == pytest.approx(language.entropy_rate_per_char)
    assert info["entropy_rate_nats_per_word"] == pytest.approx(language.entropy_rate_per_word)
    assert info["mean_chars_per_word"] == pytest.approx(language.mean_chars_per_word)
    assert info["lexicon_size"] == 42 and info["successors"] == 8
    assert info["train_chars"] == len(train) >= 20_000
    assert info["validation_chars"] == len(validation) >= 3_000
    assert train[:200] != validation[:200]
    # Both texts parse with the language made from the same seed, so they share it.
    assert language.word_log_probability(train)[1] > 0
    assert language.word_log_probability(validation)[1] > 0
    again = synthetic_language_corpus(train_chars=20_000, validation_chars=3_000, seed=0)
    assert again == (train, validation, info)
    other, _, other_info = synthetic_language_corpus(train_chars=20_000,
                                                     validation_chars=3_000, seed=1)
    assert other != train
    assert other_info["entropy_rate_nats_per_char"] != info["entropy_rate_nats_per_char"]


def test_sample_fidelity_counts_misspelt_words_and_impossible_pairs():
    language = SyntheticLanguage.make(seed=0)
    text = language.generate(2_000, seed=3)
    assert language.sample_fidelity(text)["in_lexicon"] == 1.0
    assert language.sample_fidelity(text)["possible_transitions"] == 1.0
    first, second = language.surfaces[0], language.surfaces[1]
    impossible = next(b for b in range(len(language.surfaces))
                      if language.transitions[0, b] == 0)
    spoilt = first + " qqq" + second + first + language.surfaces[impossible]
    fidelity = language.sample_fidelity(spoilt)
    assert fidelity["entries"] == 5
    assert fidelity["in_lexicon"] == 0.8
    # Known pairs: (second, first), possible or not, and (first, impossible).
    assert fidelity["possible_transitions"] == (language.transitions[1, 0] > 0) / 2
