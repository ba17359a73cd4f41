"""Next-token training of a language model by a hand-written step."""

import keras
import tensorflow as tf

from dlx_tf.training.gradient_clipping import clip_scaled_gradients
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


class LanguageModelTrainer(TrainableModel):
    """Trains `language_model` (token ids → logits) on `(inputs, targets)` windows with
    cross-entropy over every position; evaluates `(inputs, targets, weights)` windows
    with the weighted mean, so strided evaluation scores each token once.

    Logs `loss` (nats per token), `perplexity` and, in training, `gradient_norm`
    before clipping. Gradients are clipped by the global norm of the whole global
    batch's gradient, after the all-reduce (`clip_global_norm_across_replicas`), as
    on one device.

    Args:
        language_model: a model mapping int `(batch, time)` to logits
            `(batch, time, vocabulary)`.
        clip_norm: the global gradient norm limit; `None` disables clipping.

    Example:
    ```python
    trainer = LanguageModelTrainer(DecoderLM(...), clip_norm=1.0)
    trainer.compile(keras.optimizers.AdamW(3e-4, weight_decay=0.1))
    ```
    """

    def __init__(self, language_model, clip_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.language_model = language_model
        self.clip_norm = clip_norm
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.gradient_norm_tracker = keras.metrics.Mean(name="gradient_norm")
        self.token_loss = keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=None)

    def call(self, inputs):
        return self.language_model(inputs[0])

    def compile(self, optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.language_model_optimizer = optimizer

    def build_for_training(self, batch):
        self(batch)
        self.language_model_optimizer = prepare_optimizer(
            self.language_model_optimizer, self.language_model.trainable_variables)

    def training_optimizers(self):
        return {"language_model": self.language_model_optimizer}

    @property
    def metrics(self):
        return [self.loss_tracker, self.gradient_norm_tracker]

    def train_step(self, data):
        # 1. mean cross-entropy over the global batch's tokens; 2. gradients, summed over
        # replicas and clipped as one; 3. one AdamW step.
        inputs, targets = data
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        optimizer = self.language_model_optimizer
        variables = self.language_model.trainable_variables
        with tf.GradientTape() as tape:
            token_losses = self.token_loss(targets, self.language_model(inputs, training=True))
            loss = tf.reduce_mean(token_losses) / replicas
            scaled_loss = optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, variables)
        gradients, norm = clip_scaled_gradients(gradients, self.clip_norm, optimizer)
        optimizer.apply(gradients, variables)
        self.gradient_norm_tracker.update_state(norm)
        self.loss_tracker.update_state(token_losses)
        return self._logs(gradient_norm=self.gradient_norm_tracker.result())

    def test_step(self, data):
        inputs, targets, weights = data
        token_losses = self.token_loss(targets, self.language_model(inputs, training=False))
        self.loss_tracker.update_state(token_losses, sample_weight=weights)
        return self._logs()

    def _logs(self, **extra):
        loss = self.loss_tracker.result()
        return {"loss": loss, "perplexity": tf.exp(loss), **extra}
