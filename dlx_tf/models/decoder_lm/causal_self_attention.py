"""Causal multi-head self-attention that can read and extend a key/value cache."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class CausalSelfAttention(keras.layers.Layer):
    """Multi-head self-attention in which position p sees positions <= p only.

    Called without a cache it attends within `x`. Called with a cache (this layer's
    `(keys, values)`, each `(batch, max_length, heads, head_dim)`, one slot per
    position of the context) and `cache_index`, it writes the keys and values of `x` at
    slots
    `cache_index ... cache_index + time - 1`, attends over the whole cache with the
    causal mask, and returns the updated cache: a new token then costs one position,
    not the whole prefix. Slots after the last written one may hold anything; the mask
    hides them.

    Vaswani et al. 2017, https://arxiv.org/abs/1706.03762, §3.2.

    Args:
        num_heads: attention heads.
        head_dim: size of each head; the model width is `num_heads * head_dim`.
        dropout: dropout on the attention weights and on the output projection.
        output_initializer_stddev: stddev of the output projection's normal init
            (GPT-2 scales it by 1/sqrt(2 * layers), Radford et al. 2019, §2.3).

    Example:
    ```python
    attention = CausalSelfAttention(num_heads=4, head_dim=16)
    y = attention(keras.ops.zeros((2, 10, 64)))  # (2, 10, 64)
    ```
    """

    def __init__(self, num_heads, head_dim, dropout=0.0, output_initializer_stddev=0.02,
                 **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.dropout = dropout
        self.output_initializer_stddev = output_initializer_stddev
        width = num_heads * head_dim
        # === Layers ===
        self.query_key_value = keras.layers.Dense(
            3 * width, kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=self.dtype_policy, name="query_key_value")
        self.output_projection = keras.layers.Dense(
            width, kernel_initializer=keras.initializers.RandomNormal(
                stddev=output_initializer_stddev),
            dtype=self.dtype_policy, name="output_projection")
        self.attention_dropout = keras.layers.Dropout(dropout)
        self.output_dropout = keras.layers.Dropout(dropout)

    def build(self, input_shape):
        self.query_key_value.build(input_shape)
        self.output_projection.build((*input_shape[:-1], self.num_heads * self.head_dim))

    def call(self, x, cache=None, cache_index=0, training=False):
        batch, time = ops.shape(x)[0], ops.shape(x)[1]
        qkv = ops.reshape(self.query_key_value(x),
                          (batch, time, 3, self.num_heads, self.head_dim))
        query, key, value = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]  # (batch, time, heads, dim)
        query_positions = cache_index + ops.arange(time)
        if cache is not None:
            # Keys and values apart: each update then copies only itself, which is most of
            # the cost of a cached step on a CPU.
            start = (0, cache_index, 0, 0)
            key = ops.slice_update(cache[0], start, ops.cast(key, cache[0].dtype))
            value = ops.slice_update(cache[1], start, ops.cast(value, cache[1].dtype))
            cache = (key, value)
        key_positions = ops.arange(ops.shape(key)[1])
        visible = query_positions[:, None] >= key_positions[None, :]  # (time, keys)
        # Scores and softmax in float32: float16 overflows on long contexts.
        scores = ops.einsum("bqhd,bkhd->bhqk", ops.cast(query, "float32"),
                            ops.cast(key, "float32")) / math.sqrt(self.head_dim)
        scores = ops.where(visible[None, None], scores, -1e9)
        weights = self.attention_dropout(ops.softmax(scores, axis=-1), training=training)
        attended = ops.einsum("bhqk,bkhd->bqhd", ops.cast(weights, value.dtype), value)
        attended = ops.reshape(attended, (batch, time, self.num_heads * self.head_dim))
        output = self.output_dropout(self.output_projection(attended), training=training)
        return output if cache is None else (output, cache)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            head_dim=self.head_dim,
            dropout=self.dropout,
            output_initializer_stddev=self.output_initializer_stddev,
        )
        return config
