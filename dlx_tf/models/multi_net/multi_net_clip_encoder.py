"""Multi-Net's clip tower: video and audio encoders, early fusion, projection."""

import keras
from keras import layers, ops

from dlx_tf.models.multi_net.nested_config import with_layers


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetClipEncoder(keras.Model):
    """A clip (uint8 frames, 16 kHz audio, `has_audio`) to an L2-normalised embedding.

    Frame tokens from `video_encoder` and audio tokens from `audio_encoder` meet in
    `fusion` (`MultiNetFusion`); a linear projection maps the fused vector into the
    space shared with the text tower, as CLIP's projection heads do (Radford et al.
    2021, https://arxiv.org/abs/2103.00020 Fig. 3). A tower whose tokens
    `fusion.mode` leaves out is not run.

    Args:
        video_encoder: a model from `[batch, frames, h, w, 3]` uint8 to
            `[batch, frames, fusion.hidden_dim]` (`MultiNetVideoEncoder`).
        audio_encoder: a model from (`[batch, samples]` float32, `[batch]` bool) to
            `[batch, time, fusion.hidden_dim]` (`MultiNetAudioEncoder`).
        fusion: a `MultiNetFusion`.
        embedding_dim: size of the shared embedding space.

    Example:
    ```python
    encoder = MultiNetClipEncoder(video_encoder, audio_encoder, fusion, embedding_dim=64)
    embeddings = encoder({"frames": frames, "audio": audio, "has_audio": has_audio})
    ```
    """

    def __init__(self, video_encoder, audio_encoder, fusion, embedding_dim, **kwargs):
        super().__init__(**kwargs)
        self.video_encoder = video_encoder
        self.audio_encoder = audio_encoder
        self.fusion = fusion
        self.embedding_dim = embedding_dim
        # === Layers ===
        self.projection = layers.Dense(embedding_dim, use_bias=False, name="clip_projection")

    @property
    def uses_audio(self):
        return self.fusion.mode in ("fusion", "audio_only")

    @property
    def uses_video(self):
        return self.fusion.mode != "audio_only"

    def build(self, inputs_shape):
        # Towers deserialised from a `.keras` file arrive built; build only the others.
        frames_shape = inputs_shape["frames"]
        if not self.video_encoder.built:
            self.video_encoder.build(frames_shape)
        audio_tokens = (frames_shape[0], None, self.fusion.hidden_dim)
        if self.uses_audio and not self.audio_encoder.built:
            self.audio_encoder.build(inputs_shape["audio"], inputs_shape["has_audio"])
        if not self.fusion.built:
            self.fusion.build(self.video_encoder.compute_output_shape(frames_shape),
                              audio_tokens)
        self.projection.build((None, self.fusion.hidden_dim))

    def call(self, inputs, training=False):
        frame_tokens = None
        if self.uses_video:
            frame_tokens = self.video_encoder(inputs["frames"], training=training)
        audio_tokens = None
        if self.uses_audio:
            audio_tokens = self.audio_encoder(inputs["audio"], inputs["has_audio"],
                                              training=training)
        fused = self.fusion(frame_tokens, audio_tokens, training=training)  # (batch, hidden)
        return ops.normalize(self.projection(fused), axis=-1)  # (batch, embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            video_encoder=keras.saving.serialize_keras_object(self.video_encoder),
            audio_encoder=keras.saving.serialize_keras_object(self.audio_encoder),
            fusion=keras.saving.serialize_keras_object(self.fusion),
            embedding_dim=self.embedding_dim,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ("video_encoder", "audio_encoder", "fusion")))
