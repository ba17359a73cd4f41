"""Reflection padding of images, as PyTorch's `nn.ReflectionPad2d`."""

import keras


@keras.saving.register_keras_serializable(package="dlx_tf")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by reflecting the image about its edges.

    The edge pixel itself is not repeated (`numpy.pad(mode="reflect")`), so each
    padding must be smaller than the size it pads. Channels-last only.

    Args:
        padding: an int (same on all four sides), a pair `(height_pad, width_pad)`,
            or a pair of pairs `((top, bottom), (left, right))`.

    Example:
    ```python
    layer = ReflectionPadding2D(3)
    layer(keras.ops.zeros((2, 20, 12, 3))).shape  # (2, 26, 18, 3)
    ```
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _normalize_padding(padding)

    def call(self, images):
        (top, bottom), (left, right) = self.padding
        return keras.ops.pad(
            images, [[0, 0], [top, bottom], [left, right], [0, 0]], mode="reflect"
        )  # (batch, height + top + bottom, width + left + right, channels)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        (top, bottom), (left, right) = self.padding
        return (
            batch,
            None if height is None else height + top + bottom,
            None if width is None else width + left + right,
            channels,
        )

    def get_config(self):
        config = super().get_config()
        config.update(padding=[list(pair) for pair in self.padding])
        return config


def _normalize_padding(padding):
    if isinstance(padding, int):
        padding = ((padding, padding), (padding, padding))
    height, width = padding
    if isinstance(height, int) and isinstance(width, int):
        padding = ((height, height), (width, width))
    padding = tuple(tuple(pair) for pair in padding)
    sizes = [size for pair in padding for size in pair]
    if len(sizes) != 4 or not all(isinstance(size, int) and size >= 0 for size in sizes):
        raise ValueError(
            "padding must be an int, (height_pad, width_pad) or ((top, bottom), (left, right)) "
            f"of non-negative ints; got {padding}"
        )
    return padding
