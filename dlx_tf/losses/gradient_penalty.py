"""The WGAN-GP gradient penalty (Gulrajani et al. 2017, Algorithm 1).

It needs the critic's gradient with respect to its input, which `keras.ops` cannot
express, so this module uses `tf.GradientTape` (TensorFlow backend only). Called inside
an outer tape, the inner tape is recorded and the penalty is differentiable with
respect to the critic's weights (a second-order gradient).
"""

import keras
import tensorflow as tf
from keras import ops


def gradient_penalty(critic, real, fake, epsilon, loss_scale=1.0):
    """`mean((‖∇ critic(x̂)‖₂ - 1)²)` at `x̂ = ε·real + (1 - ε)·fake`, one ε per sample.

    Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028, Algorithm 1 lines 4-7:
    the two-sided penalty on random interpolates between real and generated samples.
    Weight it by λ (10 in the paper) in the critic loss. The norm is per sample over
    all non-batch axes, so the critic must treat samples independently (no batch norm,
    §4). The mean goes through a `keras.losses.Loss`, so under a `tf.distribute`
    strategy it is divided by the replica count like every other loss term.

    Args:
        critic: callable mapping a batch of samples to scores `(batch,)` or
            `(batch, 1)`, e.g. `lambda x: discriminator((x, mixture), training=True)`.
        real: real samples `(batch, ...)`.
        fake: generated samples, same shape; the caller stops their gradient or not.
        epsilon: `(batch,)` interpolation weights, drawn by the caller from U[0, 1]
            (not from a normal, as some ports do).
        loss_scale: the critic optimizer's loss scale (`optimizer.scale_loss(1.0)`): under
            mixed_float16 the inner gradient is taken of the scaled scores and unscaled
            in float32, so small input gradients do not underflow in float16.

    Returns:
        The scalar penalty.

    Example:
    ```python
    epsilon = tf.random.stateless_uniform((batch,), seed)
    penalty = gradient_penalty(lambda x: critic(x, training=True), real, fake, epsilon)
    critic_loss = wasserstein_terms + 10.0 * penalty
    ```
    """
    real = ops.convert_to_tensor(real)
    fake = ops.cast(fake, real.dtype)
    epsilon = ops.reshape(ops.cast(epsilon, real.dtype), (-1,) + (1,) * (len(real.shape) - 1))
    interpolates = epsilon * real + (1.0 - epsilon) * fake  # (batch, ...)
    norms = input_gradient_norms(critic, interpolates, loss_scale)  # (batch, 1)
    # (batch, 1): MSE averages the last axis, leaving one value per sample to reduce.
    mean_squared_error = keras.losses.MeanSquaredError(name="gradient_penalty")
    return mean_squared_error(ops.ones_like(norms), norms)


def input_gradient_norms(critic, inputs, loss_scale=1.0):
    """`(batch, 1)` float32 norms of each sample's gradient of `critic` with respect to its
    input, over all non-batch axes; taken of the scores times `loss_scale` and unscaled in
    float32 (see `gradient_penalty`)."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        scores = critic(inputs)
        # Samples are independent, so the gradient of the sum is each sample's gradient.
        total = ops.sum(ops.cast(scores, "float32")) * ops.cast(loss_scale, "float32")
    gradients = tape.gradient(total, inputs)  # (batch, ...)
    gradients = ops.cast(gradients, "float32") / ops.cast(loss_scale, "float32")
    gradients = ops.reshape(gradients, (ops.shape(gradients)[0], -1))
    # The tiny constant keeps the norm differentiable where a gradient is exactly zero.
    return ops.sqrt(ops.sum(ops.square(gradients), axis=-1, keepdims=True) + 1e-30)
