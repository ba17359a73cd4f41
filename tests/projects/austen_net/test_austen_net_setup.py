"""What the Austen-Net experiment assembles from its config and measures: the data record,
the optimizer's schedule, MFU, cross-entropy against the entropy rate, and the sample."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.data.synthetic.language import SyntheticLanguage
from dlx_tf.data.text_corpus import TextCorpus
from dlx_tf.models.decoder_lm import CharTokenizer
from dlx_tf.models.decoder_lm.language_model_windows import evaluation_windows, training_windows
from dlx_tf.projects.austen_net import austen_net_setup as setup
from experiments.austen_net import PROFILES

# vocabulary 10, context 8, 2 layers of width 4 (2 heads of 2), MLP 8.
TINY = dataclasses.replace(PROFILES["smoke"], sequence_length=8, num_layers=2, num_heads=2,
                           hidden_dim=4, intermediate_dim=8, dropout=0.0)
TINY_PARAMETERS = 10 * 4 + 8 * 4 + 2 * (4 * 16 + 2 * 4 * 8 + 8 + 9 * 4) + 2 * 4  # 424


def test_corpus_info_counts_tokens_unknowns_and_windows():
    train, validation = "abcab cabba " * 4 + "ab", "cab!?ba cab"  # 50 and 11 characters
    corpus = TextCorpus(train, validation, info={"source": "two strings", "synthetic": False})
    tokenizer = CharTokenizer.fit(train)
    train_ids, validation_ids = tokenizer.encode(train), tokenizer.encode(validation)
    info = setup.corpus_info(corpus, train_ids, validation_ids, tokenizer.vocabulary_size,
                             sequence_length=8, stride=4)
    assert info["source"] == "two strings" and info["tokenizer"] == "characters"
    assert info["vocabulary_size"] == 5  # a, b, c, space and unknown
    assert (info["train_tokens"], info["validation_tokens"]) == (50, 11)
    assert info["validation_unknown_tokens"] == 2  # "!" and "?"
    assert info["train_examples"] == (50 - 1 - 8) // 4 + 1 == 11
    assert info["train_examples"] == len(list(training_windows(train_ids, 8, 4)))
    assert info["validation_examples"] == len(list(evaluation_windows(validation_ids, 8)))


def test_make_model_builds_the_configs_decoder():
    model = setup.make_model(TINY, vocabulary_size=10)
    model(np.zeros((1, 8), "int32"))
    assert (model.sequence_length, model.num_layers, model.num_heads, model.hidden_dim,
            model.intermediate_dim) == (8, 2, 2, 4, 8)
    assert model.count_params() == TINY_PARAMETERS


def test_flops_per_token_leave_out_the_position_embeddings_as_nanogpt_does():
    # 6N + 12·L·H·Q·T, N without the 8 × 4 position embedding (looked up, no matmul).
    assert setup.flops_per_token(TINY, 10) == 6 * (TINY_PARAMETERS - 8 * 4) + 12 * 2 * 2 * 2 * 8


def test_token_throughput_is_examples_times_context_and_mfu_is_against_the_peak():
    throughput = setup.token_throughput(12.5, TINY, vocabulary_size=10, peak_flops=1e6)
    flops_per_token = setup.flops_per_token(TINY, 10)
    assert throughput == {"tokens_per_sec": 100.0, "flops_per_token": flops_per_token,
                          "peak_flops_per_sec": 1_000_000,
                          "model_flops_utilization": round(100 * flops_per_token / 1e6, 4)}


def test_cross_entropy_is_compared_with_the_entropy_rate_on_synthetic_data_only():
    synthetic = {"synthetic": True, "entropy_rate_nats_per_char": 0.5}
    assert setup.cross_entropy_metrics(0.55, synthetic) == pytest.approx({
        "validation_cross_entropy": 0.55, "entropy_rate_nats_per_char": 0.5,
        "validation_cross_entropy_over_entropy_rate": 1.1})
    assert setup.cross_entropy_metrics(1.3, {"synthetic": False}) == {
        "validation_cross_entropy": 1.3}
    assert setup.cross_entropy_metrics(1.3, {}) == {"validation_cross_entropy": 1.3}


def test_the_learning_rate_warms_up_then_follows_a_cosine_to_the_final_rate():
    config = dataclasses.replace(TINY, learning_rate=1e-3, final_learning_rate=1e-4,
                                 warmup_steps=10, weight_decay=0.2, beta_2=0.95)
    optimizer = setup.make_optimizer(config, total_steps=110)
    schedule = keras.saving.deserialize_keras_object(optimizer.get_config()["learning_rate"])
    rates = {step: float(schedule(step)) for step in (0, 5, 10, 60, 110, 200)}
    assert rates == pytest.approx({0: 0.0, 5: 5e-4, 10: 1e-3, 60: 5.5e-4, 110: 1e-4, 200: 1e-4})
    assert (optimizer.weight_decay, optimizer.beta_2) == (pytest.approx(0.2),
                                                          pytest.approx(0.95))


def test_weight_decay_spares_biases_and_layer_norm_parameters():
    config = dataclasses.replace(TINY, learning_rate=0.1, final_learning_rate=0.01,
                                 warmup_steps=1, weight_decay=0.5)
    optimizer = setup.make_optimizer(config, total_steps=10)
    names = ("kernel", "bias", "gamma", "beta")
    variables = [keras.Variable(np.ones(2, "float32"), name=name) for name in names]
    zeros = [tf.zeros(2) for _ in names]
    optimizer.apply(zeros, variables)  # step 0 of the warmup: rate 0
    optimizer.apply(zeros, variables)  # rate 0.1: zero gradients leave only the decay
    values = {name: float(v.numpy()[0]) for name, v in zip(names, variables)}
    assert values == pytest.approx({"kernel": 1 - 0.1 * 0.5, "bias": 1.0, "gamma": 1.0,
                                    "beta": 1.0})


@pytest.mark.parametrize("chars, prompt", [(7, "It is a"), (8, "It is a truth"),
                                           (30, "It is a truth universally")])
def test_first_words_cuts_at_the_first_space_from_chars_on(chars, prompt):
    assert setup.first_words("It is a truth universally", chars) == prompt


def test_first_words_without_a_later_space_keeps_chars_characters():
    assert setup.first_words("Emma Woodhouse", 7) == "Emma Wo"


@pytest.mark.parametrize("data, name", [
    ("austen", "austen_net"),
    ("synthetic", "austen_net_synthetic"),
    ("/data/books/my-novels/", "austen_net_my_novels"),
    ("~/texts/emma.txt", "austen_net_emma_txt"),
])
def test_export_name_names_the_corpus(data, name):
    assert setup.export_name(data) == name


class _EchoGenerator:
    """Stands in for `DecoderLMGenerator`: 'generates' the prompt's ids again, then ones."""

    def generate(self, prompt_ids, max_new_tokens, seed, temperature, top_k, top_p):
        filler = tf.ones([1, max_new_tokens - tf.shape(prompt_ids)[1]], prompt_ids.dtype)
        return tf.concat([prompt_ids, filler], axis=1)


