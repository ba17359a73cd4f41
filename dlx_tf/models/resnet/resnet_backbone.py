"""ResNet with basic blocks (ResNet-18/34), laid out layer for layer like KerasHub's."""

import keras
from keras import layers, ops

from dlx_tf.errors import UsageError


def _batch_norm(name):
    # PyTorch's defaults (eps 1e-5, momentum 0.1 in its convention), which the ImageNet
    # weights were trained with; KerasHub's ResNetBackbone uses the same.
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=name)


@keras.saving.register_keras_serializable(package="dlx_tf")
class ResNetBasicBlock(layers.Layer):
    """Two 3×3 convolutions around a shortcut (He et al. 2015, §3.3 and Fig. 2 left).

    Layers are named `{name}_0_conv` … `{name}_2_bn` as in KerasHub's `apply_basic_block`,
    so ImageNet weights map onto them by name.

    Args:
        filters: output channels.
        strides: 2 on the first block of a downsampling stage, else 1.
        projection: a 1×1 convolution + batch norm on the shortcut (option B of §3.3)
            instead of the identity.

    Example:
    ```python
    block = ResNetBasicBlock(128, strides=2, projection=True, name="stack1_block0")
    block(keras.ops.zeros((1, 14, 10, 64))).shape  # (1, 7, 5, 128)
    ```
    """

    def __init__(self, filters, strides=1, projection=False, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.strides = strides
        self.projection = projection
        prefix = self.name
        if projection:
            # No padding: a 1×1 stride-2 kernel sees the same pixels as torch's.
            self.projection_conv = layers.Conv2D(filters, 1, strides=strides, use_bias=False,
                                                 name=f"{prefix}_0_conv")
            self.projection_bn = _batch_norm(f"{prefix}_0_bn")
        # Torch pads 1 pixel on every side before a stride-2 3×3 convolution; Keras "same"
        # would pad only bottom/right, shifting the grid the ImageNet kernels were fit to.
        self.padding = layers.ZeroPadding2D(1, name=f"{prefix}_1_pad") if strides > 1 else None
        self.conv_1 = layers.Conv2D(filters, 3, strides=strides, use_bias=False,
                                    padding="valid" if strides > 1 else "same",
                                    name=f"{prefix}_1_conv")
        self.bn_1 = _batch_norm(f"{prefix}_1_bn")
        self.conv_2 = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                                    name=f"{prefix}_2_conv")
        self.bn_2 = _batch_norm(f"{prefix}_2_bn")

    def named_weight_layers(self):
        """This block's convolutions and batch norms, by their KerasHub names."""
        found = [self.projection_conv, self.projection_bn] if self.projection else []
        found += [self.conv_1, self.bn_1, self.conv_2, self.bn_2]
        return {layer.name: layer for layer in found}

    def _main_path(self):
        return [layer for layer in (self.padding, self.conv_1, self.bn_1, self.conv_2, self.bn_2)
                if layer is not None]

    def build(self, input_shape):
        shape = input_shape
        for layer in self._main_path():
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        if self.projection:
            self.projection_conv.build(input_shape)
            self.projection_bn.build(self.projection_conv.compute_output_shape(input_shape))

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._main_path():
            shape = layer.compute_output_shape(shape)
        return shape

    def call(self, x, training=False):
        shortcut = x  # (batch, height, width, channels)
        if self.projection:
            shortcut = self.projection_bn(self.projection_conv(x), training=training)
        if self.padding is not None:
            x = self.padding(x)
        x = ops.relu(self.bn_1(self.conv_1(x), training=training))  # (batch, h', w', filters)
        x = self.bn_2(self.conv_2(x), training=training)
        return ops.relu(x + shortcut)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, strides=self.strides, projection=self.projection)
        return config


