"""Symmetric InfoNCE over the global batch (CLIP), its learnable logit scale, in-batch accuracy.

Under a `tf.distribute` strategy every replica all-gathers the text and clip embeddings,
so its rows are contrasted with the negatives of all replicas. Each replica scores only
its own rows (queries) against the gathered ones (keys) and divides by the GLOBAL batch
size, so the replicas' values sum to the global batch's loss, as a `keras.losses.Loss`
under `sum_over_batch_size` does. Gradients reach every replica's own rows twice: directly
as queries, and as keys through `ReplicaContext.all_gather`, whose gradient sums the
upstream gradients of all replicas and hands each replica the slice of its own rows
(tensorflow/python/distribute/distribute_lib.py). With the optimizer's sum over replicas,
2 replicas give the same loss and gradients as one device at the same global batch
(tests/losses/test_contrastive.py). Uneven per-replica batches are exact too.
"""

import math

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class LogitScale(keras.layers.Layer):
    """CLIP's learnable inverse temperature `scale = exp(min(w, log(max_scale)))`.

    `w` starts at `log(1 / initial_temperature)`. CLIP (Radford et al. 2021,
    https://arxiv.org/abs/2103.00020 §2.5): "initialized to the equivalent of 0.07 ... and
    clipped to prevent scaling the logits by more than 100". As in open_clip, which clamps
    the parameter after each step, a constraint (applied by Keras optimizers after every
    update) keeps `w <= log(max_scale)`, so at the cap the gradient still flows and the
    loss can lower the scale again; the `min` in `scale` guards values set by hand.

    Args:
        initial_temperature: τ at the start; the scale starts at 1/τ.
        max_scale: the cap on the scale.

    Example:
    ```python
    logit_scale = LogitScale()
    loss = symmetric_info_nce(text_embeddings, clip_embeddings, logit_scale.scale)
    temperature = 1.0 / logit_scale.scale
    ```
    """

    def __init__(self, initial_temperature=0.07, max_scale=100.0, **kwargs):
        super().__init__(**kwargs)
        if initial_temperature <= 0 or max_scale <= 0:
            raise ValueError(
                f"LogitScale: initial_temperature and max_scale must be > 0; got "
                f"{initial_temperature!r} and {max_scale!r}"
            )
        self.initial_temperature = initial_temperature
        self.max_scale = max_scale
        self.log_scale = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(math.log(1.0 / initial_temperature)),
            dtype="float32",
            constraint=_AtMost(math.log(max_scale)),
            name="log_scale",
        )
        self.built = True

    @property
    def scale(self):
        # Clipped in log space: at w = log(max_scale) exactly, `minimum` passes the gradient.
        return ops.exp(ops.minimum(self.log_scale, math.log(self.max_scale)))

    def get_config(self):
        return {
            **super().get_config(),
            "initial_temperature": self.initial_temperature,
            "max_scale": self.max_scale,
        }


class _AtMost(keras.constraints.Constraint):
    """Clamps a variable to `<= limit` (Keras 3.10 accepts only Constraint objects)."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, w):
        return ops.minimum(w, self.limit)

    def get_config(self):
        return {"limit": self.limit}


def global_batch_logits(text_embeddings, clip_embeddings, logit_scale=1.0):
    """This replica's rows scored against the whole global batch.

    Args:
        text_embeddings, clip_embeddings: `(local_batch, dim)`, row i of one paired with
            row i of the other (L2-normalised for CLIP's cosine similarities).
        logit_scale: a scalar multiplying the dot products.

    Returns:
        `text_to_clip` `(local_batch, global_batch)`: `s · t_i · c_j`; `clip_to_text`
        likewise with the roles swapped; `labels` `(local_batch,)`: each row's positive
        column (its position in the global batch).
    """
    text = ops.cast(text_embeddings, "float32")  # (local, dim); float32 even under mixed precision
    clips = ops.cast(clip_embeddings, "float32")
    all_text, all_clips, offset = _gather_from_replicas(text, clips)  # (global, dim)
    scale = ops.cast(logit_scale, "float32")
    text_to_clip = scale * ops.matmul(text, ops.transpose(all_clips))  # (local, global)
    clip_to_text = scale * ops.matmul(clips, ops.transpose(all_text))  # (local, global)
    labels = offset + ops.arange(ops.shape(text)[0], dtype="int32")
    return text_to_clip, clip_to_text, labels


def symmetric_info_nce(text_embeddings, clip_embeddings, logit_scale):
    """CLIP's symmetric InfoNCE over the global batch of N pairs (Radford et al. 2021,
    https://arxiv.org/abs/2103.00020 Fig. 3; van den Oord et al. 2018).

    `L = ½ [ (1/N) Σ_i -log softmax_j(s t_i·c_j)_i + (1/N) Σ_i -log softmax_j(s c_i·t_j)_i ]`.
    Returns this replica's share (its rows' terms divided by N): the replicas' values sum
    to L. Log it times the replica count, as for any Keras loss (docs/keras3_notes.md);
    Keras `fit` does that itself when `compute_loss` returns it.

    Example:
    ```python
    loss = symmetric_info_nce(text_embeddings, clip_embeddings, logit_scale.scale)
    ```
    """
    text_to_clip, clip_to_text, labels = global_batch_logits(
        text_embeddings, clip_embeddings, logit_scale
    )
    per_row = keras.losses.sparse_categorical_crossentropy(
        labels, text_to_clip, from_logits=True
    ) + keras.losses.sparse_categorical_crossentropy(labels, clip_to_text, from_logits=True)
    global_batch = ops.cast(ops.shape(text_to_clip)[1], "float32")
    return 0.5 * ops.sum(per_row) / global_batch


def in_batch_accuracy(text_embeddings, clip_embeddings):
    """Fraction of this replica's rows whose positive has the highest logit, averaged over
    the text→clip and clip→text directions; negatives from the global batch.

    Not divided by the replica count: a `keras.metrics.Mean` fed it on every replica
    gives the global batch's accuracy (for equal per-replica batches). Ties go to the
    lowest column (argmax).
    """
    text_to_clip, clip_to_text, labels = global_batch_logits(text_embeddings, clip_embeddings)

    def hits(logits):
        return ops.cast(ops.cast(ops.argmax(logits, axis=1), "int32") == labels, "float32")

    return 0.5 * ops.mean(hits(text_to_clip) + hits(clip_to_text))


def _gather_from_replicas(text, clips):
    """All replicas' rows in replica order, and where this replica's rows start."""
    context = tf.distribute.get_replica_context()
    if context is None:
        raise RuntimeError(
            "dlx_tf.losses.contrastive: called in cross-replica context; call it inside "
            "strategy.run (e.g. in train_step)"
        )
    if context.num_replicas_in_sync == 1:
        return text, clips, 0
    all_text, all_clips = context.all_gather([text, clips], axis=0)
    sizes = context.all_gather(tf.shape(text)[:1], axis=0)  # (replicas,): may be uneven
    offset = tf.reduce_sum(sizes[: context.replica_id_in_sync_group])
    return all_text, all_clips, offset