def test_write_sample_writes_the_prompt_the_sample_and_their_settings(tmp_path):
    tokenizer = CharTokenizer.fit(" abc")
    config = dataclasses.replace(TINY, sample_tokens=5, sample_temperature=0.7, sample_top_k=3,
                                 sample_top_p=0.9, seed=4)
    path = tmp_path / "sample.txt"
    sample = setup.write_sample(_EchoGenerator(), tokenizer, "cab", config, str(path), True)
    assert sample == "cab  "  # id 1 is the space
    assert path.read_text(encoding="utf-8") == (
        "Synthetic language. Prompt 'cab', temperature 0.7, top-k 3, top-p 0.9, seed 4:\n\n"
        "cabcab  \n")


def test_a_sample_from_the_source_scores_well_and_random_characters_badly():
    language = SyntheticLanguage.make(seed=3)
    good = setup.synthetic_sample_metrics(3, language.generate(400, seed=1))
    assert good["sample_in_lexicon"] == 1.0 and good["sample_possible_transitions"] == 1.0
    assert good["sample_entries"] > 50
    rng, letters = np.random.default_rng(0), np.array(list("abdefgiklmnoprstuvz"))
    noise = "".join(" " + "".join(rng.choice(letters, rng.integers(2, 6))) for _ in range(80))
    bad = setup.synthetic_sample_metrics(3, noise)
    assert bad["sample_entries"] == 80
    assert bad["sample_in_lexicon"] < 0.1 and bad["sample_possible_transitions"] < 0.1
    assert set(bad) == {"sample_entries", "sample_in_lexicon", "sample_possible_transitions"}
    other = setup.synthetic_sample_metrics(4, language.generate(400, seed=1))
    assert other["sample_in_lexicon"] < 0.5  # another seed's language has other words



def test_the_cross_entropy_figure_draws_the_loss_against_the_entropy_rate():
    history = [{"epoch": 1, "loss": 2.0, "val_loss": 1.8, "accuracy": 0.3},
               {"epoch": 2, "loss": 1.2, "val_loss": 1.1, "accuracy": 0.5}]
    figure = setup.cross_entropy_figure(history, 0.9)
    (axis,) = [axis for axis in figure.axes if axis.axison]
    assert axis.get_title() == "Loss"
    assert [line.get_label() for line in axis.lines] == ["train", "validation", "entropy rate"]
    assert list(axis.lines[-1].get_ydata()) == [0.9, 0.9]
