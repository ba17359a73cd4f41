"""Austen-Net: a character-level decoder-only transformer that writes in Jane Austen's
style without end.

    python experiments/austen_net.py                   # smoke: offline synthetic language
    python experiments/austen_net.py --profile paper   # the eight novels from Project Gutenberg
    python -m dlx_tf.generate runs/austen_net/paper --tokens 0    # stream text until Ctrl-C
    python -m dlx_tf.generate runs/austen_net/smoke --prompt " darepa vo"   # synthetic words

Smoke (2 CPU cores, seed 0): see docs/austen_net.md; validation cross-entropy comes within
10 % of the synthetic source's closed-form entropy rate, and the sample it writes parses as
the synthetic language. Paper: the GPT-2 block (pre-LN, GELU, tied embeddings) at the
size and schedule of nanoGPT's shakespeare_char baseline (6 layers, 6 heads, width 384,
context 256, dropout 0.2, AdamW lr 1e-3 → 1e-4 cosine, warmup 100, β2 0.99, clip 1.0).
"""

import dataclasses

from dlx_tf.data.text_corpus import load_text_corpus
from dlx_tf.export.text_generator import (
    GENERATOR_LIMITS,
    text_generator_endpoints,
    text_generator_warmup,
)
from dlx_tf.models.decoder_lm import CharTokenizer, DecoderLMGenerator, LanguageModelTrainer
from dlx_tf.models.decoder_lm.language_model_windows import evaluation_windows, training_windows
from dlx_tf.models.decoder_lm.token_sampling import SAMPLING_RANGES
from dlx_tf.projects.austen_net import austen_net_setup as setup
from dlx_tf.ranges import NON_NEGATIVE, POSITIVE, RATE, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.flops import measure_matmul_flops
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class AustenNetConfig(ExperimentConfig):
    data: str = "austen"  # austen (Gutenberg), synthetic, .txt file(s) or a folder of them
    epochs: int = 10
    # Global, of windows: nanoGPT's 64 on one GPU; a TPU v2-8/v3-8 splits it into 8 per
    # core (--set batch_size=512 keeps 64 per core).
    batch_size: int = 64
    sequence_length: int = 256  # context in characters
    training_stride: int = 128  # characters between training window starts
    num_layers: int = 6  # transformer blocks
    num_heads: int = 6  # attention heads per block
    hidden_dim: int = 384  # embedding width
    intermediate_dim: int = 1536  # feed-forward width
    dropout: float = 0.2  # on embeddings, attention and residual branches
    learning_rate: float = 1e-3  # AdamW peak, after warmup
    final_learning_rate: float = 1e-4  # where the cosine decay ends
    warmup_steps: int = 100  # linear warmup from 0
    weight_decay: float = 0.1  # AdamW, not on biases and layer-norm parameters
    beta_2: float = 0.99  # AdamW
    clip_norm: float = 1.0  # global gradient norm limit; 0 only measures it
    validation_every: int = 10  # every n-th section (chapter) of each book is validation
    synthetic_train_chars: int = 300_000  # size of `synthetic`
    synthetic_validation_chars: int = 30_000  # size of `synthetic`
    jit_compile: bool = True  # XLA-compile the train step (a TPU compiles with XLA anyway)
    # The prompt sample.txt continues; "" takes the first words of the validation text.
    prompt: str = "It is a truth universally acknowledged"
    sample_tokens: int = 2000  # characters sample.txt continues the prompt with
    sample_temperature: float = 0.8  # of sample.txt's sampling; 0 is greedy
    sample_top_k: int = 0  # keep the k likeliest characters; 0 keeps all
    sample_top_p: float = 0.95  # nucleus: keep the likeliest up to this probability; 1 is off
    # What one request to the exported generator may ask; larger ones are refused.
    serving_max_new_tokens: int = GENERATOR_LIMITS["max_new_tokens"]
    serving_batch: int = GENERATOR_LIMITS["batch"]  # prompts per request to the export, at most

    RANGES = {**ExperimentConfig.RANGES, "sequence_length": at_least(2),
              "training_stride": POSITIVE, "num_layers": POSITIVE, "num_heads": POSITIVE,
              "hidden_dim": POSITIVE, "intermediate_dim": POSITIVE,
              "dropout": within(0, 1, high_open=True), "learning_rate": RATE,
              "final_learning_rate": NON_NEGATIVE, "warmup_steps": NON_NEGATIVE,
              "weight_decay": NON_NEGATIVE, "beta_2": within(0, 1, high_open=True),
              "clip_norm": NON_NEGATIVE, "validation_every": at_least(2),
              "synthetic_train_chars": POSITIVE, "synthetic_validation_chars": POSITIVE,
              "sample_tokens": NON_NEGATIVE, "serving_max_new_tokens": POSITIVE,
              "serving_batch": POSITIVE,
              **{f"sample_{name}": allowed for name, allowed in SAMPLING_RANGES.items()}}


