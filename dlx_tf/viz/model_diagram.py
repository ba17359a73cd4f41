"""Block diagrams of subclassed Keras models, traced from a real call."""

import keras
import numpy as np

from dlx_tf.viz.curves import plt


def trace_layers(model, inputs):
    """Calls `model(inputs)` once and returns, in call order, one
    `(name, class name, output shape, parameter count)` per leaf layer call.

    Direct sub-layers are recorded; sub-layers that are themselves `keras.Model`s
    are opened up. Works for subclassed models, whose layers keep no output shapes.
    """
    if not model.built:
        model(inputs, training=False)  # a first call would also record the build's trace
    records = []
    leaves = _leaf_layers(model)
    for layer in leaves:
        object.__setattr__(layer, "call", _recording(layer, records))
    try:
        model(inputs, training=False)
    finally:
        for layer in leaves:
            object.__delattr__(layer, "call")
    return records


def _leaf_layers(model):
    leaves = []
    for layer in model.layers:
        leaves += _leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return leaves


def _recording(layer, records):
    original = type(layer).call.__get__(layer)

    def call(*args, **kwargs):
        outputs = original(*args, **kwargs)
        first = keras.tree.flatten(outputs)[0]
        records.append((layer.name, type(layer).__name__, tuple(first.shape[1:]),
                        int(sum(np.prod(v.shape) for v in layer.weights))))
        return outputs

    return call


def plot_model_diagram(networks, title):
    """Draws one column of boxes per network: `networks` is a list of
    `(heading, input description, trace_layers(...) records)`."""
    rows = max(len(records) for _, _, records in networks) + 1
    figure, axes = plt.subplots(1, len(networks), figsize=(3.3 * len(networks), 0.55 * rows + 1.2),
                                squeeze=False)
    for axis, (heading, input_text, records) in zip(axes[0], networks):
        axis.set_xlim(0, 1)
        axis.set_ylim(-rows, 0.6)
        axis.axis("off")
        total = sum(params for *_, params in records)
        axis.set_title(f"{heading}\n{total:,} parameters", fontsize=9)
        boxes = [(input_text, "#dddddd")] + [
            (f"{name} · {kind}\n{_shape(shape)}" + (f" · {params:,} p" if params else ""),
             "#cfe2f3" if params else "#f4f4f4")
            for name, kind, shape, params in records
        ]
        for row, (text, colour) in enumerate(boxes):
            axis.text(0.5, -row, text, ha="center", va="center", fontsize=6.5,
                      bbox={"boxstyle": "round,pad=0.3", "facecolor": colour, "edgecolor": "#666"})
            if row:
                axis.annotate("", xy=(0.5, -row + 0.28), xytext=(0.5, -row + 0.72),
                              arrowprops={"arrowstyle": "->", "color": "#666", "lw": 0.8})
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def _shape(shape):
    return "×".join("?" if size is None else str(size) for size in shape)
