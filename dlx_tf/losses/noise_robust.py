"""Classification losses that tolerate noisy labels: GCE and SCE.

Both take sparse integer labels (`(batch,)` or `(batch, 1)`) and logits by default
(`from_logits=False` for probabilities) of shape `(batch, classes)`, and `call` returns
one loss per example. The reduction is Keras' default `"sum_over_batch_size"`, so under
a `tf.distribute` strategy the mean is divided by the replica count (docs/keras3_notes.md).
Everything is computed in float32: mixed_float16 models give float16 logits, whose
softmax would underflow for confident predictions. Probabilities are clipped to
`[epsilon, 1]` before the log; logits go through `log_softmax`, which needs no clip.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class GeneralizedCrossEntropy(keras.losses.Loss):
    """Generalized cross entropy `L_q = (1 - p_y^q) / q` (Zhang & Sabuncu 2018, eq. 6,
    https://arxiv.org/abs/1805.07836).

    `p_y` is the predicted probability of the labelled class. As q -> 0 the loss tends to
    the cross entropy `-log p_y`; at q = 1 it is `1 - p_y`, the MAE between the softmax
    and the one-hot label up to a factor 2, which is robust to noise but slow to train.

    Args:
        q: the exponent, in (0, 1]; the paper uses 0.7.
        from_logits: whether `y_pred` holds logits (True) or probabilities.

    Example:
    ```python
    model.compile(optimizer="adam", loss=GeneralizedCrossEntropy(q=0.7))
    ```
    """

    def __init__(self, q=0.7, from_logits=True, name="generalized_cross_entropy",
                 reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not 0.0 < q <= 1.0:
            raise ValueError(f"q must be in (0, 1]; got {q!r}")
        self.q = q
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        log_p_y = _true_class_log_probability(y_true, y_pred, self.from_logits)
        # 1 - p_y^q = -expm1(q log p_y): exact for small q, where 1 - p_y^q cancels.
        return -ops.expm1(self.q * log_p_y) / self.q

    def get_config(self):
        return {**super().get_config(), "q": self.q, "from_logits": self.from_logits}


@keras.saving.register_keras_serializable(package="dlx_tf")
class SymmetricCrossEntropy(keras.losses.Loss):
    """Symmetric cross entropy `alpha * CE + beta * RCE` (Wang et al. 2019,
    https://arxiv.org/abs/1908.06112).

    The reverse cross entropy `RCE = -sum_k p(k) log q(k)` swaps prediction `p` and
    one-hot label `q`; with `log 0` clamped to `A = log_zero` (§3.3) it is
    `-A * (1 - p_y)`. The authors' code clamps the one-hot label at 1e-4 instead, i.e.
    `log_zero=math.log(1e-4)` (about -9.21).

    Args:
        alpha: weight of the cross entropy, which fits the clean labels.
        beta: weight of the reverse cross entropy, which resists the noisy ones.
        log_zero: A, the negative value that stands for `log 0`.
        from_logits: whether `y_pred` holds logits (True) or probabilities.

    Example:
    ```python
    model.compile(optimizer="sgd", loss=SymmetricCrossEntropy(alpha=0.1, beta=1.0))
    ```
    """

    # alpha=0.1, beta=1.0: the paper's CIFAR-10 setting (Wang et al. 2019, §4).
    def __init__(self, alpha=0.1, beta=1.0, log_zero=-4.0, from_logits=True,
                 name="symmetric_cross_entropy", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if alpha < 0 or beta < 0:
            raise ValueError(f"alpha and beta must be >= 0; got alpha={alpha!r}, beta={beta!r}")
        if not log_zero < 0:
            raise ValueError(f"log_zero must be negative; got {log_zero!r}")
        self.alpha = alpha
        self.beta = beta
        self.log_zero = log_zero
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        log_p_y = _true_class_log_probability(y_true, y_pred, self.from_logits)
        reverse = -self.log_zero * (1.0 - ops.exp(log_p_y))
        return self.alpha * -log_p_y + self.beta * reverse

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta,
                "log_zero": self.log_zero, "from_logits": self.from_logits}


def _true_class_log_probability(y_true, y_pred, from_logits):
    """`log p_y` in float32, shape `(batch,)`, for labels `(batch,)` or `(batch, 1)`."""
    y_pred = ops.cast(y_pred, "float32")  # (batch, classes)
    if from_logits:
        # log_softmax is finite for any finite logits: no clipping needed.
        log_probabilities = ops.log_softmax(y_pred, axis=-1)
    else:
        epsilon = keras.config.epsilon()
        log_probabilities = ops.log(ops.clip(y_pred, epsilon, 1.0))
    labels = ops.cast(y_true, "int32")
    if len(labels.shape) < len(y_pred.shape):
        labels = ops.expand_dims(labels, -1)  # (batch, 1)
    return ops.squeeze(ops.take_along_axis(log_probabilities, labels, axis=-1), -1)
