"""Serving signatures of image generators: a conditional generator and an interpolator."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.request_checks import check_layout, check_same_batch, checked, request_spec
from dlx_tf.ranges import FINITE, FRACTION, within

# Per request: a 32² generator or autoencoder handles 256 images in well under a second.
IMAGE_GENERATOR_LIMITS = {"batch": 256}
# A class mixture's weights must sum to 1 up to float32 rounding of hand-written weights.
MIXTURE_SUM = within(1 - 1e-3, 1 + 1e-3)


def conditional_generator_endpoints(generator, latent_dim, num_classes, limits=None):
    """`{"serving_default": ...}`: `latents` float32 `[batch, latent_dim]` and
    `class_mixture` float32 `[batch, num_classes]` (a one-hot class, or weights such as
    0.5 bird + 0.5 horse: each in [0, 1], each row summing to 1) → `images` uint8
    `[batch, h, w, 3]`. Latents must be finite, and the batch within `limits`
    (`IMAGE_GENERATOR_LIMITS` updated by the given dict); anything else is refused, naming the
    input, before any work.
    """
    limits = {**IMAGE_GENERATOR_LIMITS, **(limits or {})}

    def serve(latents, class_mixture):
        latents_layout, sizes = check_layout(latents, "latents", ("batch", latent_dim))
        mixture_layout, _ = check_layout(class_mixture, "class_mixture", ("batch", num_classes))
        with tf.control_dependencies([latents_layout, mixture_layout]):
            checks = [
                check_same_batch({"latents": latents, "class_mixture": class_mixture}),
                within(1, limits["batch"]).check(sizes[0], "latents: batch size"),
                FINITE.check(latents, "latents"),
                FRACTION.check(class_mixture, "class_mixture"),
                MIXTURE_SUM.check(tf.reduce_sum(class_mixture, axis=-1),
                                  "class_mixture: sum of each row"),
            ]
        latents = checked(latents, checks, [None, latent_dim])
        class_mixture = checked(class_mixture, checks, [None, num_classes])
        return {"images": from_unit_range(generator((latents, class_mixture), training=False))}

    return {"serving_default": (serve, [request_spec(tf.float32, "latents"),
                                        request_spec(tf.float32, "class_mixture")])}


def interpolator_endpoints(interpolate, height, width, limits=None):
    """`{"serving_default": ...}`: `images_a`, `images_b` uint8 `[batch, height, width, 3]`
    and `alpha` float32 `[batch]` in [0, 1] → `images` uint8, the decoding of the latent
    `(1 - alpha) · encode(a) + alpha · encode(b)` given by `interpolate(a, b, alpha)`.
    The batch must be within `limits` (`IMAGE_GENERATOR_LIMITS` updated by the given dict);
    anything else is refused, naming the input, before any work.
    """
    limits = {**IMAGE_GENERATOR_LIMITS, **(limits or {})}
    image_layout = ("batch", height, width, 3)

    def serve(images_a, images_b, alpha):
        inputs = {"images_a": images_a, "images_b": images_b, "alpha": alpha}
        layouts = [check_layout(images_a, "images_a", image_layout),
                   check_layout(images_b, "images_b", image_layout),
                   check_layout(alpha, "alpha", ("batch",))]
        with tf.control_dependencies([layout for layout, _ in layouts]):
            checks = [check_same_batch(inputs),
                      within(1, limits["batch"]).check(layouts[0][1][0], "images_a: batch size"),
                      FRACTION.check(alpha, "alpha")]
        images_a, images_b = (to_unit_range(checked(images, checks, [None, height, width, 3]))
                              for images in (images_a, images_b))
        mixed = interpolate(images_a, images_b, checked(alpha, checks, [None]))
        return {"images": from_unit_range(mixed)}

    return {"serving_default": (serve, [request_spec(tf.uint8, "images_a"),
                                        request_spec(tf.uint8, "images_b"),
                                        request_spec(tf.float32, "alpha")])}
