"""Multi-Net's early fusion: frame and audio tokens through one joint transformer."""

import keras
import keras_hub
from keras import layers, ops

from dlx_tf.errors import UsageError

MODES = ("fusion", "video_only", "audio_only", "video_mean_pool")


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetFusion(keras.layers.Layer):
    """Fuses frame tokens and audio tokens into one clip vector before pooling.

    Each modality's tokens are layer-normalised first, as encoders of different
    families give tokens of different scales (at initialisation the audio ResNet's are
    ~20× larger than the small frame encoder's). Each token then gets a learned modality
    embedding and a learned position embedding within its modality; a learned [CLS]
    token is prepended, the sequence goes through `num_layers` transformer encoder blocks
    (Vaswani et al. 2017, KerasHub's `TransformerEncoder`, pre-norm), and the [CLS]
    output is the clip vector. The encoder sees both modalities at once, so every
    attention layer can mix them (early fusion, not late averaging of two vectors).

    `mode` picks the ablation, always with the same architecture: `"fusion"` (both),
    `"video_only"` or `"audio_only"` (the other modality's tokens left out of the
    sequence; CLIP4Clip's seqTransf when video only), or `"video_mean_pool"`:
    CLIP4Clip's meanP (Luo et al. 2021, https://arxiv.org/abs/2104.08860 §3.2), the mean
    of the frame tokens with no transformer and no audio.

    Args:
        hidden_dim: size of the tokens in and of the clip vector out.
        num_layers: transformer encoder blocks.
        num_heads: attention heads per block.
        intermediate_dim: width of each block's feed-forward layer.
        max_video_tokens: most frame tokens (length of the video position table).
        max_audio_tokens: most audio tokens.
        mode: one of `"fusion"`, `"video_only"`, `"audio_only"`, `"video_mean_pool"`.
        dropout: dropout rate inside the blocks.

    Example:
    ```python
    fusion = MultiNetFusion(hidden_dim=32, num_layers=1, num_heads=2, intermediate_dim=64,
                            max_video_tokens=12, max_audio_tokens=32)
    clip = fusion(frame_tokens, audio_tokens)  # (batch, 32)
    ```
    """

    def __init__(self, hidden_dim, num_layers, num_heads, intermediate_dim, max_video_tokens,
                 max_audio_tokens, mode="fusion", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise UsageError(f"MultiNetFusion: mode must be one of {list(MODES)}; got {mode!r}")
        if hidden_dim % num_heads:
            raise UsageError(f"MultiNetFusion: hidden_dim ({hidden_dim}) must be a multiple of "
                             f"num_heads ({num_heads})")
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.max_video_tokens = max_video_tokens
        self.max_audio_tokens = max_audio_tokens
        self.mode = mode
        self.dropout = dropout
        # === Layers ===
        self.blocks = [
            keras_hub.layers.TransformerEncoder(
                intermediate_dim, num_heads, dropout=dropout, activation="gelu",
                normalize_first=True, name=f"fusion_block_{index}")
            for index in range(num_layers)
        ]
        self.token_norms = [layers.LayerNormalization(epsilon=1e-5, name=f"{modality}_token_norm")
                            for modality in ("video", "audio")]
        self.output_norm = layers.LayerNormalization(epsilon=1e-5, name="output_norm")

    def build(self, frame_tokens_shape, audio_tokens_shape=None):
        def weight(name, shape):
            return self.add_weight(shape=shape, name=name,
                                   initializer=keras.initializers.RandomNormal(stddev=0.02))

        self.cls_token = weight("cls_token", (self.hidden_dim,))
        self.modality_embeddings = weight("modality_embeddings", (2, self.hidden_dim))
        self.video_positions = weight("video_positions", (self.max_video_tokens, self.hidden_dim))
        self.audio_positions = weight("audio_positions", (self.max_audio_tokens, self.hidden_dim))
        for layer in [*self.blocks, *self.token_norms]:
            layer.build((None, None, self.hidden_dim))
        self.output_norm.build((None, self.hidden_dim))

    def _embed(self, tokens, modality, positions):
        count = ops.shape(tokens)[1]
        tokens = self.token_norms[modality](tokens)
        return tokens + self.modality_embeddings[modality] + positions[:count]

    def call(self, frame_tokens, audio_tokens=None, training=False):
        if self.mode == "video_mean_pool":
            return ops.mean(frame_tokens, axis=1)  # (batch, hidden_dim)
        parts = []
        if self.mode != "audio_only":
            _check_length(frame_tokens, self.max_video_tokens, "max_video_tokens")
            parts.append(self._embed(frame_tokens, 0, self.video_positions))
        if self.mode != "video_only":
            if audio_tokens is None:
                raise UsageError(f"MultiNetFusion: mode {self.mode!r} needs audio tokens")
            _check_length(audio_tokens, self.max_audio_tokens, "max_audio_tokens")
            parts.append(self._embed(audio_tokens, 1, self.audio_positions))
        reference = parts[0]
        cls = ops.broadcast_to(ops.cast(self.cls_token, reference.dtype),
                               (ops.shape(reference)[0], 1, self.hidden_dim))
        x = ops.concatenate([cls, *parts], axis=1)  # (batch, 1 + frames + audio, hidden_dim)
        for block in self.blocks:
            x = block(x, training=training)
        return self.output_norm(x[:, 0])  # (batch, hidden_dim): the [CLS] output

    def compute_output_shape(self, frame_tokens_shape, audio_tokens_shape=None):
        return (frame_tokens_shape[0], self.hidden_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            hidden_dim=self.hidden_dim,
            num_layers=self.num_layers,
            num_heads=self.num_heads,
            intermediate_dim=self.intermediate_dim,
            max_video_tokens=self.max_video_tokens,
            max_audio_tokens=self.max_audio_tokens,
            mode=self.mode,
            dropout=self.dropout,
        )
        return config


def _check_length(tokens, most, field):
    count = tokens.shape[1]
    if count is not None and count > most:
        raise UsageError(f"MultiNetFusion: {field} is {most}; got {count} tokens")
