import os

import keras
import numpy as np
from figure_layout import layout_problems

from dlx_tf.viz.curves import plt, save_figure
from dlx_tf.viz.model_diagram import plot_model_diagram, trace_layers


class _Inner(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(3, name="inner_dense")

    def call(self, x):
        return self.dense(x)


class _Outer(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(5, name="first")
        self.inner = _Inner(name="inner")
        self.act = keras.layers.Activation("relu", name="act")

    def call(self, x):
        return self.act(self.inner(self.first(x)))


def test_trace_records_leaf_layers_in_call_order_and_restores_them(tmp_path):
    model = _Outer()
    x = np.ones((2, 4), "float32")
    expected = np.asarray(model(x))
    records = trace_layers(model, x)
    assert records == [("first", "Dense", (5,), 4 * 5 + 5),
                       ("inner_dense", "Dense", (3,), 5 * 3 + 3),
                       ("act", "Activation", (3,), 0)]
    assert "call" not in vars(model.first)  # the recording wrapper is gone
    np.testing.assert_allclose(np.asarray(model(x)), expected)
    path = str(tmp_path / "diagram.png")
    save_figure(plot_model_diagram([("outer", "x: 4", records), ("again", "x: 4", records[:1])],
                                   "t"), path)
    assert os.path.getsize(path) > 1000


def test_an_unbuilt_model_is_built_before_tracing_so_each_layer_is_recorded_once():
    records = trace_layers(_Outer(), np.ones((2, 4), "float32"))
    assert [name for name, *_ in records] == ["first", "inner_dense", "act"]


def _records(prefix, count):
    return [(f"{prefix}_{i}", "Conv2D", (8, 8, 16), 100 * i) for i in range(count)]


def test_a_tall_network_continues_in_the_next_column_and_short_ones_stack():
    networks = [("short A", "x: 4", _records("a", 3)), ("short B", "x: 4", _records("b", 3)),
                ("medium", "x: 4", _records("m", 8)), ("tall", "x: 4", _records("t", 20))]
    figure = plot_model_diagram(networks, "the networks, as traced")
    (axis,) = figure.axes
    headings = {text.get_text().split("\n")[0]: text.get_position()[0] for text in axis.texts
                if "parameters" in text.get_text() or "continued" in text.get_text()}
    assert list(headings) == ["short A", "short B", "medium", "tall", "tall (continued)"]
    assert headings["short A"] == headings["short B"]  # stacked in one column
    assert headings["short B"] < headings["medium"] < headings["tall"] < headings[
        "tall (continued)"]
    boxes = [text for text in axis.texts if text.get_bbox_patch()]
    assert len(boxes) == 4 + 3 + 3 + 8 + 20  # every input and every layer
    assert layout_problems(figure) == []
    plt.close(figure)