PROFILES = {
    # Without XLA the paper-size step ran 1.13× faster on 2 CPU cores; the smoke one 1.7×
    # slower (docs/speed.md). A TPU compiles with XLA whatever this says.
    "paper": AustenNetConfig(jit_compile=False),
    "smoke": AustenNetConfig(
        data="synthetic", epochs=6, batch_size=32, sequence_length=64, training_stride=64,
        num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=256, dropout=0.0,
        learning_rate=5e-3, final_learning_rate=5e-4, warmup_steps=50, prompt="",
        sample_tokens=1000, sample_temperature=1.0, sample_top_p=1.0),
}


def main(config, run):
    corpus = load_text_corpus(
        config.data, validation_every=config.validation_every, seed=config.seed,
        synthetic_options={"train_chars": config.synthetic_train_chars,
                           "validation_chars": config.synthetic_validation_chars})
    tokenizer = CharTokenizer.fit(corpus.train)
    train_ids, validation_ids = tokenizer.encode(corpus.train), tokenizer.encode(corpus.validation)
    info = setup.corpus_info(corpus, train_ids, validation_ids, tokenizer.vocabulary_size,
                             config.sequence_length, config.training_stride)
    run.describe_data(info)
    with run.scope():
        model = setup.make_model(config, tokenizer.vocabulary_size)
        trainer = LanguageModelTrainer(model, clip_norm=config.clip_norm, name="trainer")
        steps = info["train_examples"] // config.batch_size * config.epochs
        trainer.compile(setup.make_optimizer(config, steps), jit_compile=config.jit_compile)
    run.describe_models({"decoder_lm": model})
    final = run.fit(trainer,
                    training_windows(train_ids, config.sequence_length, config.training_stride),
                    validation_data=evaluation_windows(validation_ids, config.sequence_length))
    run.log_throughput(setup.token_throughput(
        run.throughput["examples_per_sec"], config, tokenizer.vocabulary_size,
        measure_matmul_flops()))
    run.log(setup.cross_entropy_metrics(final["val_loss"], info))

    generator = DecoderLMGenerator(model)
    prompt = config.prompt or setup.first_words(corpus.validation, 40)
    sample = setup.write_sample(generator, tokenizer, prompt, config,
                                run.artifact("sample", "sample.txt"), info.get("synthetic"))
    run.log_text("sample", prompt + sample, step=config.epochs,
                 description=setup.sample_settings(prompt, config))
    if info.get("synthetic"):
        run.log(setup.synthetic_sample_metrics(config.seed, sample))
        run.save_figure("cross_entropy", setup.cross_entropy_figure(
            run.history, info["entropy_rate_nats_per_char"]))
    run.save_models({"decoder_lm": model})
    tokenizer.save(run.artifact("tokenizer", "model/tokenizer.json"))
    limits = {**GENERATOR_LIMITS, "max_new_tokens": config.serving_max_new_tokens,
              "batch": config.serving_batch}
    run.export(setup.export_name(config.data), resources=[model],
               endpoints=text_generator_endpoints(generator, tokenizer, limits),
               warmup_inputs=text_generator_warmup(prompt, config.seed), limits=limits)


if __name__ == "__main__":
    launch("austen_net", PROFILES, main, description=__doc__)
