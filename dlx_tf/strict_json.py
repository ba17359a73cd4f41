"""JSON that every parser reads: NaN and ±Infinity, which Python's `json` writes bare
(invalid JSON), are written as the strings "NaN", "Infinity" and "-Infinity"."""

import json
import math


def dump(data, file, default=None, **options):
    json.dump(finite(data, default), file, allow_nan=False, **options)


def dumps(data, default=None, **options):
    return json.dumps(finite(data, default), allow_nan=False, **options)


def finite(value, default=None):
    """`value` with every non-finite float replaced by its name as a string; objects JSON
    cannot hold go through `default` first, as `json.dump(default=...)` would."""
    if isinstance(value, dict):
        return {key: finite(item, default) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item, default) for item in value]
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if value is None or isinstance(value, str | int | bool) or default is None:
        return value
    return finite(default(value), default)
