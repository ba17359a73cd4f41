import numpy as np
import pytest
import tensorflow as tf
from fresh_request import requests_in_fresh_process
from tiny_decoder_lm import CONTEXT, make_tiny_model

from dlx_tf.export import check_export, export_saved_model
from dlx_tf.export.text_generator import text_generator_endpoints, text_generator_warmup
from dlx_tf.models.decoder_lm.char_tokenizer import CharTokenizer
from dlx_tf.models.decoder_lm.decoder_lm_generator import DecoderLMGenerator

TOKENIZER = CharTokenizer.fit("abcdefghijklmnopqrstu ")  # 22 characters + unknown = 23 ids
# Different lengths in one batch, an unknown character, and one longer than the context.
PROMPTS = ["ab", "the quiet", "unknown: Z", "a long prompt that exceeds the context"]
SETTINGS = {"max_new_tokens": 20, "temperature": 0.9, "top_k": 8, "top_p": 0.95, "seed": 4}


def _serving_inputs(prompts=PROMPTS, **overrides):
    settings = {**SETTINGS, **overrides}
    return {"prompts": np.array([p.encode() for p in prompts], object),
            "max_new_tokens": np.int32(settings["max_new_tokens"]),
            "temperature": np.float32(settings["temperature"]),
            "top_k": np.int32(settings["top_k"]), "top_p": np.float32(settings["top_p"]),
            "seed": np.int64(settings["seed"])}


def _live(generator, prompt, settings):
    tokens = generator.generate(TOKENIZER.encode(prompt)[None], settings["max_new_tokens"],
                                settings["seed"], settings["temperature"], settings["top_k"],
                                settings["top_p"])
    return TOKENIZER.decode(tokens[0].numpy())


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = make_tiny_model()
    generator = DecoderLMGenerator(model, shift=4)
    version = export_saved_model(
        "tiny_lm", resources=[model], endpoints=text_generator_endpoints(generator, TOKENIZER),
        warmup_inputs=_serving_inputs(), manifest={"experiment": "test"},
        base_dir=str(tmp_path_factory.mktemp("saved_models")))
    return model, generator, version, tf.saved_model.load(version.path)


def test_serving_default_generates_what_the_live_generator_does(exported):
    # Sampled with every filter on; greedy serving is checked end to end by the experiment.
    model, generator, _, loaded = exported
    served = loaded.signatures["serving_default"](
        **{k: tf.constant(v) for k, v in _serving_inputs().items()})["text"].numpy()
    assert [text.decode() for text in served] == [_live(generator, p, SETTINGS)
                                                  for p in PROMPTS]
    assert all(len(text.decode()) == SETTINGS["max_new_tokens"] for text in served)


def test_a_prompt_gives_the_same_text_whatever_else_is_in_the_batch(exported):
    serve = exported[3].signatures["serving_default"]
    alone = serve(**{k: tf.constant(v) for k, v in _serving_inputs(PROMPTS[1:2]).items()})
    together = serve(**{k: tf.constant(v) for k, v in _serving_inputs().items()})
    assert alone["text"].numpy()[0] == together["text"].numpy()[1]


def test_next_token_logits_match_the_model(exported):
    model, _, _, loaded = exported
    ids = TOKENIZER.encode("the quiet")[None].astype("int32")
    served = loaded.signatures["next_token_logits"](token_ids=tf.constant(ids))["logits"]
    np.testing.assert_allclose(served, model(ids)[:, -1], rtol=1e-5, atol=1e-5)
    too_long = np.zeros((1, CONTEXT + 1), "int32")
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"length: expected a value in "
                                                             rf"\[1, {CONTEXT}\]"):
        loaded.signatures["next_token_logits"](token_ids=tf.constant(too_long))


def test_fresh_process_check_passes_with_core_ops_only(exported):
    result = check_export(exported[2].path)
    assert result.returncode == 0, result.stdout
    assert "ops check: all registered in core TensorFlow" in result.stdout


def test_the_warmup_request_is_one_valid_serving_default_call(exported):
    _, generator, _, loaded = exported
    warmup = text_generator_warmup("the quiet", seed=3, max_new_tokens=6)
    served = loaded.signatures["serving_default"](
        **{name: tf.constant(value) for name, value in warmup.items()})["text"].numpy()
    settings = {"max_new_tokens": 6, "temperature": 0.8, "top_k": 0, "top_p": 0.95, "seed": 3}
    assert [text.decode() for text in served] == [_live(generator, "the quiet", settings)]


