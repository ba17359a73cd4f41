"""Block diagrams of subclassed Keras models, traced from a real call."""

import math

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


_FONT_POINTS = 7
_HEADING_POINTS = 8.5
_ROW_INCHES = 0.48
_HEADING_ROWS = 1.2
_MARGIN_INCHES = 0.2


def plot_model_diagram(networks, title):
    """Draws each network as a column of boxes, input first: `networks` is a list of
    `(heading, input description, trace_layers(...) records)`.

    Sized to its content: each column is as wide as its widest box, a network much
    taller than the rest continues in the next column, and short networks stack, so
    little of the figure is empty."""
    blocks = []
    for heading, input_text, records in networks:
        total = sum(params for *_, params in records)
        boxes = [(input_text, "#dddddd")] + [
            (f"{name} · {kind}\n{_shape(shape)}" + (f" · {params:,} p" if params else ""),
             "#cfe2f3" if params else "#f4f4f4")
            for name, kind, shape, params in records]
        blocks.append((f"{heading}\n{total:,} parameters", heading, boxes))
    columns = _pack(blocks, _column_rows([len(boxes) for *_, boxes in blocks]))
    widths = [max([_text_inches(heading, _HEADING_POINTS) for heading, _ in column]
                  + [_text_inches(text) for _, boxes in column for text, _ in boxes]) + 0.4
              for column in columns]
    rows = max(sum(len(boxes) + _HEADING_ROWS for _, boxes in column) for column in columns)
    width = max(sum(widths), _text_inches(title, 12)) + 2 * _MARGIN_INCHES  # room for the title
    height = rows * _ROW_INCHES
    figure = plt.figure(figsize=(width, height + 0.6))
    figure.suptitle(title, y=1 - 0.1 / (height + 0.6), va="top")
    axis = figure.add_axes((0, 0, 1, height / (height + 0.6)))
    axis.set_xlim(0, width)
    axis.set_ylim(-rows, 0)
    axis.axis("off")
    left = (width - sum(widths)) / 2
    for column, column_width in zip(columns, widths):
        middle, top = left + column_width / 2, 0.0
        for heading, boxes in column:
            axis.text(middle, top - 0.5, heading, ha="center", va="center",
                      fontsize=_HEADING_POINTS)
            first = top - _HEADING_ROWS - 0.5  # the centre of the first box
            for row, (text, colour) in enumerate(boxes):
                axis.text(middle, first - row, text, ha="center", va="center",
                          fontsize=_FONT_POINTS, bbox={"boxstyle": "round,pad=0.3",
                                                       "facecolor": colour, "edgecolor": "#666"})
                if row:
                    axis.annotate("", xy=(middle, first - row + 0.3),
                                  xytext=(middle, first - row + 0.7),
                                  arrowprops={"arrowstyle": "->", "color": "#666", "lw": 0.8})
            top -= _HEADING_ROWS + len(boxes)
        left += column_width
    return figure


def _column_rows(lengths):
    """Boxes a column holds: the second-tallest network's (so only the tallest may
    continue), at least half the tallest's."""
    ordered = sorted(lengths)
    return max(ordered[-2] if len(ordered) > 1 else ordered[-1], math.ceil(ordered[-1] / 2))


def _pack(blocks, rows):
    """Columns of `(heading, boxes)`: a network longer than `rows` boxes continues in the
    next column; the next network joins a column while both fit, headings included."""
    columns, column, used = [], [], 0.0
    for heading, name, boxes in blocks:
        for start in range(0, len(boxes), rows):
            chunk = boxes[start:start + rows]
            need = len(chunk) + _HEADING_ROWS
            if column and used + need > rows + 2 * _HEADING_ROWS:
                columns.append(column)
                column, used = [], 0.0
            column.append((heading if start == 0 else f"{name} (continued)", chunk))
            used += need
    return columns + [column]


def _text_inches(text, points=_FONT_POINTS):
    return max(map(len, text.split("\n"))) * points * 0.6 / 72


def _shape(shape):
    return "×".join("?" if size is None else str(size) for size in shape)
