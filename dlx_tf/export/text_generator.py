"""Serving signatures of a decoder language model: prompt in, generated text out."""

import numpy as np
import tensorflow as tf


def text_generator_endpoints(generator, tokenizer):
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

    def serve_prompts(prompts, max_new_tokens, temperature, top_k, top_p, seed):
        tf.debugging.assert_non_negative(max_new_tokens,
                                         message="max_new_tokens must be >= 0")

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
        with tf.control_dependencies([tf.debugging.Assert(ok, [message, tf.shape(token_ids)])]):
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
