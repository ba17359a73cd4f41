"""Batch norm that normalizes each image by its own statistics at inference (pix2pix §3.3)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="dlx_tf")
class PerImageBatchNormalization(keras.layers.BatchNormalization):
    """`BatchNormalization` whose inference uses the image's own moments, never moving averages.

    pix2pix applies the generator at test time "in exactly the same manner as during
    the training phase", with batch statistics (Isola et al. 2017 §3.3,
    https://arxiv.org/abs/1611.07004), and the official `test.py` forces a batch of one
    image: each image is normalized over its own height and width, then scaled and
    shifted by the learned `gamma` and `beta`. Inference here does exactly that for every
    image of a batch, so an image's output never depends on the other images of a
    serving request. Training is plain batch norm (PyTorch defaults: momentum 0.1, i.e.
    Keras 0.9; epsilon 1e-5) and still updates the moving averages, which nothing reads.

    Args:
        synchronized: reduce the training statistics over all replicas, so N replicas
            normalize like one device with the global batch.
        **kwargs: the other `keras.layers.BatchNormalization` arguments.

    Example:
    ```python
    norm = PerImageBatchNormalization(synchronized=True)
    y = norm(keras.ops.zeros((2, 8, 8, 16)))  # each image by its own mean and variance
    ```
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(momentum=momentum, epsilon=epsilon, **kwargs)

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            return super().call(inputs, training=True, mask=mask)
        # float32 statistics under mixed precision, as BatchNormalization computes them.
        x = ops.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        image_axes = [axis for axis in self._reduction_axes if axis != 0]
        mean, variance = ops.moments(x, axes=image_axes, keepdims=True)  # (batch, 1, 1, c)
        x = (x - mean) * ops.rsqrt(variance + self.epsilon)
        if self.scale:
            x = x * ops.cast(self.gamma, x.dtype)
        if self.center:
            x = x + ops.cast(self.beta, x.dtype)
        return ops.cast(x, self.compute_dtype)
