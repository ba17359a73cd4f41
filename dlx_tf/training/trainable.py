"""The base class of every model a `Run` trains, and optimizer preparation."""

import keras
import tensorflow as tf
from keras import tree


class TrainableModel(keras.Model):
    """A `keras.Model` that `Run.fit` can train, checkpoint and distribute.

    Subclasses with one optimizer use `compile(optimizer=...)` and `compute_loss`;
    multi-optimizer wrappers build their optimizers in `compile()` with
    `prepare_optimizer` and list them in `training_optimizers()` so checkpoints
    carry their state.

    It also carries the two fixes that make Keras 3.15 `fit` work under
    `MultiWorkerMirroredStrategy` (keras-team/keras#20585, tensorflow#72388).
    """

    def training_optimizers(self):
        """Every optimizer whose state a checkpoint must carry, by name."""
        optimizer = getattr(self, "optimizer", None)  # set by compile()
        return {} if optimizer is None else {"optimizer": optimizer}

    def build_for_training(self, batch):
        """Creates every model and optimizer variable from one real batch.

        `Run.fit` calls it inside the strategy scope before restoring a checkpoint
        and before `fit`. Wrappers whose batches are not `(x, y)` override it.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(batch)
        self(x)
        for optimizer in self.training_optimizers().values():
            if not optimizer.built:
                optimizer.build(self.trainable_variables)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras averages the first per-replica batch with a MEAN collective to get its
        # shapes; across workers that collective fails, and on one worker it fails on bool
        # inputs (no AddN kernel: has_audio, padding masks). One local replica's batch has them.
        strategy = self.distribute_strategy
        if iterator is not None and self._distribute_strategy is not None:
            for item in iterator:  # Keras 3.10: (step, batches); 3.15: (begin, end, batches)
                data_batch = tree.map_structure(
                    lambda v: strategy.experimental_local_results(v)[0], next(item[-1])
                )
                break
            iterator = None
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def _make_function(self, step_function):
        # Across workers Keras reduces logs with `reduce("MEAN", v, axis=0)`, which
        # rejects scalars; shape [1] reduces to the same mean.
        if _is_multi_worker(self.distribute_strategy):
            step = step_function

            def step_function(data):
                logs = step(data)
                return tree.map_structure(
                    lambda v: tf.reshape(v, [1]) if v.shape.rank == 0 else v, logs
                )

        return super()._make_function(step_function)


class TwoPlayerModel(TrainableModel):
    """A GAN wrapper: `generator_optimizer` and `discriminator_optimizer` (set by its
    `compile()`), and the loss trackers of its `train_step` in `self.trackers`."""

    def training_optimizers(self):
        return {"generator": self.generator_optimizer,
                "discriminator": self.discriminator_optimizer}

    @property
    def metrics(self):
        return list(self.trackers.values())


def prepare_optimizer(optimizer, variables):
    """Wraps `optimizer` for loss scaling under mixed_float16 and builds it for `variables`.

    Call inside the strategy scope (from `compile()`): an optimizer built lazily inside
    the replicated step fails (keras-team/keras#23085).
    """
    if keras.mixed_precision.global_policy().name == "mixed_float16" and not isinstance(
        optimizer, keras.optimizers.LossScaleOptimizer
    ):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    optimizer.build(variables)
    return optimizer


def _is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