@keras.saving.register_keras_serializable(package="dlx_tf")
class ResNetBackbone(keras.Model):
    """ResNet with basic blocks (He et al. 2015, Table 1), returning the last feature map.
    https://arxiv.org/abs/1512.03385

    A 7×7/2 convolution, a 3×3/2 max-pool, then one stage per entry of
    `stackwise_num_blocks` with `width * 2**stage` filters, every stage after the first
    halving height and width in its first block (which has a 1×1 projection shortcut).
    Layer names, torch-style padding and batch-norm settings are those of KerasHub's
    `ResNetBackbone` with `block_type="basic_block"`, so `load_backbone_weights` copies
    its ImageNet presets in by name and the two compute the same numbers. With the
    defaults it is ResNet-18: 11,176,512 trainable parameters plus 9,600 batch-norm
    statistics.

    Fully convolutional: an `[batch, h, w, channels]` input gives
    `[batch, ⌈h/32⌉, ⌈w/32⌉, width * 2**(stages - 1)]` with four stages.

    Args:
        stackwise_num_blocks: blocks per stage; (2, 2, 2, 2) is ResNet-18,
            (3, 4, 6, 3) ResNet-34.
        width: filters of the stem and the first stage (64 in the paper; ImageNet
            weights need 64).

    Example:
    ```python
    backbone = ResNetBackbone(width=16)
    backbone(keras.ops.zeros((2, 96, 64, 3))).shape  # (2, 3, 2, 128)
    ```
    """

    def __init__(self, stackwise_num_blocks=(2, 2, 2, 2), width=64, **kwargs):
        super().__init__(**kwargs)
        stackwise_num_blocks = tuple(stackwise_num_blocks)
        if not stackwise_num_blocks or min(stackwise_num_blocks) < 1:
            raise UsageError(
                f"ResNetBackbone: stackwise_num_blocks needs one or more blocks in every "
                f"stage; got {list(stackwise_num_blocks)}")
        if width < 1:
            raise UsageError(f"ResNetBackbone: width must be positive; got {width}")
        self.stackwise_num_blocks = stackwise_num_blocks
        self.width = width
        # === Layers ===
        self.stem_padding = layers.ZeroPadding2D(3, name="conv1_pad")
        self.stem_conv = layers.Conv2D(width, 7, strides=2, use_bias=False, name="conv1_conv")
        self.stem_bn = _batch_norm("conv1_bn")
        # Zeros pad the max-pool as torch's -inf would: its input is a ReLU output, >= 0.
        self.pool_padding = layers.ZeroPadding2D(1, name="pool1_pad")
        self.pool = layers.MaxPooling2D(3, strides=2, name="pool1_pool")
        self.blocks = [
            ResNetBasicBlock(
                width * 2**stage,
                strides=2 if stage > 0 and block == 0 else 1,
                projection=stage > 0 and block == 0,
                name=f"stack{stage}_block{block}",
            )
            for stage, count in enumerate(stackwise_num_blocks)
            for block in range(count)
        ]

    @property
    def output_channels(self):
        return self.width * 2 ** (len(self.stackwise_num_blocks) - 1)

    def named_weight_layers(self):
        """Every convolution and batch norm, by its KerasHub name, stem first."""
        found = {layer.name: layer for layer in (self.stem_conv, self.stem_bn)}
        for block in self.blocks:
            found.update(block.named_weight_layers())
        return found

    def _stem(self):
        return [self.stem_padding, self.stem_conv, self.stem_bn, self.pool_padding, self.pool]

    def build(self, input_shape):
        shape = input_shape
        for layer in self._stem() + self.blocks:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._stem() + self.blocks:
            shape = layer.compute_output_shape(shape)
        return shape

    def call(self, images, training=False):
        x = self.stem_padding(images)  # (batch, h + 6, w + 6, channels)
        x = self.stem_conv(x)  # (batch, ⌈h/2⌉, ⌈w/2⌉, width)
        x = ops.relu(self.stem_bn(x, training=training))
        x = self.pool(self.pool_padding(x))  # (batch, ⌈h/4⌉, ⌈w/4⌉, width)
        for block in self.blocks:
            x = block(x, training=training)
        return x  # (batch, ⌈h/32⌉, ⌈w/32⌉, 8 * width) with four stages

    def get_config(self):
        config = super().get_config()
        config.update(stackwise_num_blocks=list(self.stackwise_num_blocks), width=self.width)
        return config
