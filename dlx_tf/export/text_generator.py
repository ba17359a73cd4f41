"""Serving signatures of a decoder language model: prompt in, generated text out."""

import numpy as np
import tensorflow as tf

from dlx_tf.export.request_checks import check_layout, checked, request_spec
from dlx_tf.models.decoder_lm.token_sampling import SAMPLING_RANGES
from dlx_tf.ranges import within

# Per request. 10**8 new tokens allocated 3.7 GB and would have run ~16 h; 2**31-1 ended
# the server in std::bad_alloc. Prompts: the generate command sends at most 64 Ki
# characters, up to 4 bytes each.
GENERATOR_LIMITS = {"max_new_tokens": 4096, "batch": 32, "prompt_bytes": 1 << 18}


def text_generator_endpoints(generator, tokenizer, limits=None):
    """`{"serving_default": ..., "next_token_logits": ...}` for `export_saved_model`.

    `serving_default` takes `prompts` tf.string `[batch]` and the scalars
    `max_new_tokens` (int32), `temperature` (float32, 0 = greedy), `top_k` (int32, 0 =
    off), `top_p` (float32, 1 = off) and `seed` (int64); it returns `text`, tf.string
    `[batch]`, the continuation of each prompt. Tokenizing, the cached generation loop
    (`tf.while_loop`, window sliding past the context) and detokenizing all run inside
    the SavedModel in core TF ops. Each prompt is generated on its own, so a prompt and
    a seed give the same text whatever else is in the batch.

    `next_token_logits` takes `token_ids` int32 `[batch, length]`, ids in [0, vocabulary),
    1 <= length <= the context length, and returns `logits` float32 `[batch, vocabulary]` for the
    token after the last.

    Every input is checked in the graph before any work: the sampling settings against
    `SAMPLING_RANGES` (the generate command's rules), sizes against `limits`
    (`GENERATOR_LIMITS` updated by the given dict: new tokens, prompts or rows per
    request, bytes per prompt); a request outside them is refused with an error naming
    the input and its range. Write the same limits into the export's manifest.

    Pass `resources=[generator.model]` to `export_saved_model`.

    Args:
        generator: a `DecoderLMGenerator` (its `shift` and cache setting are exported).
        tokenizer: the `CharTokenizer` the model was trained with; its characters
            become constants of the graph, so the SavedModel needs no other file.

    Example:
        export_saved_model(
            "austen_net", resources=[model],
            endpoints=text_generator_endpoints(DecoderLMGenerator(model), tokenizer),
            warmup_inputs={"prompts": np.array([b"It is a truth"], object),
                           "max_new_tokens": np.int32(32), "temperature": np.float32(0.8),
                           "top_k": np.int32(0), "top_p": np.float32(0.95),
                           "seed": np.int64(0)},
            manifest={"experiment": "austen_net"},
        )
    """
    context = generator.model.sequence_length
    vocabulary = generator.model.vocabulary_size
    limits = {**GENERATOR_LIMITS, **(limits or {})}
    batch = within(0, limits["batch"])

    def serve_prompts(prompts, max_new_tokens, temperature, top_k, top_p, seed):
        settings = {"max_new_tokens": max_new_tokens, "temperature": temperature,
                    "top_k": top_k, "top_p": top_p, "seed": seed}
        layout, sizes = check_layout(prompts, "prompts", ("batch",))
        layouts = [layout, *(check_layout(value, name, ())[0] for name, value in settings.items())]
        with tf.control_dependencies(layouts):
            checks = [within(0, limits["max_new_tokens"]).check(max_new_tokens, "max_new_tokens"),
                      batch.check(sizes[0], "prompts: batch size"),
                      within(0, limits["prompt_bytes"]).check(tf.strings.length(prompts),
                                                              "prompts: bytes each"),
                      *(SAMPLING_RANGES[name].check(settings[name], name)
                        for name in ("temperature", "top_k", "top_p"))]
        prompts = checked(prompts, checks, [None])
        settings = {name: checked(value, checks, []) for name, value in settings.items()}

        def continue_prompt(prompt):
            tokens = generator.generate(
                tokenizer.tf_encode(prompt)[None], settings["max_new_tokens"], settings["seed"],
                settings["temperature"], settings["top_k"], settings["top_p"])
            return tokenizer.tf_decode(tokens[0])

        texts = tf.map_fn(continue_prompt, prompts, fn_output_signature=tf.string)
        return {"text": texts}

    def serve_logits(token_ids):
        layout, sizes = check_layout(token_ids, "token_ids", ("batch", "length"))
        with tf.control_dependencies([layout]):
            checks = [within(1, context).check(sizes[1], "token_ids: length"),
                      batch.check(sizes[0], "token_ids: batch size"),
                      within(0, vocabulary, high_open=True).check(token_ids, "token_ids")]
        logits = generator.model(checked(token_ids, checks, [None, None]), training=False)
        return {"logits": logits[:, -1]}

    names = ("prompts", "max_new_tokens", "temperature", "top_k", "top_p", "seed")
    dtypes = (tf.string, tf.int32, tf.float32, tf.int32, tf.float32, tf.int64)
    return {
        "serving_default": (serve_prompts, [request_spec(dtype, name)
                                            for dtype, name in zip(dtypes, names)]),
        "next_token_logits": (serve_logits, [request_spec(tf.int32, "token_ids")]),
    }


def text_generator_warmup(prompt, seed, max_new_tokens=32):
    """One `serving_default` request: `max_new_tokens` after `prompt`, temperature 0.8,
    top-p 0.95, drawn with `seed`."""
    return {"prompts": np.array([prompt.encode()], object),
            "max_new_tokens": np.int32(max_new_tokens), "temperature": np.float32(0.8),
            "top_k": np.int32(0), "top_p": np.float32(0.95), "seed": np.int64(seed)}
