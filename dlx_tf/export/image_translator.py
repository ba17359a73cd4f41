"""The serving signature of an image-to-image generator: uint8 images in and out."""

import tensorflow as tf

from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range


def image_translator_endpoints(generator, multiple=4):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    Input `images`: uint8 `[batch, height, width, 3]`, any height and width divisible
    by `multiple` (the generator's total stride); output `images` of the same shape.
    """

    def serve(images):
        shape = tf.shape(images)
        divisible = tf.logical_and(shape[1] % multiple == 0, shape[2] % multiple == 0)
        message = f"images must be uint8 [batch, height, width, 3] with height and width " \
                  f"divisible by {multiple}; got shape"
        with tf.control_dependencies([tf.debugging.Assert(divisible, [message, shape])]):
            pixels = to_unit_range(images)
        return {"images": from_unit_range(generator(pixels, training=False))}

    signature = [tf.TensorSpec([None, None, None, 3], tf.uint8, name="images")]
    return {"serving_default": (serve, signature)}
