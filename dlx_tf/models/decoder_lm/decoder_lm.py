"""A GPT-style decoder-only transformer language model."""

import keras
from keras import ops

from dlx_tf.models.decoder_lm.transformer_decoder_block import TransformerDecoderBlock


@keras.saving.register_keras_serializable(package="dlx_tf")
class DecoderLM(keras.Model):
    """Token ids → next-token logits, with learned positions, pre-LN blocks and tied
    input/output embeddings (Radford et al. 2019, "Language Models are Unsupervised
    Multitask Learners", §2.3; Press & Wolf 2017 for the tying).

    `call(token_ids)` scores every position of up to `sequence_length` tokens.
    `call_with_cache(token_ids, cache, cache_index)` runs tokens at absolute positions
    `cache_index...` against a key/value cache from `empty_cache` and returns the updated
    cache, for generation that costs one position per new token.

    Parameters: `V·d + T·d + L·(4d² + 2·d·f + f + 9d) + 2d` (see `parameter_count`).

    Args:
        vocabulary_size: V, number of token ids.
        sequence_length: T, the longest context (rows of the position embedding).
        num_layers: L, decoder blocks.
        num_heads: attention heads; `hidden_dim` must be a multiple of it.
        hidden_dim: d, the model width.
        intermediate_dim: f, the MLP's hidden width (4d in GPT-2).
        dropout: on the embeddings, attention weights and residual branches.
        layer_norm_epsilon: epsilon of every layer norm.

    Example:
    ```python
    model = DecoderLM(vocabulary_size=60, sequence_length=64, num_layers=2, num_heads=4,
                      hidden_dim=64, intermediate_dim=256)
    logits = model(keras.ops.zeros((2, 64), "int32"))  # (2, 64, 60)
    ```
    """

    def __init__(self, vocabulary_size, sequence_length, num_layers, num_heads, hidden_dim,
                 intermediate_dim, dropout=0.0, layer_norm_epsilon=1e-5, **kwargs):
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim {hidden_dim} is not a multiple of num_heads "
                             f"{num_heads}")
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        # === Layers ===
        initializer = keras.initializers.RandomNormal(stddev=0.02)
        self.token_embedding = keras.layers.Embedding(
            vocabulary_size, hidden_dim, embeddings_initializer=initializer,
            dtype=self.dtype_policy, name="token_embedding")
        self.position_embedding = keras.layers.Embedding(
            sequence_length, hidden_dim, embeddings_initializer=initializer,
            dtype=self.dtype_policy, name="position_embedding")
        self.embedding_dropout = keras.layers.Dropout(dropout)
        self.blocks = [
            TransformerDecoderBlock(
                num_heads, hidden_dim // num_heads, intermediate_dim, dropout,
                num_blocks=num_layers, layer_norm_epsilon=layer_norm_epsilon,
                dtype=self.dtype_policy, name=f"block_{i}")
            for i in range(num_layers)
        ]
        self.final_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="final_norm")

    @property
    def head_dim(self):
        return self.hidden_dim // self.num_heads

    def build(self, input_shape):
        self.token_embedding.build(input_shape)
        self.position_embedding.build(input_shape)
        hidden_shape = (*input_shape, self.hidden_dim)
        for block in self.blocks:
            block.build(hidden_shape)
        self.final_norm.build(hidden_shape)

    def call(self, token_ids, training=False):
        x = self._embed(token_ids, 0, training)
        for block in self.blocks:
            x = block(x, training=training)
        return self._logits(x)  # (batch, time, vocabulary)

    def call_with_cache(self, token_ids, cache, cache_index):
        """Logits for `token_ids` at positions `cache_index...`, and the updated cache.

        Args:
            token_ids: int `(batch, time)`.
            cache: one `(keys, values)` pair per layer, each `(batch, sequence_length,
                heads, head_dim)`, from `empty_cache` or an earlier call.
            cache_index: int scalar, the position of `token_ids[:, 0]`.
        """
        x = self._embed(token_ids, cache_index, training=False)
        layer_caches = []
        for block, layer_cache in zip(self.blocks, cache):
            x, layer_cache = block(x, cache=layer_cache, cache_index=cache_index)
            layer_caches.append(layer_cache)
        return self._logits(x), tuple(layer_caches)

    def empty_cache(self, batch_size):
        """A zero key/value cache for `batch_size` sequences (see `call_with_cache`)."""
        shape = (batch_size, self.sequence_length, self.num_heads, self.head_dim)
        return tuple((ops.zeros(shape, self.compute_dtype), ops.zeros(shape, self.compute_dtype))
                     for _ in self.blocks)

    @staticmethod
    def parameter_count(vocabulary_size, sequence_length, num_layers, hidden_dim,
                        intermediate_dim):
        """The analytic parameter count; the output layer shares the token embedding."""
        d, f = hidden_dim, intermediate_dim
        # Per block: 2 layer norms (4d), fused QKV (3d² + 3d), output projection (d² + d),
        # MLP (d·f + f + f·d + d).
        block = 4 * d * d + 2 * d * f + f + 9 * d
        return vocabulary_size * d + sequence_length * d + num_layers * block + 2 * d

    def _embed(self, token_ids, first_position, training):
        positions = first_position + ops.arange(ops.shape(token_ids)[1])
        x = self.token_embedding(token_ids) + self.position_embedding(positions)[None]
        return self.embedding_dropout(x, training=training)

    def _logits(self, x):
        x = self.final_norm(x)
        embeddings = ops.cast(self.token_embedding.embeddings, x.dtype)
        # float32 logits: a softmax over the vocabulary in float16 loses the tail.
        return ops.cast(ops.matmul(x, ops.transpose(embeddings)), "float32")

    def get_config(self):
        config = super().get_config()
        config.update(
            vocabulary_size=self.vocabulary_size,
            sequence_length=self.sequence_length,
            num_layers=self.num_layers,
            num_heads=self.num_heads,
            hidden_dim=self.hidden_dim,
            intermediate_dim=self.intermediate_dim,
            dropout=self.dropout,
            layer_norm_epsilon=self.layer_norm_epsilon,
        )
        return config
