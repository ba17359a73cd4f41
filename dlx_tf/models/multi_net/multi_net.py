"""Multi-Net: a clip tower and a text tower trained together with CLIP's contrastive loss."""

import keras
from keras import ops

from dlx_tf.losses.contrastive import LogitScale, in_batch_accuracy, symmetric_info_nce
from dlx_tf.models.multi_net.nested_config import with_layers
from dlx_tf.training.trainable import TrainableModel


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNet(TrainableModel):
    """Text-to-clip retrieval and clip recommendation in one shared embedding space.

    Trained as CLIP and CLIP4Clip are (Radford et al. 2021, https://arxiv.org/abs/2103.00020;
    Luo et al. 2021, https://arxiv.org/abs/2104.08860): the symmetric InfoNCE over the
    global batch pulls each caption towards its own clip and away from every other clip of
    the batch, with a learnable temperature (`LogitScale`). One optimizer: `compile` and
    `fit` as for any Keras model; batches are dicts `{"frames", "audio", "has_audio",
    "text"}` with `text` the token dict of the text backbone. Logs `loss`, `accuracy`
    (in-batch, both directions) and `temperature`.

    Args:
        clip_encoder: a `MultiNetClipEncoder`.
        text_encoder: a `MultiNetTextEncoder` with the same `embedding_dim`.
        initial_temperature: the temperature at the start (CLIP: 0.07).
        max_logit_scale: the cap on 1 / temperature (CLIP: 100).

    Example:
    ```python
    model = MultiNet(clip_encoder, text_encoder)
    model.compile(keras.optimizers.AdamW(1e-4))
    model.fit(dataset)  # elements {"frames", "audio", "has_audio", "text"}
    scores = model.encode_text(tokens) @ keras.ops.transpose(model.encode_clip(f, a, h))
    ```
    """

    def __init__(self, clip_encoder, text_encoder, initial_temperature=0.07,
                 max_logit_scale=100.0, **kwargs):
        super().__init__(**kwargs)
        self.clip_encoder = clip_encoder
        self.text_encoder = text_encoder
        self.initial_temperature = initial_temperature
        self.max_logit_scale = max_logit_scale
        # === Layers ===
        self.logit_scale = LogitScale(initial_temperature, max_logit_scale, name="logit_scale")
        self.accuracy_tracker = keras.metrics.Mean(name="accuracy")
        self.temperature_tracker = keras.metrics.Mean(name="temperature")

    def encode_text(self, tokens, training=False):
        """Token dict of captions → `(batch, embedding_dim)` unit vectors."""
        return self.text_encoder(tokens, training=training)

    def encode_clip(self, frames, audio, has_audio, training=False):
        """uint8 frames `[batch, frames, h, w, 3]`, float32 audio `[batch, samples]`, bool
        `has_audio` `[batch]` → `(batch, embedding_dim)` unit vectors."""
        return self.clip_encoder({"frames": frames, "audio": audio, "has_audio": has_audio},
                                 training=training)

    def call(self, inputs, training=False):
        text = self.encode_text(inputs["text"], training=training)
        clips = self.encode_clip(inputs["frames"], inputs["audio"], inputs["has_audio"],
                                 training=training)
        return {"text": text, "clips": clips}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # This replica's share of the global-batch loss; `fit` logs it times the replicas.
        loss = symmetric_info_nce(y_pred["text"], y_pred["clips"], self.logit_scale.scale)
        self.accuracy_tracker.update_state(in_batch_accuracy(y_pred["text"], y_pred["clips"]))
        self.temperature_tracker.update_state(1.0 / ops.convert_to_tensor(self.logit_scale.scale))
        return loss

    def get_config(self):
        config = super().get_config()
        config.update(
            clip_encoder=keras.saving.serialize_keras_object(self.clip_encoder),
            text_encoder=keras.saving.serialize_keras_object(self.text_encoder),
            initial_temperature=self.initial_temperature,
            max_logit_scale=self.max_logit_scale,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ("clip_encoder", "text_encoder")))