def _request(**overrides):
    """The `serving_default` inputs as a Python expression, for a fresh process."""
    settings = {**SETTINGS, **overrides}
    prompts = [p.encode() for p in settings.pop("prompts", ["ab"])]
    return (f"{{'prompts': np.array({prompts!r}, object), "
            f"'max_new_tokens': np.int32({settings['max_new_tokens']}), "
            f"'temperature': np.float32('{settings['temperature']}'), "
            f"'top_k': np.int32({settings['top_k']}), "
            f"'top_p': np.float32('{settings['top_p']}'), 'seed': np.int64({settings['seed']})}}")


# Overrides of a valid request → the refusal.
REFUSALS = [
    ({"max_new_tokens": 2**31 - 1}, "max_new_tokens: expected a value in [0, 4,096], got] "
                                    "[2147483647]"),
    ({"max_new_tokens": -1}, "max_new_tokens: expected a value in [0, 4,096], got] [-1]"),
    ({"prompts": ["ab"] * 33}, "prompts: batch size: expected a value in [0, 32], got] [33]"),
    ({"temperature": float("nan")}, "temperature: expected a value ≥ 0, got] [nan]"),
    ({"temperature": -0.5}, "temperature: expected a value ≥ 0, got] [-0.5]"),
    ({"top_k": -1}, "top_k: expected a value ≥ 0, got] [-1]"),
    ({"top_p": 0.0}, "top_p: expected a value in (0, 1], got] [0]"),
    ({"top_p": 1.5}, "top_p: expected a value in (0, 1], got] [1.5]"),
]


def test_requests_outside_the_limits_are_refused_naming_the_input(exported):
    returncode, lines = requests_in_fresh_process(
        exported[2].path, [_request(**overrides) for overrides, _ in REFUSALS])
    assert returncode == 0, lines
    assert lines == [f"refused: assertion failed: [{message}" for _, message in REFUSALS]


def test_requests_of_the_wrong_shape_are_refused_naming_the_input(exported):
    scalar_prompt = _request().replace("np.array([b'ab'], object)", "np.array(b'ab', object)")
    two_lengths = _request().replace("np.int32(20)", "np.int32([20, 20])")
    returncode, lines = requests_in_fresh_process(exported[2].path, [scalar_prompt, two_lengths])
    assert returncode == 0, lines
    assert lines == [
        "refused: assertion failed: [prompts: expected string [batch], got shape] []",
        "refused: assertion failed: [max_new_tokens: expected int32 scalar, got shape] [2]"]


def test_next_token_logits_refuses_ids_outside_the_vocabulary_and_wrong_shapes(exported):
    requests = {
        "np.array([[1, -1]], np.int32)": "token_ids: expected a value in [0, 23), got] [1 -1]",
        "np.array([[1, 23]], np.int32)": "token_ids: expected a value in [0, 23), got] [1 23]",
        "np.zeros((1, 0), np.int32)": "token_ids: length: expected a value in [1, 12], got] [0]",
        "np.zeros((3,), np.int32)": "token_ids: expected int32 [batch, length], got shape] [3]",
    }
    returncode, lines = requests_in_fresh_process(
        exported[2].path, [f"{{'token_ids': {ids}}}" for ids in requests], "next_token_logits")
    assert returncode == 0, lines
    assert lines == [f"refused: assertion failed: [{message}" for message in requests.values()]


def test_limits_can_be_set_at_export_time(tmp_path):
    model = make_tiny_model()
    endpoints = text_generator_endpoints(DecoderLMGenerator(model), TOKENIZER,
                                         limits={"max_new_tokens": 5})
    version = export_saved_model("tiny_lm", resources=[model], endpoints=endpoints,
                                 warmup_inputs=_serving_inputs(max_new_tokens=5),
                                 manifest={"experiment": "test"}, base_dir=str(tmp_path))
    serve = tf.saved_model.load(version.path).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"max_new_tokens: expected a "
                                                             r"value in \[0, 5\], got"):
        serve(**{k: tf.constant(v) for k, v in _serving_inputs(max_new_tokens=6).items()})
