"""Multi-Net: a clip tower and a text tower trained together with CLIP's contrastive loss."""

import keras
import tensorflow as tf
from keras import ops

from dlx_tf.errors import UsageError
from dlx_tf.losses.contrastive import LogitScale, in_batch_accuracy, symmetric_info_nce
from dlx_tf.models.multi_net.nested_config import with_layers
from dlx_tf.training.distribute import replica_seed
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


@keras.saving.register_keras_serializable(package="dlx_tf")
class MultiNet(TrainableModel):
    """Text-to-clip retrieval and clip recommendation in one shared embedding space.

    Trained as CLIP and CLIP4Clip are (Radford et al. 2021, https://arxiv.org/abs/2103.00020;
    Luo et al. 2021, https://arxiv.org/abs/2104.08860): the symmetric InfoNCE over the
    global batch pulls each caption towards its own clip and away from every other clip of
    the batch, with a learnable temperature (`LogitScale`). Batches are dicts `{"frames",
    "audio", "has_audio", "text"}` with `text` the token dict of the text backbone. Logs
    `loss`, `accuracy` (in-batch, both directions) and `temperature`.

    Transfer learning (CLIP4Clip §4.1): `compile` takes one optimizer for the new layers
    and, given `pretrained_layers` (the encoders' preset backbones), a second one for
    those, usually with a much lower learning rate. While `backbone_frozen` is True (set
    per epoch by `dlx_tf.training.unfreezing.BackboneUnfreezing`) the pretrained layers
    are not trainable, so they are not updated and their batch norms keep the preset's
    statistics.

    Audio dropout: in training, each clip's audio is hidden with probability
    `audio_dropout` (the clip then gets the "no audio" token, as silent clips do), so a
    fused model cannot lean on the sound alone. Without it the fused smoke model learned
    the sound and ignored the frames: text→video recall on captions that do not mention
    the sound stayed at chance. Modality dropout as in AV-HuBERT (Shi et al. 2022,
    https://arxiv.org/abs/2201.02184 §3.3); draws are stateless in (seed, step, replica).

    Args:
        clip_encoder: a `MultiNetClipEncoder`.
        text_encoder: a `MultiNetTextEncoder` with the same `embedding_dim`.
        initial_temperature: the temperature at the start (CLIP: 0.07).
        max_logit_scale: the cap on 1 / temperature (CLIP: 100).
        audio_dropout: the chance that a training clip's audio is hidden.
        seed: seeds the audio dropout draws.

    Example:
    ```python
    model = MultiNet(clip_encoder, text_encoder)
    model.compile(keras.optimizers.AdamW(1e-4), keras.optimizers.AdamW(1e-7),
                  pretrained_layers=[text_encoder.backbone])
    model.fit(dataset, callbacks=[BackboneUnfreezing(1)])
    scores = model.encode_text(tokens) @ keras.ops.transpose(model.encode_clip(f, a, h))
    ```
    """

    def __init__(self, clip_encoder, text_encoder, initial_temperature=0.07,
                 max_logit_scale=100.0, audio_dropout=0.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= audio_dropout < 1:
            raise UsageError(f"MultiNet: audio_dropout must be in [0, 1); got {audio_dropout}")
        self.clip_encoder = clip_encoder
        self.text_encoder = text_encoder
        self.initial_temperature = initial_temperature
        self.max_logit_scale = max_logit_scale
        self.audio_dropout = audio_dropout
        self.seed = seed
        self.pretrained_layers = ()
        # === Layers ===
        self.logit_scale = LogitScale(initial_temperature, max_logit_scale, name="logit_scale")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.Mean(name="accuracy")
        self.temperature_tracker = keras.metrics.Mean(name="temperature")

    def compile(self, optimizer, pretrained_optimizer=None, pretrained_layers=(),
                jit_compile=False):
        """`optimizer` trains the new layers; `pretrained_optimizer` the `pretrained_layers`
        (required when there are any)."""
        if pretrained_layers and pretrained_optimizer is None:
            raise UsageError("MultiNet.compile: pretrained_layers need a pretrained_optimizer")
        super().compile(optimizer=optimizer, jit_compile=jit_compile)
        self.pretrained_optimizer = pretrained_optimizer
        self.pretrained_layers = tuple(pretrained_layers)

    @property
    def backbone_frozen(self):
        return any(not layer.trainable for layer in self.pretrained_layers)

    @backbone_frozen.setter
    def backbone_frozen(self, frozen):
        for layer in self.pretrained_layers:
            layer.trainable = not frozen

    def _variable_groups(self):
        """`[(optimizer, variables)]`: the new layers', then the pretrained layers'."""
        pretrained = [v for layer in self.pretrained_layers for v in layer.trainable_variables]
        pretrained_ids = {id(v) for v in pretrained}
        groups = [(self.optimizer,
                   [v for v in self.trainable_variables if id(v) not in pretrained_ids])]
        if pretrained:
            groups.append((self.pretrained_optimizer, pretrained))
        return groups

    def build_for_training(self, batch):
        self(keras.utils.unpack_x_y_sample_weight(batch)[0])
        frozen = self.backbone_frozen
        self.backbone_frozen = False  # build both optimizers for every variable they train
        for optimizer, variables in self._variable_groups():
            prepared = prepare_optimizer(optimizer, variables)
            if optimizer is self.optimizer:
                self.optimizer = prepared
            else:
                self.pretrained_optimizer = prepared
        self.backbone_frozen = frozen

    def training_optimizers(self):
        optimizers = {"optimizer": self.optimizer}
        if self.pretrained_layers:
            optimizers["pretrained_optimizer"] = self.pretrained_optimizer
        return optimizers

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker, self.temperature_tracker]

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

    def train_step(self, data):
        # 1. Hide some clips' audio (audio dropout).
        # 2. Embed captions and clips; the loss is this replica's share of the global one.
        # 3. Step the new layers' optimizer, and the pretrained layers' unless frozen.
        data = keras.utils.unpack_x_y_sample_weight(data)[0]
        if self.audio_dropout > 0:
            seed = replica_seed(self.seed, self.optimizer.iterations)
            keep = tf.random.stateless_uniform(tf.shape(data["has_audio"]), seed)
            data = {**data, "has_audio": data["has_audio"] & (keep >= self.audio_dropout)}
        groups = self._variable_groups()
        with tf.GradientTape(persistent=len(groups) > 1) as tape:
            embeddings = self(data, training=True)
            loss = self._loss(embeddings)
            # Scaled inside the tape (mixed_float16); each optimizer has its own scale.
            scaled_losses = [optimizer.scale_loss(loss) for optimizer, _ in groups]
        for (optimizer, variables), scaled_loss in zip(groups, scaled_losses):
            optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        del tape
        return self._logs()

    def test_step(self, data):
        self._loss(self(keras.utils.unpack_x_y_sample_weight(data)[0], training=False))
        return self._logs()

    def _loss(self, embeddings):
        loss = symmetric_info_nce(embeddings["text"], embeddings["clips"],
                                  self.logit_scale.scale)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.loss_tracker.update_state(loss * replicas)  # logged as the global-batch loss
        self.accuracy_tracker.update_state(
            in_batch_accuracy(embeddings["text"], embeddings["clips"]))
        self.temperature_tracker.update_state(1.0 / ops.convert_to_tensor(self.logit_scale.scale))
        return loss

    def _logs(self):
        return {metric.name: metric.result() for metric in self.metrics}

    def get_config(self):
        config = super().get_config()
        config.update(
            clip_encoder=keras.saving.serialize_keras_object(self.clip_encoder),
            text_encoder=keras.saving.serialize_keras_object(self.text_encoder),
            initial_temperature=self.initial_temperature,
            max_logit_scale=self.max_logit_scale,
            audio_dropout=self.audio_dropout,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**with_layers(config, ("clip_encoder", "text_encoder")))
