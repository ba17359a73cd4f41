"""Austen-Net: a character-level decoder-only transformer that writes in Jane Austen's
style without end.

    python experiments/austen_net.py                   # smoke: offline synthetic language
    python experiments/austen_net.py --profile paper   # the eight novels from Project Gutenberg
    python -m dlx_tf.generate runs/austen_net/paper --tokens 0    # stream text until Ctrl-C
    python -m dlx_tf.generate runs/austen_net/smoke --prompt " darepa vo"   # synthetic words

Smoke (2 CPU cores, seed 0): see README "Austen-Net"; validation cross-entropy comes within
10 % of the synthetic source's closed-form entropy rate, and the sample it writes parses as
the synthetic language. Paper: the GPT-2 block (pre-LN, GELU, tied embeddings) at the
size and schedule of nanoGPT's shakespeare_char baseline (6 layers, 6 heads, width 384,
context 256, dropout 0.2, AdamW lr 1e-3 → 1e-4 cosine, warmup 100, β2 0.99, clip 1.0).
"""

import dataclasses
import os

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.data.char_tokenizer import CharTokenizer
from dlx_tf.data.language_model_windows import evaluation_windows, training_windows, window_counts
from dlx_tf.data.synthetic_language import SyntheticLanguage
from dlx_tf.data.text_corpus import load_text_corpus
from dlx_tf.export.text_generator import text_generator_endpoints
from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM
from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator
from dlx_tf.models.decoder_lm.language_model_trainer import LanguageModelTrainer
from dlx_tf.training.flops import measure_matmul_flops, transformer_training_flops_per_token
from dlx_tf.training.job import ExperimentConfig, ExportSpec, Job
from dlx_tf.training.run_record import RunRecord
from dlx_tf.training.runner import run_experiment
from dlx_tf.viz.curves import plot_history


@dataclasses.dataclass(frozen=True)
class AustenNetConfig(ExperimentConfig):
    data: str = "austen"
    epochs: int = 10
    batch_size: int = 64
    sequence_length: int = 256
    training_stride: int = 128
    num_layers: int = 6
    num_heads: int = 6
    hidden_dim: int = 384
    intermediate_dim: int = 1536
    dropout: float = 0.2
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-4
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta_2: float = 0.99
    clip_norm: float = 1.0
    validation_every: int = 10
    synthetic_train_chars: int = 300_000
    synthetic_validation_chars: int = 30_000
    jit_compile: bool = True
    prompt: str = "It is a truth universally acknowledged"
    sample_tokens: int = 2000
    sample_temperature: float = 0.8
    sample_top_k: int = 0
    sample_top_p: float = 0.95


