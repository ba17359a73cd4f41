"""Generation from a `DecoderLM`: a key/value cache, and a window that slides forever."""

import tensorflow as tf

from dlx_tf.models.decoder_lm.token_sampling import sample_next_tokens


class DecoderLMGenerator:
    """Generates tokens from a `DecoderLM`, with or without a key/value cache, past the
    model's context length without end.

    The context window holds at most `sequence_length` (T) tokens. When it is full, the
    oldest `shift` tokens leave it and, with the cache, the cache is rebuilt by one
    forward pass over the remaining `T - shift` tokens (learned absolute positions mean
    every cached key changes when the window moves, so the cache cannot simply be
    rolled). Each new token is therefore drawn given the last `T - shift + 1` to `T`
    tokens, and the rebuild costs `T - shift` positions once every `shift` tokens. The
    uncached path recomputes the whole window for every token, with the same window
    rule, so cached and uncached greedy decoding give the same tokens.

    Everything is TensorFlow ops on tensors, so `generate` runs inside an exported
    SavedModel and `stream` prints tokens as they come.

    Args:
        model: a built `DecoderLM`.
        shift: tokens the window moves by when full (default T // 2), in [1, T - 1].
        use_cache: generate with the key/value cache (one position per token) or by
            recomputing the window (the reference the cache is tested against).

    Example:
    ```python
    generator = DecoderLMGenerator(model)
    tokens = generator.generate(prompt_ids, num_tokens=500, seed=7, temperature=0.8)
    ```
    """

    def __init__(self, model, shift=None, use_cache=True):
        length = model.sequence_length
        shift = length // 2 if shift is None else shift
        if not 0 < shift < length:
            raise ValueError(f"shift must be in [1, {length - 1}] for a context of {length} "
                             f"tokens; got {shift}")
        self.model = model
        self.shift = shift
        self.use_cache = use_cache
        self._compiled_start = tf.function(self.start)
        self._compiled_step = tf.function(self.step)

    def start(self, prompt_ids):
        """The generation state after reading `prompt_ids`, int `(batch, length >= 1)`;
        only the last `sequence_length` prompt tokens are kept."""
        length = self.model.sequence_length
        prompt = tf.convert_to_tensor(prompt_ids, tf.int32)
        tf.debugging.assert_positive(tf.shape(prompt)[1],
                                     message="the prompt must hold at least one token")
        prompt = prompt[:, -length:]
        used = tf.shape(prompt)[1]
        window = tf.pad(prompt, [[0, 0], [0, length - used]])
        logits, cache = self._read(window, used)
        return {"window": window, "length": used, "cache": cache, "logits": logits}

    def step(self, state, seed, temperature=1.0, top_k=0, top_p=1.0):
        """Samples one token per sequence and advances the state; returns
        `(state, tokens)`, tokens int32 `(batch,)`. `seed` is int `[2]`."""
        token = sample_next_tokens(state["logits"], seed, temperature, top_k, top_p)
        window, used, cache = tf.cond(
            state["length"] >= self.model.sequence_length,
            lambda: self._slide(state["window"]),
            lambda: (state["window"], state["length"], state["cache"]),
        )
        positions = tf.range(self.model.sequence_length)[None]
        window = tf.where(positions == used, token[:, None], window)
        if self.use_cache:
            logits, cache = self.model.call_with_cache(token[:, None], cache, used)
            logits = logits[:, 0]
        else:
            logits = self.model(window[:, : used + 1])[:, -1]
        return {"window": window, "length": used + 1, "cache": cache, "logits": logits}, token

    def generate(self, prompt_ids, num_tokens, seed=0, temperature=1.0, top_k=0, top_p=1.0):
        """`num_tokens` new tokens after `prompt_ids`, int32 `(batch, num_tokens)`, in one
        `tf.while_loop`; step i draws with the seed `[seed, i]`."""
        state = self.start(prompt_ids)
        tokens = tf.TensorArray(tf.int32, size=num_tokens)

        def body(i, state, tokens):
            state, token = self.step(state, _step_seed(seed, i), temperature, top_k, top_p)
            return i + 1, state, tokens.write(i, token)

        _, _, tokens = tf.while_loop(lambda i, *_: i < num_tokens, body,
                                     (tf.constant(0), state, tokens))
        return tf.transpose(tokens.stack())

    def stream(self, prompt_ids, num_tokens=None, seed=0, temperature=1.0, top_k=0, top_p=1.0):
        """Yields each new token, int32 `(batch,)`, as soon as it is drawn; without
        `num_tokens`, forever. Same tokens as `generate` for the same arguments."""
        state = self._compiled_start(tf.convert_to_tensor(prompt_ids, tf.int32))
        settings = (tf.constant(temperature, tf.float32), tf.constant(top_k, tf.int32),
                    tf.constant(top_p, tf.float32))
        i = 0
        while num_tokens is None or i < num_tokens:
            state, token = self._compiled_step(state, _step_seed(seed, i), *settings)
            yield token.numpy()
            i += 1

    def _read(self, window, used):
        """Next-token logits after the first `used` tokens of `window`, and their cache."""
        tokens = window[:, :used]
        if not self.use_cache:
            return self.model(tokens)[:, -1], tf.zeros([0], self.model.compute_dtype)
        batch = tf.shape(window)[0]
        logits, cache = self.model.call_with_cache(tokens, self.model.empty_cache(batch), 0)
        return logits[:, -1], cache

    def _slide(self, window):
        kept = self.model.sequence_length - self.shift
        window = tf.concat([window[:, self.shift:], tf.zeros_like(window[:, : self.shift])], 1)
        _, cache = self._read(window, kept)
        return window, tf.constant(kept), cache


def _step_seed(seed, i):
    return tf.stack([tf.cast(seed, tf.int64), tf.cast(i, tf.int64)])
