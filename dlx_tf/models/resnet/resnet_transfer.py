"""ImageNet transfer: copy a KerasHub ResNet preset's weights into our `ResNetBackbone`."""

import keras_hub

from dlx_tf.errors import UsageError


def keras_hub_resnet_config(stackwise_num_blocks):
    """Keyword arguments for `keras_hub.models.ResNetBackbone` that build the architecture
    of `ResNetBackbone(stackwise_num_blocks, width=64)` (KerasHub only allows width 64)."""
    stages = len(stackwise_num_blocks)
    return {  # in the order load_backbone_weights checks them: the telling ones first
        "block_type": "basic_block",
        "use_pre_activation": False,
        "stackwise_num_blocks": list(stackwise_num_blocks),
        "stackwise_num_filters": [64 * 2**stage for stage in range(stages)],
        "stackwise_num_strides": [1] + [2] * (stages - 1),
        "input_conv_filters": [64],
        "input_conv_kernel_sizes": [7],
    }


def load_backbone_weights(backbone, preset):
    """Loads a KerasHub ResNet preset into `backbone` (a `ResNetBackbone` of width 64 with
    the preset's block counts) and returns the number of tensors copied, batch-norm
    statistics included.

    Args:
        backbone: the `ResNetBackbone` to overwrite; built for 3 channels if not yet built.
        preset: a KerasHub preset name such as `"resnet_18_imagenet"` (downloaded from
            Kaggle) or a local preset folder written by `save_to_preset`.

    Raises:
        UsageError: the preset is not a ResNet of the same architecture (names the field,
            expected vs got), or a layer is missing or has other shapes.

    Example:
    ```python
    classifier = AudioNetClassifier(num_classes=10)
    classifier.build((None, 130, 128))
    load_backbone_weights(classifier.backbone, "resnet_18_imagenet")  # 100 tensors
    ```
    """
    if backbone.width != 64:
        raise UsageError(
            f"ImageNet ResNet presets have width 64; the backbone has width {backbone.width}")
    try:
        source = keras_hub.models.ResNetBackbone.from_preset(preset)
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(f"preset {preset!r} could not be loaded as a KerasHub "
                         f"ResNetBackbone: {error}") from error
    expected = keras_hub_resnet_config(backbone.stackwise_num_blocks)
    for field, value in expected.items():
        got = getattr(source, field)
        if (list(got) if isinstance(got, (list, tuple)) else got) != value:
            raise UsageError(f"preset {preset!r}: {field} expected {value}, got {got}")
    return copy_weights_by_name(backbone, source)


def copy_weights_by_name(backbone, source):
    """Copies every weight of `backbone` from the layer of the same name in `source` (any
    Keras model with `get_layer`); returns the number of tensors copied.

    Raises:
        UsageError: a layer missing from `source`, or weights of other names or shapes.
    """
    if not backbone.built:
        backbone.build((None, None, None, 3))
    copied = 0
    for name, layer in backbone.named_weight_layers().items():
        try:
            source_layer = source.get_layer(name)
        except ValueError as error:
            raise UsageError(f"layer {name} of the backbone is missing from the source "
                             f"model {source.name!r}") from error
        ours = {w.name: w for w in layer.weights}
        theirs = {w.name: w for w in source_layer.weights}
        if sorted(ours) != sorted(theirs):
            raise UsageError(f"layer {name}: expected weights {sorted(ours)}, "
                             f"got {sorted(theirs)}")
        for weight_name, weight in ours.items():
            value = theirs[weight_name]
            if tuple(weight.shape) != tuple(value.shape):
                raise UsageError(f"layer {name}, {weight_name}: expected shape "
                                 f"{tuple(weight.shape)}, got {tuple(value.shape)}")
            weight.assign(value)
            copied += 1
    return copied
