"""Global-norm gradient clipping of the whole global batch's gradient, on any strategy."""

import keras
import tensorflow as tf


def clip_global_norm_across_replicas(gradients, clip_norm):
    """Clips the global-batch gradient by its global norm; returns `(gradients, norm)`.

    Keras 3 optimizers clip (`global_clipnorm`) each replica's partial gradient before
    the all-reduce, which is not what single-device training clips. Here the replicas'
    gradients are summed first, the sum is clipped, and each replica returns sum / R,
    so the optimizer's own cross-replica sum rebuilds exactly the clipped gradient.
    Call inside the replicated step (`train_step`), with gradients of a loss already
    averaged over the global batch.

    Args:
        gradients: this replica's gradients (dense or `IndexedSlices`).
        clip_norm: the largest global norm allowed; `None` or `<= 0` only measures it.
    """
    gradients = [tf.convert_to_tensor(g) for g in gradients]
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas > 1:
        gradients = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM, gradients)
    norm = tf.linalg.global_norm(gradients)
    if clip_norm is not None and clip_norm > 0:
        gradients, _ = tf.clip_by_global_norm(gradients, clip_norm, use_norm=norm)
    return [g / replicas for g in gradients], norm


def clip_scaled_gradients(gradients, clip_norm, optimizer):
    """`clip_global_norm_across_replicas` for gradients of `optimizer.scale_loss(loss)`:
    under a `LossScaleOptimizer` the limit is scaled with them. Returns the gradients and
    their unscaled global norm."""
    scale = optimizer.scale_loss(1.0)
    if clip_norm and isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        clip_norm = clip_norm * scale
    gradients, norm = clip_global_norm_across_replicas(gradients, clip_norm)
    return gradients, norm / scale
