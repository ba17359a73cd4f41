"""Serving signatures of a decoder language model: prompt in, generated text out."""

import numpy as np
import tensorflow as tf

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

    `next_token_logits` takes `token_ids` int32 `[batch, length]`, 1 <= length <=
    the context length, and returns `logits` float32 `[batch, vocabulary]` for the
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
    limits = {**GENERATOR_LIMITS, **(limits or {})}
    batch = within(0, limits["batch"])

    def serve_prompts(prompts, max_new_tokens, temperature, top_k, top_p, seed):
        checks = [within(0, limits["max_new_tokens"]).check(max_new_tokens, "max_new_tokens"),
                  batch.check(tf.size(prompts), "prompts: batch size"),
                  within(0, limits["prompt_bytes"]).check(tf.strings.length(prompts),
                                                          "prompts: bytes each"),
                  *(SAMPLING_RANGES[name].check(value, name) for name, value in
                    (("temperature", temperature), ("top_k", top_k), ("top_p", top_p)))]
        with tf.control_dependencies(checks):
            prompts = tf.identity(prompts)

        def continue_prompt(prompt):
            tokens = generator.generate(tokenizer.tf_encode(prompt)[None], max_new_tokens,
                                        seed, temperature, top_k, top_p)
            return tokenizer.tf_decode(tokens[0])

        texts = tf.map_fn(continue_prompt, prompts, fn_output_signature=tf.string)
        return {"text": texts}

    def serve_logits(token_ids):
        length = tf.shape(token_ids)[1]
        ok = (length >= 1) & (length <= context)
        message = f"token_ids must be int32 [batch, length] with 1 <= length <= {context}; got"
        checks = [tf.debugging.Assert(ok, [message, tf.shape(token_ids)]),
                  batch.check(tf.shape(token_ids)[0], "token_ids: batch size")]
        with tf.control_dependencies(checks):
            logits = generator.model(tf.identity(token_ids), training=False)
        return {"logits": logits[:, -1]}

    scalar = tf.TensorShape([])
    return {
        "serving_default": (serve_prompts, [
            tf.TensorSpec([None], tf.string, name="prompts"),
            tf.TensorSpec(scalar, tf.int32, name="max_new_tokens"),
            tf.TensorSpec(scalar, tf.float32, name="temperature"),
            tf.TensorSpec(scalar, tf.int32, name="top_k"),
            tf.TensorSpec(scalar, tf.float32, name="top_p"),
            tf.TensorSpec(scalar, tf.int64, name="seed"),
        ]),
        "next_token_logits": (serve_logits, [
            tf.TensorSpec([None, None], tf.int32, name="token_ids")]),
    }


def text_generator_warmup(prompt, seed, max_new_tokens=32):
    """One `serving_default` request: `max_new_tokens` after `prompt`, temperature 0.8,
    top-p 0.95, drawn with `seed`."""
    return {"prompts": np.array([prompt.encode()], object),
            "max_new_tokens": np.int32(max_new_tokens), "temperature": np.float32(0.8),
            "top_k": np.int32(0), "top_p": np.float32(0.95), "seed": np.int64(seed)}
