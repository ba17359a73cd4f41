import io
import json

import numpy as np
import pytest

from dlx_tf import strict_json


def _refuse(constant):
    raise ValueError(f"bare {constant}")


def test_non_finite_numbers_become_strings_any_parser_reads():
    data = {"loss": float("nan"), "history": [{"kid": float("inf")}, (float("-inf"), 1.5)],
            "ok": [1, "a", None, True]}
    text = strict_json.dumps(data)
    assert json.loads(text, parse_constant=_refuse) == {
        "loss": "NaN", "history": [{"kid": "Infinity"}, ["-Infinity", 1.5]],
        "ok": [1, "a", None, True]}


def test_objects_go_through_default_before_the_check():
    file = io.StringIO()
    strict_json.dump({"x": np.float32("nan"), "y": np.arange(2)}, file,
                     default=lambda v: v.item() if v.ndim == 0 else v.tolist())
    assert json.loads(file.getvalue(), parse_constant=_refuse) == {"x": "NaN", "y": [0, 1]}


def test_without_default_an_unknown_object_is_still_an_error():
    with pytest.raises(TypeError):
        strict_json.dumps({"x": object()})
