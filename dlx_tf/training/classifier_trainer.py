"""A classifier trained by hand-written steps, so it can train beside other wrappers."""

import keras
import tensorflow as tf

from dlx_tf.training.trainable import TrainableModel, prepare_optimizer


class ClassifierTrainer(TrainableModel):
    """Trains `classifier` (images → logits) with softmax cross-entropy on `(x, label)`
    batches; logs `loss` and `accuracy`. Use it where a classifier trains inside a
    `JointTrainer`; on its own, plain `classifier.compile(...)` and `fit` do the same.

    Args:
        classifier: a model returning `[batch, classes]` logits.

    Example:
    ```python
    trainer = ClassifierTrainer(JudgeClassifier())
    trainer.compile(keras.optimizers.Adam(1e-3))
    ```
    """

    def __init__(self, classifier, **kwargs):
        super().__init__(**kwargs)
        self.classifier = classifier
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    def call(self, inputs):
        x, _ = inputs
        return self.classifier(x)

    def compile(self, optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.classifier_optimizer = optimizer
        self.cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def build_for_training(self, batch):
        self(batch)
        self.classifier_optimizer = prepare_optimizer(self.classifier_optimizer,
                                                      self.classifier.trainable_variables)

    def training_optimizers(self):
        return {"classifier": self.classifier_optimizer}

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]

    def train_step(self, data):
        x, labels = data
        with tf.GradientTape() as tape:
            logits = self.classifier(x, training=True)
            loss = self.cross_entropy(labels, logits)
            scaled_loss = self.classifier_optimizer.scale_loss(loss)  # recorded by the tape
        variables = self.classifier.trainable_variables
        gradients = tape.gradient(scaled_loss, variables)
        self.classifier_optimizer.apply(gradients, variables)
        self.loss_tracker.update_state(loss * tf.distribute.get_strategy().num_replicas_in_sync)
        self.accuracy_tracker.update_state(labels, logits)
        return {"loss": self.loss_tracker.result(), "accuracy": self.accuracy_tracker.result()}