PROFILES = {
    "paper": AustenNetConfig(),
    "smoke": AustenNetConfig(
        data="synthetic", epochs=6, batch_size=32, sequence_length=64, training_stride=64,
        num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=256, dropout=0.0,
        learning_rate=5e-3, final_learning_rate=5e-4, warmup_steps=50, prompt="",
        sample_tokens=1000, sample_temperature=1.0, sample_top_p=1.0),
}


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
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(total_steps - config.warmup_steps, 1),
        alpha=config.final_learning_rate / config.learning_rate,
        warmup_target=config.learning_rate, warmup_steps=config.warmup_steps)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=config.weight_decay,
                                       beta_2=config.beta_2)
    # GPT-2 practice: no decay on biases and layer-norm gains and offsets.
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def build(config, env):
    corpus = load_text_corpus(
        config.data, validation_every=config.validation_every, seed=config.seed,
        synthetic_options={"train_chars": config.synthetic_train_chars,
                           "validation_chars": config.synthetic_validation_chars})
    tokenizer = CharTokenizer.fit(corpus.train)
    train_ids, validation_ids = tokenizer.encode(corpus.train), tokenizer.encode(corpus.validation)
    length = config.sequence_length
    counts = window_counts(len(train_ids), length, config.training_stride)
    steps = counts["training_windows"] // config.batch_size
    model = make_model(config, tokenizer.vocabulary_size)
    trainer = LanguageModelTrainer(model, clip_norm=config.clip_norm, name="trainer")
    trainer.compile(make_optimizer(config, steps * config.epochs), jit_compile=config.jit_compile)

    data_info = {
        **corpus.info,
        "tokenizer": "characters",
        "vocabulary_size": tokenizer.vocabulary_size,
        "train_tokens": len(train_ids),
        "validation_tokens": len(validation_ids),
        "validation_unknown_tokens": int(np.sum(validation_ids == CharTokenizer.UNKNOWN_ID)),
        "train_examples": counts["training_windows"],
        "validation_examples": window_counts(len(validation_ids), length)["evaluation_windows"],
    }
    flops_per_token = transformer_training_flops_per_token(
        DecoderLM.parameter_count(tokenizer.vocabulary_size, length, config.num_layers,
                                  config.hidden_dim, config.intermediate_dim),
        config.num_layers, config.num_heads, model.head_dim, length)
    peak = measure_matmul_flops()

    def extend_throughput(measured):
        tokens_per_sec = measured["examples_per_sec"] * length
        return {"tokens_per_sec": round(tokens_per_sec, 1),
                "flops_per_token": flops_per_token,
                "peak_flops_per_sec": round(peak),
                "model_flops_utilization": round(tokens_per_sec * flops_per_token / peak, 4)}

    generator = DecoderLMGenerator(model)
    prompt = config.prompt or _first_words(corpus.validation, 40)
    model_dir = os.path.join(env.run_dir, "model")
    sample_path = os.path.join(env.run_dir, "sample.txt")

    def evaluate(final):
        loss = final["val_loss"]
        metrics = {"validation_cross_entropy": loss}
        synthetic = corpus.info.get("synthetic")
        if synthetic:
            rate = corpus.info["entropy_rate_nats_per_char"]
            metrics.update(entropy_rate_nats_per_char=rate,
                           validation_cross_entropy_over_entropy_rate=loss / rate)
        if env.is_chief:
            sample = _write_sample(generator, tokenizer, prompt, config, sample_path, synthetic)
            if synthetic:
                metrics.update(_judge_synthetic_sample(config, sample))
        return metrics

    def plots():
        os.makedirs(model_dir, exist_ok=True)
        model.save(os.path.join(model_dir, "decoder_lm.keras"))
        tokenizer.save(os.path.join(model_dir, "tokenizer.json"))
        artifacts = {"sample": sample_path, "model": model_dir}
        if corpus.info.get("synthetic"):
            artifacts["cross_entropy"] = os.path.join(env.plots_dir, "cross_entropy.png")
            rate = corpus.info["entropy_rate_nats_per_char"]
            plot_history(RunRecord.load(env.run_dir)["history"], artifacts["cross_entropy"],
                         "Synthetic language: cross-entropy in nats per character",
                         metrics=["loss"], references={"loss": (rate, "entropy rate")})
        return artifacts

    def exports(metrics):
        name = "austen_net" if config.data == "austen" else f"austen_net_{_slug(config.data)}"
        return [ExportSpec(
            model_name=name,
            resources=[model],
            endpoints=text_generator_endpoints(generator, tokenizer),
            warmup_inputs={"prompts": np.array([prompt.encode()], object),
                           "max_new_tokens": np.int32(32), "temperature": np.float32(0.8),
                           "top_k": np.int32(0), "top_p": np.float32(0.95),
                           "seed": np.int64(config.seed)},
        )]

    return Job(
        model=trainer,
        train_data=training_windows(train_ids, length, config.training_stride),
        validation_data=evaluation_windows(validation_ids, length),
        data_info=data_info,
        submodels={"decoder_lm": model},
        extend_throughput=extend_throughput,
        evaluate=evaluate,
        plots=plots,
        exports=exports,
    )


def _write_sample(generator, tokenizer, prompt, config, path, synthetic):
    tokens = tf.function(generator.generate)(
        tokenizer.encode(prompt)[None], config.sample_tokens, seed=config.seed,
        temperature=config.sample_temperature, top_k=config.sample_top_k,
        top_p=config.sample_top_p)
    sample = tokenizer.decode(tokens[0].numpy())
    heading = "Synthetic language. " if synthetic else ""
    with open(path, "w", encoding="utf-8") as file:
        file.write(f"{heading}Prompt {prompt!r}, temperature {config.sample_temperature}, "
                   f"top-k {config.sample_top_k}, top-p {config.sample_top_p}, seed "
                   f"{config.seed}:\n\n{prompt}{sample}\n")
    return sample


def _judge_synthetic_sample(config, sample):
    """How the sample keeps to the true source: the share of its words that exist and of
    its word pairs the source can emit."""
    fidelity = SyntheticLanguage.make(seed=config.seed).sample_fidelity(sample)
    return {f"sample_{name}": value for name, value in fidelity.items()}


def _first_words(text, chars):
    end = text.find(" ", chars)
    return text[:end] if end > 0 else text[:chars]


def _slug(data):
    return "".join(c if c.isalnum() else "_" for c in os.path.basename(data.rstrip("/")))


if __name__ == "__main__":
    run_experiment("austen_net", PROFILES, build, description=__doc__)
