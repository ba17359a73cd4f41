"""A classifier trained by hand-written steps, so it can train beside other wrappers."""

import keras
import tensorflow as tf

from dlx_tf.training.gradient_clipping import clip_scaled_gradients
from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


class ClassifierTrainer(TrainableModel):
    """Trains `classifier` (inputs → logits) on `(x, labels)` or `(x, labels, clean_labels)`
    batches; logs `loss` and `accuracy` against `labels`, and with clean labels also
    `clean_accuracy`: under injected label noise, accuracy against the noisy labels shows
    memorisation and accuracy against the clean ones what was really learned.

    Use it where a classifier trains inside a `JointTrainer`; on its own, plain
    `classifier.compile(...)` and `fit` do the same for `(x, labels)`.

    Args:
        classifier: a model returning `[batch, classes]` logits.

    Example:
    ```python
    trainer = ClassifierTrainer(JudgeClassifier())
    trainer.compile(keras.optimizers.Adam(1e-3), loss=GeneralizedCrossEntropy(q=0.7))
    ```
    """

    def __init__(self, classifier, **kwargs):
        super().__init__(**kwargs)
        self.classifier = classifier
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        self.clean_accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(
            name="clean_accuracy")

    def call(self, inputs):
        return self.classifier(inputs[0])

    def compile(self, optimizer, loss=None, clip_norm=None, jit_compile=False):
        """`loss`: a sparse, from-logits `keras.losses.Loss`; softmax cross-entropy if None.
        `clip_norm`: clip the global-batch gradient's global norm (after the replicas'
        gradients are summed, as on one device); None leaves it."""
        super().compile(jit_compile=jit_compile)
        self.classifier_optimizer = optimizer
        self.clip_norm = clip_norm
        self.classification_loss = loss or keras.losses.SparseCategoricalCrossentropy(
            from_logits=True)

    def build_for_training(self, batch):
        self(batch)
        self.classifier_optimizer = prepare_optimizer(self.classifier_optimizer,
                                                      self.classifier.trainable_variables)

    def training_optimizers(self):
        return {"classifier": self.classifier_optimizer}

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker, self.clean_accuracy_tracker]

    def train_step(self, data):
        x, labels = data[:2]
        with tf.GradientTape() as tape:
            logits = self.classifier(x, training=True)
            loss = self.classification_loss(labels, logits)
            scaled_loss = self.classifier_optimizer.scale_loss(loss)  # recorded by the tape
        variables = self.classifier.trainable_variables
        gradients = tape.gradient(scaled_loss, variables)
        if self.clip_norm:
            gradients, _ = clip_scaled_gradients(gradients, self.clip_norm,
                                                 self.classifier_optimizer)
        self.classifier_optimizer.apply(gradients, variables)
        return self._update_metrics(data, logits, loss)

    def test_step(self, data):
        logits = self.classifier(data[0], training=False)
        return self._update_metrics(data, logits, self.classification_loss(data[1], logits))

    def _update_metrics(self, data, logits, loss):
        self.loss_tracker.update_state(loss * tf.distribute.get_strategy().num_replicas_in_sync)
        self.accuracy_tracker.update_state(data[1], logits)
        logs = {"loss": self.loss_tracker.result(), "accuracy": self.accuracy_tracker.result()}
        if len(data) == 3:
            self.clean_accuracy_tracker.update_state(data[2], logits)
            logs["clean_accuracy"] = self.clean_accuracy_tracker.result()
        return logs
