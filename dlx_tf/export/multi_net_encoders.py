"""Serving signatures of Multi-Net's two towers: captions and clips into one embedding space."""

import keras
import tensorflow as tf

from dlx_tf.export.request_checks import (
    check_layout,
    check_same_batch,
    checked,
    checked_strings,
    request_spec,
)
from dlx_tf.ranges import within

# Per request: a paper-profile clip (12 frames of 224² through CLIP ViT-B/32, 10 s of audio
# through a ResNet) takes about half a second on a CPU, so 16 clips stay within seconds;
# 256 captions of 32 tokens through BERT-Base take about as long. Captions are truncated to
# the sequence length, but tokenizing comes first, so their bytes are capped. Decoded audio
# is float in [-1, 1]; int16 samples sent as float would be encoded as noise.
MULTI_NET_ENCODER_LIMITS = {"text_batch": 256, "text_bytes": 1 << 14, "clip_batch": 16,
                            "audio_peak": 1.0}


def text_embedder(model, preprocessor, batch_limit, text_bytes):
    """`texts` tf.string `[batch]` → unit embeddings float32 `[batch, dim]` through
    `preprocessor` and `model.encode_text`, after checking the layout, the batch size
    (1 to `batch_limit`) and the bytes of each text (at most `text_bytes`)."""
    if not preprocessor.built:
        # ExportArchive.track() refuses unbuilt layers; building creates the packer.
        preprocessor.build(None)

    def embed(texts):
        texts = checked_strings(texts, "texts", batch_limit, text_bytes)
        # A preprocessor called without labels returns the input dict alone.
        tokens, _, _ = keras.utils.unpack_x_y_sample_weight(preprocessor(texts))
        # Mixed precision gives float16 embeddings; serve float32.
        return tf.cast(model.encode_text(tokens, training=False), tf.float32)

    return embed


def multi_net_encoder_endpoints(model, preprocessor, frames_per_clip, frame_size,
                                audio_samples, limits=None):
    """`{"serving_default": ..., "encode_clip": ...}` for `export_saved_model`.

    `serving_default` (encode_text) takes `texts`, tf.string `[batch]`, and runs
    `preprocessor` (tokenize, truncate, pack) inside the SavedModel. `encode_clip` takes
    `frames` uint8 `[batch, frames_per_clip, frame_size, frame_size, 3]` (RGB, as
    `decode_clip` gives them), `audio` float32 `[batch, audio_samples]` (mono at the
    training rate, finite, |sample| ≤ `audio_peak`) and `has_audio` bool `[batch]`, the same
    batch for all three. Both return `embeddings` float32 `[batch, embedding_dim]`, unit
    length, so a caption's score against a clip is their dot product. A request outside
    these rules or `limits` (`MULTI_NET_ENCODER_LIMITS` updated by the given dict) is
    refused with one line naming the input, before any work; write the same limits into the
    export's manifest.

    The text signature holds TF Text ops: loading it needs `import tensorflow_text`, and
    serving it TF Serving >= 2.20 (see `text_classifier_endpoints`). Pass
    `resources=[model, preprocessor]` to `export_saved_model`.

    Args:
        model: a built `MultiNet` (its `encode_text` and `encode_clip` are served).
        preprocessor: a `keras_hub.models.BertTextClassifierPreprocessor` over the text
            backbone's vocabulary.
        frames_per_clip, frame_size, audio_samples: the clip layout of training.

    Example:
        export_saved_model(
            "multi_net_encoders",
            resources=[model, preprocessor],
            endpoints=multi_net_encoder_endpoints(model, preprocessor, 12, 224, 160_000),
            warmup_inputs={"texts": np.array([b"a red circle moves left"], object)},
            manifest={"experiment": "multi_net", "limits": MULTI_NET_ENCODER_LIMITS},
        )
    """
    limits = {**MULTI_NET_ENCODER_LIMITS, **(limits or {})}
    embed_texts = text_embedder(model, preprocessor, limits["text_batch"], limits["text_bytes"])
    peak = within(0, limits["audio_peak"])

    def serve_texts(texts):
        return {"embeddings": embed_texts(texts)}

    def serve_clips(frames, audio, has_audio):
        clip = {"frames": frames, "audio": audio, "has_audio": has_audio}
        layouts = {"frames": ("batch", frames_per_clip, frame_size, frame_size, 3),
                   "audio": ("batch", audio_samples), "has_audio": ("batch",)}
        checked_layouts = {name: check_layout(clip[name], name, layout)
                           for name, layout in layouts.items()}
        with tf.control_dependencies([layout for layout, _ in checked_layouts.values()]):
            checks = [check_same_batch(clip),
                      within(1, limits["clip_batch"]).check(checked_layouts["frames"][1][0],
                                                            "frames: batch size")]
        with tf.control_dependencies(checks):
            finite = tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(audio)), [
                "audio: expected finite samples, got NaN or infinity"])
        with tf.control_dependencies([finite]):
            # After the finite check, so NaN cannot slip through the maximum.
            checks.append(peak.check(tf.reduce_max(tf.abs(audio)), "audio: largest |sample|"))
        clip = {name: checked(tensor, checks, [size if isinstance(size, int) else None
                                               for size in layouts[name]])
                for name, tensor in clip.items()}
        embeddings = model.encode_clip(clip["frames"], clip["audio"], clip["has_audio"],
                                       training=False)
        return {"embeddings": tf.cast(embeddings, tf.float32)}

    return {
        "serving_default": (serve_texts, [request_spec(tf.string, "texts")]),
        "encode_clip": (serve_clips, [request_spec(tf.uint8, "frames"),
                                      request_spec(tf.float32, "audio"),
                                      request_spec(tf.bool, "has_audio")]),
    }
