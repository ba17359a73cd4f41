import io
import os

import numpy as np
import pytest
import tensorflow as tf
from tiny_decoder_lm import spread_weights

from dlx_tf.export import export_saved_model
from dlx_tf.export.text_generator import text_generator_endpoints
from dlx_tf.models.decoder_lm.char_tokenizer import CharTokenizer
from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM
from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator
from dlx_tf.projects.austen_net.generate import CHUNK_TOKENS, main

CONTEXT = 16


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny DecoderLM saved as a run folder: `(run_dir, model, tokenizer)`."""
    tokenizer = CharTokenizer.fit("abc de.")
    model = DecoderLM(vocabulary_size=tokenizer.vocabulary_size, sequence_length=CONTEXT,
                      num_layers=1, num_heads=2, hidden_dim=16, intermediate_dim=32)
    model(np.zeros((1, CONTEXT), "int32"))
    spread_weights(model, seed=9)  # a seed whose greedy stream varies
    run_dir = tmp_path_factory.mktemp("run")
    os.makedirs(run_dir / "model")
    model.save(run_dir / "model" / "decoder_lm.keras")
    tokenizer.save(run_dir / "model" / "tokenizer.json")
    return str(run_dir), model, tokenizer


def test_run_folder_streams_the_prompt_then_the_greedy_tokens(trained):
    run_dir, model, tokenizer = trained
    out = io.StringIO()
    assert main([run_dir, "--tokens", "40", "--temperature", "0", "--prompt", "abc"],
                out=out) == 0
    tokens = tf.function(DecoderLMGenerator(model).generate)(
        tokenizer.encode("abc")[None], 40, temperature=0.0)
    expected = tokenizer.decode(tokens[0].numpy())
    assert len(set(expected)) >= 3  # a varied stream, so equality means something
    assert out.getvalue() == "abc" + expected + "\n"


def test_saved_model_folder_generates_in_chunks_with_advancing_seeds(trained, tmp_path):
    _, model, tokenizer = trained
    exported = export_saved_model(
        "austen_net_test", resources=[model],
        endpoints=text_generator_endpoints(DecoderLMGenerator(model), tokenizer),
        warmup_inputs={"prompts": np.array([b"abc"], object),
                       "max_new_tokens": np.int32(8), "temperature": np.float32(0.8),
                       "top_k": np.int32(0), "top_p": np.float32(0.95), "seed": np.int64(0)},
        manifest={"experiment": "test"}, base_dir=tmp_path / "saved_models")
    out = io.StringIO()
    assert main([os.path.dirname(exported.path), "--tokens", "100", "--prompt", "abc",
                 "--seed", "5"], out=out) == 0
    text = out.getvalue()
    assert text.startswith("abc") and text.endswith("\n")
    generated = text[3:-1]
    assert len(generated) == 100
    assert set(generated) <= set(tokenizer.characters) | {"\ufffd"}  # U+FFFD: id 0

    # 100 tokens cross a chunk: the second chunk continues the whole text, seed + 1.
    serve = tf.saved_model.load(exported.path).signatures["serving_default"]

    def chunk(prompt, size, seed):
        return serve(prompts=tf.constant([prompt.encode()]), max_new_tokens=tf.constant(size),
                     temperature=tf.constant(0.8), top_k=tf.constant(0),
                     top_p=tf.constant(0.95), seed=tf.constant(seed, tf.int64)
                     )["text"][0].numpy().decode()

    first = chunk("abc", CHUNK_TOKENS, 5)
    assert generated == first + chunk("abc" + first, 100 - CHUNK_TOKENS, 6)


def test_unknown_prompt_characters_warn_once_and_ctrl_c_ends_an_endless_stream(
        trained, capsys):
    run_dir, _, _ = trained

    class InterruptedTerminal(io.StringIO):
        """Ctrl-C once 30 characters follow the prompt."""

        interrupted = False

        def write(self, text):
            if not self.interrupted and len(self.getvalue()) >= 5 + 30:
                self.interrupted = True
                raise KeyboardInterrupt
            return super().write(text)

    out = InterruptedTerminal()
    assert main([run_dir, "--tokens", "0", "--prompt", "aXbXZ"], out=out) == 0
    assert out.interrupted
    text = out.getvalue()
    assert text.startswith("aXbXZ") and text.endswith("\n") and len(text) == 5 + 30 + 1
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "'X', 'Z'" in warnings[0]


def test_a_folder_in_neither_layout_exits_2_naming_it(tmp_path, capsys):
    source = tmp_path / "not_a_model"
    source.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main([str(source)], out=io.StringIO())
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert str(source) in error and "run folder" in error and "SavedModel" in error
    assert len(error.strip().splitlines()) == 1


def test_an_empty_prompt_exits_2(trained, capsys):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        main([trained[0], "--prompt", ""], out=out)
    assert exit_info.value.code == 2
    assert "--prompt" in capsys.readouterr().err
    assert out.getvalue() == ""


@pytest.mark.parametrize("flag, value, message", [
    ("--temperature", "-1", "--temperature: expected a value ≥ 0, got -1.0"),
    ("--temperature", "nan", "--temperature: expected a value ≥ 0, got nan"),
    ("--top-k", "-2", "--top-k: expected a value ≥ 0, got -2"),
    ("--top-p", "0", "--top-p: expected a value in (0, 1], got 0.0"),
])
def test_sampling_settings_follow_the_rules_the_serving_signature_checks(
        trained, capsys, flag, value, message):
    with pytest.raises(SystemExit) as exit_info:
        main([trained[0], flag, value], out=io.StringIO())
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip() == f"error: {message}"
