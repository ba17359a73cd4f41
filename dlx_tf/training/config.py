"""Frozen dataclass configs and typed `--set key=value` overrides."""

import dataclasses
import json
import types
import typing

from dlx_tf.errors import UsageError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def apply_overrides(config, assignments):
    """Returns a copy of the dataclass `config` with `key=value` strings applied.

    Each value is parsed to the field's annotated type; an unknown key or a value
    that does not parse raises `UsageError` naming the key, the expected type and
    the allowed keys.
    """
    fields = {f.name: f for f in dataclasses.fields(config)}
    hints = typing.get_type_hints(type(config))
    changes = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key = key.strip()
        if not sep:
            raise UsageError(f"--set {assignment!r}: expected key=value")
        if key not in fields:
            raise UsageError(
                f"--set {key}: unknown key; allowed keys: {', '.join(sorted(fields))}"
            )
        changes[key] = parse_value(key, hints[key], text.strip())
    return dataclasses.replace(config, **changes)


def parse_value(key, annotation, text):
    """Parses `text` as `annotation` (bool, int, float, str, Optional, tuple[T, ...])."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if text.lower() in ("none", "null", "") and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return parse_value(key, inner, text)
    if origin is tuple:
        items = [t.strip() for t in text.strip("()[]").split(",") if t.strip()]
        item_types = [args[0]] * len(items) if args[-1] is Ellipsis else list(args)
        if len(item_types) != len(items):
            raise UsageError(f"--set {key}={text}: expected {len(args)} comma-separated values")
        return tuple(parse_value(key, t, item) for t, item in zip(item_types, items))
    try:
        if annotation is bool:
            if text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            raise ValueError(text)
        if annotation in (int, float, str):
            return annotation(text)
    except ValueError:
        pass
    else:
        raise UsageError(f"--set {key}: unsupported field type {annotation}")
    raise UsageError(f"--set {key}={text}: expected {_type_name(annotation)}, got {text!r}")


def config_to_dict(config):
    """A JSON-ready dict of the config (tuples become lists, as after a JSON round trip)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def config_differences(saved, current):
    """Keys whose values differ between two config dicts, as 'key: old -> new' lines."""
    keys = sorted(set(saved) | set(current))
    return [
        f"{k}: {saved.get(k)!r} -> {current.get(k)!r}"
        for k in keys
        if saved.get(k) != current.get(k)
    ]


def _type_name(annotation):
    return getattr(annotation, "__name__", str(annotation))
