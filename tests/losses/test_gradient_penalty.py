import numpy as np
import tensorflow as tf

from dlx_tf.losses.gradient_penalty import gradient_penalty, input_gradient_norms

RNG = np.random.default_rng(0)
REAL = RNG.normal(size=(3, 4, 2, 2)).astype("float32")
FAKE = RNG.normal(size=(3, 4, 2, 2)).astype("float32")
EPSILON = np.array([0.2, 0.5, 0.9], "float32")


def _linear(w):
    def critic(x):
        return tf.reduce_sum(x * w, axis=[1, 2, 3])  # (batch,)
    return critic


def test_linear_critic_has_the_penalty_of_its_weight_norm():
    # f(x) = <w, x> has gradient w everywhere, whatever the interpolates.
    w = RNG.normal(size=(4, 2, 2)).astype("float32")
    penalty = gradient_penalty(_linear(w), REAL, FAKE, EPSILON)
    np.testing.assert_allclose(penalty, (np.linalg.norm(w) - 1.0) ** 2, rtol=1e-5)
    # (batch, 1) scores are treated the same.
    penalty = gradient_penalty(lambda x: _linear(w)(x)[:, None], REAL, FAKE, EPSILON)
    np.testing.assert_allclose(penalty, (np.linalg.norm(w) - 1.0) ** 2, rtol=1e-5)


def test_epsilon_interpolates_per_sample():
    # f(x) = ||x||² / 2 has gradient x, so the penalty reads off the interpolates.
    def critic(x):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    def expected(points):
        norms = np.linalg.norm(points.reshape(3, -1), axis=-1)
        return np.mean((norms - 1.0) ** 2)

    np.testing.assert_allclose(gradient_penalty(critic, REAL, FAKE, np.ones(3)),
                               expected(REAL), rtol=1e-5)
    np.testing.assert_allclose(gradient_penalty(critic, REAL, FAKE, np.zeros(3)),
                               expected(FAKE), rtol=1e-5)
    mixed = EPSILON[:, None, None, None] * REAL + (1 - EPSILON[:, None, None, None]) * FAKE
    np.testing.assert_allclose(gradient_penalty(critic, REAL, FAKE, EPSILON),
                               expected(mixed), rtol=1e-5)


def test_differentiable_through_an_outer_tape():
    # Critic a·<w, x>: penalty (|a|·||w|| - 1)², d/da = 2(a||w|| - 1)||w|| for a > 0.
    w = RNG.normal(size=(4, 2, 2)).astype("float32")
    a = tf.Variable(0.7)
    with tf.GradientTape() as tape:
        penalty = gradient_penalty(lambda x: a * _linear(w)(x), REAL, FAKE, EPSILON)
    norm = np.linalg.norm(w)
    np.testing.assert_allclose(tape.gradient(penalty, a), 2 * (0.7 * norm - 1) * norm,
                               rtol=1e-4)


def test_each_replica_gets_its_share(two_replicas):
    w = RNG.normal(size=(4, 2, 2)).astype("float32")

    @tf.function
    def step():
        return gradient_penalty(_linear(w), tf.constant(REAL), tf.constant(FAKE),
                                tf.constant(EPSILON))

    values = two_replicas.experimental_local_results(two_replicas.run(step))
    np.testing.assert_allclose(values, [(np.linalg.norm(w) - 1.0) ** 2 / 2] * 2, rtol=1e-5)


def test_a_loss_scale_keeps_tiny_float16_input_gradients_from_underflowing():
    # A float16 critic whose input gradient, 2^-13 · 2^-13 = 2^-26 per element, is below
    # float16's smallest subnormal (2^-24): unscaled it is zero, scaled by 2^15 it survives.
    def critic(x):
        x = tf.cast(x, tf.float16)
        return tf.reduce_sum(x * tf.constant(2.0**-13, tf.float16) * tf.constant(
            2.0**-13, tf.float16), axis=[1, 2, 3])

    inputs = tf.constant(REAL, tf.float16)
    unscaled = input_gradient_norms(critic, inputs).numpy()
    scaled = input_gradient_norms(critic, inputs, loss_scale=2.0**15).numpy()
    np.testing.assert_allclose(scaled, np.sqrt(16) * 2.0**-26, rtol=1e-6)
    np.testing.assert_allclose(unscaled, 1e-15)  # the gradient vanished: only the guard


def test_a_loss_scale_changes_nothing_in_float32():
    w = RNG.normal(size=(4, 2, 2)).astype("float32")
    for scale in (1.0, 2.0**15):
        np.testing.assert_allclose(gradient_penalty(_linear(w), REAL, FAKE, EPSILON, scale),
                                   (np.linalg.norm(w) - 1.0) ** 2, rtol=1e-5)
