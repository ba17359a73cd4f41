"""Dropout that stays on at inference, with masks drawn from each input image's content."""

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class InputSeededDropout(keras.layers.Layer):
    """Elementwise dropout, active in training AND inference, reproducible per image.

    pix2pix's only source of noise is dropout in the decoder, "applied at both training
    and test time" (Isola et al. 2017 §2.2, §3.3, https://arxiv.org/abs/1611.07004).
    A served model must still give the same answer to the same request, and a SavedModel
    the same answer as the live model, so every mask is a stateless function of a
    per-image seed from `image_seeds` (the network's input pixels), this layer's `seed`
    and, in training only, a step counter: at inference an image always gets the same
    masks, whatever else is in its batch; in training each step draws fresh ones. The
    counter is a `keras.random.SeedGenerator`, equal on every replica; the image seeds
    make the masks differ between images, so N replicas draw what one device would.

    Args:
        rate: fraction of units zeroed; the kept ones are scaled by `1 / (1 - rate)`.
        seed: an integer telling this layer's masks apart from other dropout layers'.

    Example:
    ```python
    dropout = InputSeededDropout(0.5, seed=4)
    y = dropout(features, image_seeds(images))  # the same y for the same images
    ```
    """

    def __init__(self, rate=0.5, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.steps = keras.random.SeedGenerator(seed, name="steps")

    def call(self, x, seeds, training=False):
        if self.rate == 0:
            return x
        step = self.steps.next()[1] if training else -1  # -1: the inference stream
        shape = tf.shape(x)[1:]

        # tf.random.stateless_* rather than keras.random: a separate seed per image.
        def draw(image_seed):
            seed = tf.random.experimental.stateless_fold_in(image_seed, self.seed)
            seed = tf.random.experimental.stateless_fold_in(seed, step)
            return tf.random.stateless_uniform(shape, seed)

        uniform = tf.map_fn(draw, seeds, fn_output_signature=tf.float32)  # x's shape
        kept = ops.cast(uniform >= self.rate, x.dtype) / ops.cast(1 - self.rate, x.dtype)
        return x * kept

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


def image_seeds(images):
    """`(batch, 2)` int64 seeds, one per image of `images` in [-1, 1]: the sums of its
    8-bit pixel values, plain and weighted by position. Integer sums are exact, so any
    batch, device or graph gives an image the same seed."""
    pixels = ops.cast(ops.round((ops.clip(images, -1, 1) + 1) * 127.5), "int64")
    pixels = ops.reshape(pixels, (ops.shape(pixels)[0], -1))  # (batch, h * w * c)
    positions = ops.arange(1, ops.shape(pixels)[1] + 1, dtype="int64")
    return ops.stack([ops.sum(pixels, axis=1), ops.sum(pixels * positions, axis=1)], axis=1)
