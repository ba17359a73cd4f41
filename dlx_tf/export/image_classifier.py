"""The serving signature of an image classifier: uint8 images in, probabilities and label out."""

import tensorflow as tf


def image_classifier_endpoints(model, height, width, channels):
    """`{"serving_default": (fn, input_signature)}` for `export_saved_model`.

    The input `images` is uint8 `[batch, height, width, channels]`, or
    `[batch, height, width]` when `channels` is 1; any other shape fails with a
    message naming the expected one. Outputs: `probabilities` float32
    `[batch, classes]` and `label` int64 `[batch]`.
    """

    def serve(images):
        shape = tf.shape(images)
        rank = tf.rank(images)
        expected = f"images must be uint8 [batch, {height}, {width}, {channels}]" + (
            f" or [batch, {height}, {width}]" if channels == 1 else ""
        )
        ok = tf.logical_and(
            tf.logical_or(rank == 4, tf.logical_and(rank == 3, channels == 1)),
            tf.reduce_all(tf.equal(tf.concat([shape, [channels]], 0)[1:4],
                                   [height, width, channels])),
        )
        with tf.control_dependencies([tf.debugging.Assert(ok, [expected, shape])]):
            images = tf.reshape(images, [shape[0], height, width, channels])
        probabilities = tf.nn.softmax(model(images, training=False), axis=-1)
        return {"probabilities": probabilities, "label": tf.argmax(probabilities, axis=-1)}

    signature = [tf.TensorSpec(shape=None, dtype=tf.uint8, name="images")]
    return {"serving_default": (serve, signature)}
