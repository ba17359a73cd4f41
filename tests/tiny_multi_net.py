"""Tiny Multi-Net towers and batches shared by the multi_net tests."""

import keras_hub
import numpy as np

from dlx_tf.models.multi_net import (
    MultiNetAudioEncoder,
    MultiNetClipEncoder,
    MultiNetFusion,
    MultiNetTextEncoder,
    MultiNetVideoEncoder,
)

HIDDEN = 16
SEQUENCE_LENGTH = 8


def tiny_clip_encoder(mode="fusion", embedding_dim=12):
    return MultiNetClipEncoder(
        MultiNetVideoEncoder(HIDDEN, filters=(4, 8)),
        MultiNetAudioEncoder(HIDDEN, width=4, stackwise_num_blocks=(1, 1), num_mel_bins=16),
        MultiNetFusion(HIDDEN, num_layers=1, num_heads=2, intermediate_dim=24,
                       max_video_tokens=4, max_audio_tokens=16, mode=mode),
        embedding_dim,
    )


def tiny_text_encoder(embedding_dim=12, vocabulary_size=30, pooling="mean"):
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=vocabulary_size, num_layers=1, num_heads=2, hidden_dim=HIDDEN,
        intermediate_dim=24, max_sequence_length=SEQUENCE_LENGTH)
    return MultiNetTextEncoder(backbone, embedding_dim, pooling=pooling)


def clip_batch(size, seed=0):
    """Random clips: 3 frames of 20 × 28, half a second of 16 kHz audio, one silent."""
    rng = np.random.default_rng(seed)
    return {
        "frames": rng.integers(0, 256, size=(size, 3, 20, 28, 3), dtype="uint8"),
        "audio": rng.normal(size=(size, 8000)).astype("float32"),
        "has_audio": np.arange(size) != 1,
    }


def token_batch(size, seed=0, vocabulary_size=30):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, SEQUENCE_LENGTH + 1, size=size)
    mask = np.arange(SEQUENCE_LENGTH)[None, :] < lengths[:, None]
    ids = rng.integers(5, vocabulary_size, size=(size, SEQUENCE_LENGTH)) * mask
    return {"token_ids": ids.astype("int32"), "segment_ids": np.zeros_like(ids, "int32"),
            "padding_mask": mask}
