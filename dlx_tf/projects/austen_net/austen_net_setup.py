"""What `experiments/austen_net.py` assembles from its config and measures after training:
the decoder and its optimizer, the data record, MFU, and the written sample."""

import os

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.synthetic.language import SyntheticLanguage
from dlx_tf.models.decoder_lm import CharTokenizer, DecoderLM
from dlx_tf.models.decoder_lm.language_model_windows import window_counts
from dlx_tf.training.flops import transformer_training_flops_per_token
from dlx_tf.viz.curves import plot_history


def make_model(config, vocabulary_size):
    return DecoderLM(
        vocabulary_size=vocabulary_size,
        sequence_length=config.sequence_length,
        num_layers=config.num_layers,
        num_heads=config.num_heads,
        hidden_dim=config.hidden_dim,
        intermediate_dim=config.intermediate_dim,
        dropout=config.dropout,
        name="decoder_lm",
    )


def make_optimizer(config, total_steps):
    """AdamW on nanoGPT's schedule: linear warmup, cosine decay to `final_learning_rate`."""
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(total_steps - config.warmup_steps, 1),
        alpha=config.final_learning_rate / config.learning_rate,
        warmup_target=config.learning_rate, warmup_steps=config.warmup_steps)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay,
                                       beta_2=config.beta_2)
    # GPT-2 practice: no decay on biases and layer-norm gains and offsets.
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def corpus_info(corpus, train_ids, validation_ids, vocabulary_size, sequence_length, stride):
    """The run record's `data`: the corpus, its tokens and the windows they make."""
    return {
        **corpus.info,
        "tokenizer": "characters",
        "vocabulary_size": vocabulary_size,
        "train_tokens": len(train_ids),
        "validation_tokens": len(validation_ids),
        "validation_unknown_tokens": int(np.sum(validation_ids == CharTokenizer.UNKNOWN_ID)),
        "train_examples": window_counts(len(train_ids), sequence_length,
                                        stride)["training_windows"],
        "validation_examples": window_counts(len(validation_ids),
                                             sequence_length)["evaluation_windows"],
    }


def flops_per_token(config, vocabulary_size):
    """Training FLOPs per token of `config`'s decoder, `6N + 12·L·H·Q·T` with N the
    parameters that take part in matmuls: all but the position embeddings, which are only
    looked up (as nanoGPT's `estimate_mfu` counts; the tied token embedding stays, it is
    the output layer's matmul)."""
    matmul_parameters = DecoderLM.parameter_count(
        vocabulary_size, config.sequence_length, config.num_layers, config.hidden_dim,
        config.intermediate_dim) - config.sequence_length * config.hidden_dim
    return transformer_training_flops_per_token(
        matmul_parameters, config.num_layers, config.num_heads,
        config.hidden_dim // config.num_heads, config.sequence_length)


def token_throughput(examples_per_sec, config, vocabulary_size, peak_flops):
    """Tokens per second and model FLOPs utilisation against the measured `peak_flops`."""
    per_token = flops_per_token(config, vocabulary_size)
    tokens_per_sec = examples_per_sec * config.sequence_length
    return {"tokens_per_sec": round(tokens_per_sec, 1),
            "flops_per_token": per_token,
            "peak_flops_per_sec": round(peak_flops),
            "model_flops_utilization": round(tokens_per_sec * per_token / peak_flops, 4)}


def cross_entropy_metrics(validation_loss, corpus_info):
    """Validation cross-entropy, and on the synthetic language its ratio to the source's
    closed-form entropy rate (1.0 is the floor)."""
    metrics = {"validation_cross_entropy": validation_loss}
    if corpus_info.get("synthetic"):
        rate = corpus_info["entropy_rate_nats_per_char"]
        metrics.update(entropy_rate_nats_per_char=rate,
                       validation_cross_entropy_over_entropy_rate=validation_loss / rate)
    return metrics


def cross_entropy_figure(history, entropy_rate):
    """Training and validation cross-entropy against the synthetic source's entropy rate."""
    return plot_history(history, "Synthetic language: cross-entropy in nats per character",
                        metrics=["loss"], references={"loss": (entropy_rate, "entropy rate")})


def write_sample(generator, tokenizer, prompt, config, path, synthetic):
    """Generates `config.sample_tokens` after `prompt`, writes them with their settings to
    `path` and returns the generated text."""
    tokens = tf.function(generator.generate)(
        tokenizer.encode(prompt)[None], config.sample_tokens, seed=config.seed,
        temperature=config.sample_temperature, top_k=config.sample_top_k,
        top_p=config.sample_top_p)
    sample = tokenizer.decode(tokens[0].numpy())
    heading = "Synthetic language. " if synthetic else ""
    with open(path, "w", encoding="utf-8") as file:
        file.write(f"{heading}{sample_settings(prompt, config)}:\n\n{prompt}{sample}\n")
    return sample


def sample_settings(prompt, config):
    """How the sample was drawn, in one line."""
    return (f"Prompt {prompt!r}, temperature {config.sample_temperature}, top-k "
            f"{config.sample_top_k}, top-p {config.sample_top_p}, seed {config.seed}")


def synthetic_sample_metrics(seed, sample):
    """How a sample keeps to the synthetic source: the share of its words that exist and
    of its word pairs the source can emit."""
    fidelity = SyntheticLanguage.make(seed=seed).sample_fidelity(sample)
    return {f"sample_{name}": value for name, value in fidelity.items()}


def first_words(text, chars):
    """`text` cut at the first space after `chars` characters: a prompt from held-out text."""
    end = text.find(" ", chars)
    return text[:end] if end > 0 else text[:chars]


def export_name(data):
    """`austen_net` for the novels, else `austen_net_<corpus>`."""
    if data == "austen":
        return "austen_net"
    return "austen_net_" + "".join(c if c.isalnum() else "_"
                                   for c in os.path.basename(data.rstrip("/")))
