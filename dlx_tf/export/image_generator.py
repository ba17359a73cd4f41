"""Serving signatures of image generators: a conditional generator and an interpolator."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range


def conditional_generator_endpoints(generator, latent_dim, num_classes):
    """`{"serving_default": ...}`: `latents` float32 `[batch, latent_dim]` and
    `class_mixture` float32 `[batch, num_classes]` (a one-hot class, or weights such as
    0.5 bird + 0.5 horse) → `images` uint8 `[batch, h, w, 3]`.
    """

    def serve(latents, class_mixture):
        batch = tf.shape(latents)[0]
        ok = tf.equal(tf.shape(class_mixture)[0], batch)
        message = "latents and class_mixture must have the same batch size; got"
        with tf.control_dependencies([tf.debugging.Assert(
                ok, [message, tf.shape(latents), tf.shape(class_mixture)])]):
            images = generator((latents, class_mixture), training=False)
        return {"images": from_unit_range(images)}

    signature = [tf.TensorSpec([None, latent_dim], tf.float32, name="latents"),
                 tf.TensorSpec([None, num_classes], tf.float32, name="class_mixture")]
    return {"serving_default": (serve, signature)}


def interpolator_endpoints(interpolate, height, width):
    """`{"serving_default": ...}`: `images_a`, `images_b` uint8 `[batch, height, width, 3]`
    and `alpha` float32 `[batch]` → `images` uint8, the decoding of the latent
    `(1 - alpha) · encode(a) + alpha · encode(b)` given by `interpolate(a, b, alpha)`.
    """

    def serve(images_a, images_b, alpha):
        expected = tf.constant([height, width, 3])
        ok = tf.logical_and(tf.reduce_all(tf.equal(tf.shape(images_a)[1:], expected)),
                            tf.reduce_all(tf.equal(tf.shape(images_b), tf.shape(images_a))))
        message = f"images_a and images_b must both be uint8 [batch, {height}, {width}, 3]; got"
        with tf.control_dependencies([tf.debugging.Assert(
                ok, [message, tf.shape(images_a), tf.shape(images_b)])]):
            mixed = interpolate(to_unit_range(images_a), to_unit_range(images_b), alpha)
        return {"images": from_unit_range(mixed)}

    signature = [tf.TensorSpec([None, height, width, 3], tf.uint8, name="images_a"),
                 tf.TensorSpec([None, height, width, 3], tf.uint8, name="images_b"),
                 tf.TensorSpec([None], tf.float32, name="alpha")]
    return {"serving_default": (serve, signature)}
