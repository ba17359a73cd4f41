"""Spectral normalization as Miyato et al. 2018 define it, for Dense and Conv2D layers."""

import keras
from keras import ops

_EPSILON = 1e-12


@keras.saving.register_keras_serializable(package="dlx_tf")
class SpectralNormalization(keras.layers.Wrapper):
    """Runs a `Dense` or `Conv2D` layer with its kernel divided by the kernel's largest
    singular value σ(W), estimated by power iteration.

    Miyato et al. 2018 (https://arxiv.org/abs/1802.05957), §2.1 and Algorithm 1: the kernel
    W stays the free, trainable weight; a vector u persists between calls; each training
    call runs one power iteration (v = Wᵀu/‖Wᵀu‖, u = Wv/‖Wv‖, with u and v held constant
    for the gradient), σ = uᵀWv, and the layer computes with W/σ, so gradients flow through
    σ into W. Like the authors' code (pfnet-research/sngan_projection, `sn_linear.py`,
    `sn_convolution_2d.py`), u advances on every training call and not in inference.
    `keras.layers.SpectralNormalization` differs: it writes W/σ back into the kernel
    variable, so no gradient passes through σ and the free weight is lost.

    W is the kernel reshaped to `(inputs, outputs)` (all but the last axis flattened), the
    transpose of the paper's matrix; σ is the same. The power iteration runs in float32.

    Args:
        layer: a `keras.layers.Dense` or `keras.layers.Conv2D` without activation.

    Example:
    ```python
    dense = SpectralNormalization(keras.layers.Dense(16))
    y = dense(keras.ops.ones((4, 8)), training=True)  # one power iteration, y from W/σ
    ```
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(layer, keras.layers.Dense | keras.layers.Conv2D):
            raise ValueError(f"SpectralNormalization wraps Dense or Conv2D layers; got "
                             f"{type(layer).__name__}")
        if layer.activation not in (None, keras.activations.linear):
            raise ValueError("SpectralNormalization needs the wrapped layer without an "
                             "activation (apply it after the normalized layer)")
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError("SpectralNormalization supports channels_last convolutions")

    def build(self, input_shape):
        if not self.layer.built:  # a loaded layer comes built
            self.layer.build(input_shape)
        outputs = self.layer.kernel.shape[-1]
        self.u = self.add_weight(
            shape=(outputs,), initializer=keras.initializers.RandomNormal(0.0, 1.0),
            trainable=False, dtype="float32", aggregation="mean", name="u")
        self.built = True

    def call(self, inputs, training=False):
        normalized = self.normalized_kernel(power_iteration=training)
        return self._apply(inputs, ops.cast(normalized, self.layer.compute_dtype))

    def normalized_kernel(self, power_iteration=False):
        """The float32 kernel W/σ the layer computes with, from one power-iteration step
        on the kept u; with `power_iteration` (training) u keeps the step, as in the
        authors' code."""
        kernel = ops.cast(self.layer.kernel, "float32")
        matrix = ops.reshape(kernel, (-1, kernel.shape[-1]))  # (in, out)
        v = ops.stop_gradient(_unit(ops.matmul(matrix, self.u)))  # (in,)
        u = ops.stop_gradient(_unit(ops.matmul(v, matrix)))  # (out,)
        if power_iteration:
            self.u.assign(u)
        sigma = ops.sum(v * ops.matmul(matrix, u))  # vᵀ W u, differentiable in W
        return kernel / sigma

    def _apply(self, inputs, kernel):
        layer = self.layer
        inputs = ops.cast(inputs, layer.compute_dtype)
        if isinstance(layer, keras.layers.Conv2D):
            outputs = ops.conv(inputs, kernel, strides=layer.strides, padding=layer.padding,
                               data_format=layer.data_format,
                               dilation_rate=layer.dilation_rate)
        else:
            outputs = ops.matmul(inputs, kernel)
        if layer.use_bias:
            outputs = outputs + ops.cast(layer.bias, layer.compute_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def _unit(x):
    return x / ops.sqrt(ops.sum(ops.square(x)) + _EPSILON)
