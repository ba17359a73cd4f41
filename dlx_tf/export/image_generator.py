"""Serving signatures of image generators: a conditional generator and an interpolator,
each with uint8 images out (`serving_default`) or PNG bytes out (`encoded`)."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.export.encoded_format import ENCODED_SIGNATURE, PNG_OUTPUT
from dlx_tf.export.encoded_images import decode_images, encode_pngs, encoded_checks, exact_size
from dlx_tf.export.request_checks import check_layout, check_same_batch, checked, request_spec
from dlx_tf.ranges import FINITE, FRACTION, within

# Per request: a 32² generator or autoencoder handles 256 images in well under a second.
IMAGE_GENERATOR_LIMITS = {"batch": 256}
# A 32² RGB PNG takes about 3 KiB.
INTERPOLATOR_LIMITS = {**IMAGE_GENERATOR_LIMITS, "bytes_per_image": 1 << 16}
# A class mixture's weights must sum to 1 up to float32 rounding of hand-written weights.
MIXTURE_SUM = within(1 - 1e-3, 1 + 1e-3)


def conditional_generator_endpoints(generator, latent_dim, num_classes, limits=None):
    """`{"serving_default": ..., "encoded": ...}`: `latents` float32 `[batch, latent_dim]`
    and `class_mixture` float32 `[batch, num_classes]` (a one-hot class, or weights such as
    0.5 bird + 0.5 horse: each in [0, 1], each row summing to 1) → `images` uint8
    `[batch, h, w, 3]` (`serving_default`) or `png_bytes` tf.string `[batch]` (`encoded`).
    Latents must be finite, and the batch within `limits` (`IMAGE_GENERATOR_LIMITS`
    updated by the given dict); anything else is refused, naming the input, before any
    work.
    """
    limits = {**IMAGE_GENERATOR_LIMITS, **(limits or {})}

    def generate(latents, class_mixture):
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
        return from_unit_range(generator((latents, class_mixture), training=False))

    def serve(latents, class_mixture):
        return {"images": generate(latents, class_mixture)}

    def serve_png(latents, class_mixture):
        return {PNG_OUTPUT: encode_pngs(generate(latents, class_mixture))}

    signature = [request_spec(tf.float32, "latents"), request_spec(tf.float32, "class_mixture")]
    return {"serving_default": (serve, signature), ENCODED_SIGNATURE: (serve_png, signature)}


def interpolator_endpoints(interpolate, height, width, limits=None):
    """`{"serving_default": ..., "encoded": ...}`: the decoding of the latent
    `(1 - alpha) · encode(a) + alpha · encode(b)` given by `interpolate(a, b, alpha)`, with
    `alpha` float32 `[batch]` in [0, 1].

    `serving_default` takes `images_a`, `images_b` uint8 `[batch, height, width, 3]` and
    returns `images` uint8; `encoded` takes `images_a_bytes`, `images_b_bytes`, tf.string
    `[batch]`, each a PNG or JPEG of `height` × `width` pixels (see
    `dlx_tf.export.encoded_images`), and returns `png_bytes`. The batch must be within
    `limits` (`INTERPOLATOR_LIMITS` updated by the given dict: images per request, bytes per
    encoded image); anything else is refused, naming the input, before any work.
    """
    limits = {**INTERPOLATOR_LIMITS, **(limits or {})}
    image_layout = ("batch", height, width, 3)

    def mix(images_a, images_b, alpha, checks):
        images_a, images_b = (to_unit_range(checked(images, checks, [None, height, width, 3]))
                              for images in (images_a, images_b))
        return from_unit_range(interpolate(images_a, images_b, checked(alpha, checks, [None])))

    def serve(images_a, images_b, alpha):
        inputs = {"images_a": images_a, "images_b": images_b, "alpha": alpha}
        layouts = [check_layout(images_a, "images_a", image_layout),
                   check_layout(images_b, "images_b", image_layout),
                   check_layout(alpha, "alpha", ("batch",))]
        with tf.control_dependencies([layout for layout, _ in layouts]):
            checks = [check_same_batch(inputs),
                      within(1, limits["batch"]).check(layouts[0][1][0], "images_a: batch size"),
                      FRACTION.check(alpha, "alpha")]
        return {"images": mix(images_a, images_b, alpha, checks)}

    def serve_encoded(images_a_bytes, images_b_bytes, alpha):
        encoded = {"images_a_bytes": images_a_bytes, "images_b_bytes": images_b_bytes}
        checks = [check for name, tensor in encoded.items()
                  for check in encoded_checks(tensor, name, limits, exact_size(height, width))]
        alpha_layout, _ = check_layout(alpha, "alpha", ("batch",))
        with tf.control_dependencies([alpha_layout]):
            checks += [check_same_batch({**encoded, "alpha": alpha}),
                       FRACTION.check(alpha, "alpha")]
        images_a, images_b = (decode_images(checked(tensor, checks, [None]), name, height,
                                            width, 3) for name, tensor in encoded.items())
        return {PNG_OUTPUT: encode_pngs(mix(images_a, images_b, alpha, checks))}

    return {"serving_default": (serve, [request_spec(tf.uint8, "images_a"),
                                        request_spec(tf.uint8, "images_b"),
                                        request_spec(tf.float32, "alpha")]),
            ENCODED_SIGNATURE: (serve_encoded, [request_spec(tf.string, "images_a_bytes"),
                                                request_spec(tf.string, "images_b_bytes"),
                                                request_spec(tf.float32, "alpha")])}
