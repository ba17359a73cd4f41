"""Configs of Multi-Net's composite layers, which hold their sub-layers."""

import keras


def with_layers(config, names):
    """`config` with the serialized sub-layers under `names` rebuilt into layers: what a
    composite layer's `from_config` passes to its constructor."""
    return {**config, **{name: keras.saving.deserialize_keras_object(config[name])
                         for name in names}}
