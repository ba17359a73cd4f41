"""One pre-layer-norm transformer decoder block."""

import keras

from dlx_tf.models.decoder_lm.causal_self_attention import CausalSelfAttention


@keras.saving.register_keras_serializable(package="dlx_tf")
class TransformerDecoderBlock(keras.layers.Layer):
    """`x + attention(norm(x))`, then `x + mlp(norm(x))`, the MLP being
    dense → GELU → dense. The GELU is the exact erf form, as nanoGPT's `nn.GELU()`; GPT-2
    itself used the tanh approximation, which differs by less than 1e-3.

    Layer norm before each sub-layer rather than after it (GPT-2, Radford et al. 2019,
    §2.3; Xiong et al. 2020, https://arxiv.org/abs/2002.04745) keeps the residual
    path an identity, so deep stacks train without a long warmup.

    Args:
        num_heads: attention heads.
        head_dim: size of each head; the block width is `num_heads * head_dim`.
        intermediate_dim: width of the MLP's hidden layer (4× the width in GPT-2).
        dropout: dropout on attention weights and on both residual branches.
        num_blocks: blocks in the whole stack, for GPT-2's 1/sqrt(2 · blocks) scaling
            of the residual projections' initial weights.
        layer_norm_epsilon: epsilon of both layer norms.

    Example:
    ```python
    block = TransformerDecoderBlock(num_heads=4, head_dim=16, intermediate_dim=256)
    y = block(keras.ops.zeros((2, 10, 64)))  # (2, 10, 64)
    ```
    """

    def __init__(self, num_heads, head_dim, intermediate_dim, dropout=0.0, num_blocks=1,
                 layer_norm_epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.head_dim = head_dim
        self.intermediate_dim = intermediate_dim
        self.dropout = dropout
        self.num_blocks = num_blocks
        self.layer_norm_epsilon = layer_norm_epsilon
        residual_stddev = 0.02 / (2 * num_blocks) ** 0.5
        # === Layers ===
        self.attention_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="attention_norm")
        self.attention = CausalSelfAttention(
            num_heads, head_dim, dropout, output_initializer_stddev=residual_stddev,
            dtype=self.dtype_policy, name="attention")
        self.mlp_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="mlp_norm")
        self.mlp_hidden = keras.layers.Dense(
            intermediate_dim, activation="gelu",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=self.dtype_policy, name="mlp_hidden")
        self.mlp_output = keras.layers.Dense(
            num_heads * head_dim,
            kernel_initializer=keras.initializers.RandomNormal(stddev=residual_stddev),
            dtype=self.dtype_policy, name="mlp_output")
        self.mlp_dropout = keras.layers.Dropout(dropout)

    def build(self, input_shape):
        self.attention_norm.build(input_shape)
        self.attention.build(input_shape)
        self.mlp_norm.build(input_shape)
        self.mlp_hidden.build(input_shape)
        self.mlp_output.build((*input_shape[:-1], self.intermediate_dim))

    def call(self, x, cache=None, cache_index=0, training=False):
        attended = self.attention(self.attention_norm(x), cache=cache, cache_index=cache_index,
                                  training=training)
        if cache is not None:
            attended, cache = attended
        x = x + attended
        hidden = self.mlp_hidden(self.mlp_norm(x))
        x = x + self.mlp_dropout(self.mlp_output(hidden), training=training)
        return x if cache is None else (x, cache)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            head_dim=self.head_dim,
            intermediate_dim=self.intermediate_dim,
            dropout=self.dropout,
            num_blocks=self.num_blocks,
            layer_norm_epsilon=self.layer_norm_epsilon,
        )
        return config
