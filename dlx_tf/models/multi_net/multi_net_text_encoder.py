"""Multi-Net's text tower: a KerasHub encoder's [CLS] output, projected and normalised."""

import keras
from keras import layers, ops

from dlx_tf.models.multi_net.nested_config import with_layers


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNetTextEncoder(keras.Model):
    """Token ids of captions to L2-normalised embeddings in the shared space.

    `backbone` is a KerasHub text encoder whose outputs include `pooled_output`, e.g.
    `keras_hub.models.BertBackbone` (Devlin et al. 2019, https://arxiv.org/abs/1810.04805):
    built small from config for smoke runs, or `BertBackbone.from_preset(name or local
    folder)`. Its [CLS] pooled output goes through a linear projection, as CLIP's text
    tower does (Radford et al. 2021, https://arxiv.org/abs/2103.00020 Fig. 3). Strings
    become token ids in `tf.data` with the matching KerasHub preprocessor.

    Args:
        backbone: the KerasHub backbone.
        embedding_dim: size of the shared embedding space.

    Example:
    ```python
    backbone = keras_hub.models.BertBackbone(vocabulary_size=100, num_layers=1,
        num_heads=2, hidden_dim=32, intermediate_dim=64, max_sequence_length=16)
    encoder = MultiNetTextEncoder(backbone, embedding_dim=64)
    embeddings = encoder({"token_ids": ids, "segment_ids": segments, "padding_mask": mask})
    ```
    """

    def __init__(self, backbone, embedding_dim, **kwargs):
        super().__init__(**kwargs)
        self.backbone = backbone
        self.embedding_dim = embedding_dim
        # === Layers ===
        self.projection = layers.Dense(embedding_dim, use_bias=False, name="text_projection")

    def build(self, inputs_shape):
        self.projection.build((None, self.backbone.hidden_dim))

    def call(self, inputs, training=False):
        pooled = self.backbone(inputs, training=training)["pooled_output"]  # (batch, hidden)
        return ops.normalize(self.projection(pooled), axis=-1)  # (batch, embedding_dim)

    def get_config(self):
        config = super().get_config()
        config.update(backbone=keras.saving.serialize_keras_object(self.backbone),
                      embedding_dim=self.embedding_dim)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ["backbone"]))
