"""Multi-Net's text tower: a KerasHub encoder's [CLS] output, projected and normalised."""

import keras
from keras import layers, ops

from dlx_tf.errors import UsageError
from dlx_tf.models.multi_net.nested_config import with_layers

POOLING = ("mean", "cls")


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetTextEncoder(keras.Model):
    """Token ids of captions to L2-normalised embeddings in the shared space.

    `backbone` is a KerasHub text encoder with `sequence_output` and `pooled_output`, e.g.
    `keras_hub.models.BertBackbone` (Devlin et al. 2019, https://arxiv.org/abs/1810.04805):
    built small from config for smoke runs, or `BertBackbone.from_preset(name or local
    folder)`. The caption vector is the mean of its tokens' outputs (`pooling="mean"`, over
    the padding mask; Sentence-BERT's choice, Reimers & Gurevych 2019,
    https://arxiv.org/abs/1908.10084 §6: better than [CLS] for sentence similarity) or the
    [CLS] `pooled_output` (`"cls"`), then a linear projection, as CLIP's text tower has
    (Radford et al. 2021, https://arxiv.org/abs/2103.00020 Fig. 3). Strings become token
    ids in `tf.data` with the matching KerasHub preprocessor.

    Args:
        backbone: the KerasHub backbone.
        embedding_dim: size of the shared embedding space.
        pooling: `"mean"` or `"cls"`.

    Example:
    ```python
    backbone = keras_hub.models.BertBackbone(vocabulary_size=100, num_layers=1,
        num_heads=2, hidden_dim=32, intermediate_dim=64, max_sequence_length=16)
    encoder = MultiNetTextEncoder(backbone, embedding_dim=64)
    embeddings = encoder({"token_ids": ids, "segment_ids": segments, "padding_mask": mask})
    ```
    """

    def __init__(self, backbone, embedding_dim, pooling="mean", **kwargs):
        super().__init__(**kwargs)
        if pooling not in POOLING:
            raise UsageError(f"MultiNetTextEncoder: pooling must be one of {list(POOLING)}; "
                             f"got {pooling!r}")
        self.backbone = backbone
        self.embedding_dim = embedding_dim
        self.pooling = pooling
        # === Layers ===
        self.projection = layers.Dense(embedding_dim, use_bias=False, name="text_projection")

    def build(self, inputs_shape):
        self.projection.build((None, self.backbone.hidden_dim))

    def call(self, inputs, training=False):
        outputs = self.backbone(inputs, training=training)
        if self.pooling == "cls":
            pooled = outputs["pooled_output"]  # (batch, hidden)
        else:
            mask = ops.cast(inputs["padding_mask"], outputs["sequence_output"].dtype)[..., None]
            pooled = ops.sum(outputs["sequence_output"] * mask, axis=1) / ops.maximum(
                ops.sum(mask, axis=1), 1.0)  # (batch, hidden)
        return ops.normalize(self.projection(pooled), axis=-1)  # (batch, embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update(backbone=keras.saving.serialize_keras_object(self.backbone),
                      embedding_dim=self.embedding_dim, pooling=self.pooling)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ["backbone"]))
