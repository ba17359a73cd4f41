"""Linear and spherical interpolation between batches of latents.

Spherical interpolation follows White 2016, "Sampling Generative Networks"
(https://arxiv.org/abs/1609.04468), as ACAI's official code uses it for its slerp grids
(brain-research/acai, lib/train.py): each example is one vector over all its non-batch
axes.
"""

from keras import ops

# Where |cos ω| exceeds this, sin ω is too small to divide by and slerp falls back to lerp.
PARALLEL_TOLERANCE = 1e-6


def lerp(a, b, t):
    """(1 - t) · a + t · b for `a`, `b` of shape `(batch, ...)`; `t` a scalar or `(batch,)`.

    Written so that t = 0 returns `a` and t = 1 returns `b` exactly.
    """
    t = _per_example(t, a)
    return (1 - t) * a + t * b


def slerp(a, b, t):
    """Spherical interpolation sin((1 - t)ω) / sin ω · a + sin(tω) / sin ω · b.

    ω is the angle between `a[i]` and `b[i]` over all non-batch axes. Where they are
    (anti)parallel (|cos ω| > 1 - 1e-6) or one of them is zero, the result is `lerp`,
    with no NaN in the value. Between unit vectors it stays on the unit sphere.

    Args:
        a, b: shape `(batch, ...)`.
        t: a scalar or shape `(batch,)`; 0 gives `a`, 1 gives `b`.

    Example:
    ```python
    path = [slerp(z_a, z_b, t) for t in np.linspace(0, 1, 16)]
    ```
    """
    t = _per_example(t, a)
    axes = tuple(range(1, len(a.shape)))
    dot = ops.sum(a * b, axis=axes, keepdims=True)  # (batch, 1, ..., 1)
    norms = ops.sqrt(ops.sum(a * a, axis=axes, keepdims=True)
                     * ops.sum(b * b, axis=axes, keepdims=True))
    degenerate = norms <= 0
    cosine = ops.clip(dot / ops.where(degenerate, 1.0, norms), -1.0, 1.0)
    degenerate = ops.logical_or(degenerate, ops.abs(cosine) > 1 - PARALLEL_TOLERANCE)
    omega = ops.arccos(cosine)
    sine = ops.where(degenerate, 1.0, ops.sin(omega))  # never divide by ~0
    spherical = (ops.sin((1 - t) * omega) * a + ops.sin(t * omega) * b) / sine
    return ops.where(degenerate, lerp(a, b, t), spherical)


def _per_example(t, like):
    # A scalar, or (batch,) reshaped to (batch, 1, ..., 1), in the latents' dtype.
    t = ops.cast(ops.convert_to_tensor(t), like.dtype)
    if len(t.shape) == 1:
        t = ops.reshape(t, (-1,) + (1,) * (len(like.shape) - 1))
    return t
