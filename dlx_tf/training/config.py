"""Frozen dataclass configs and typed `--set key=value` overrides."""

import dataclasses
import json
import types
import typing

from dlx_tf.errors import UsageError
from dlx_tf.ranges import NON_NEGATIVE, POSITIVE, Range


@dataclasses.dataclass(frozen=True)
class ExperimentConfig:
    """Fields every experiment config has; experiments subclass it with their own.

    Each field's meaning is the comment on its line, else the comment lines right above
    it: `--help` lists them (`dlx_tf.training.config_help`), so every field needs one.
    """

    # `synthetic` for the offline generated data, else the real source (a tfds name, a
    # folder, a file) as the experiment documents it.
    data: str = "synthetic"
    epochs: int = 1  # training epochs
    batch_size: int = 32  # the global batch, split evenly across replicas
    seed: int = 0  # seeds weights, data order, augmentation and sampling
    # Training steps per compiled call, at least (more where they must divide an epoch,
    # the whole epoch if it is shorter): one call per step costs about half a millisecond
    # of Python in Keras' loop, up to 60 % of a small model's step on a CPU. One replica
    # or a TPU only: mirrored replicas take one step per call.
    steps_per_execution: int = 8

    # The allowed values of every numeric field; subclasses add theirs to these.
    RANGES: typing.ClassVar[dict[str, Range]] = {
        "epochs": POSITIVE, "batch_size": POSITIVE, "seed": NON_NEGATIVE,
        "steps_per_execution": POSITIVE}

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            values = value if isinstance(value, tuple) else (value,)
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if not numbers:
                continue
            allowed = self.RANGES.get(field.name)
            if allowed is None:
                raise TypeError(f"{type(self).__name__}.{field.name}: a numeric field needs "
                                "a range in RANGES")
            for number in numbers:
                if not allowed.allows(number):
                    kind = "each value" if isinstance(value, tuple) else "a value"
                    raise UsageError(f"{field.name}: expected {kind} {allowed}, got {number!r}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def apply_overrides(config, assignments):
    """Returns a copy of the dataclass `config` with `key=value` strings applied.

    Each value is parsed to the field's annotated type; an unknown key or a value
    that does not parse raises `UsageError` naming the key, the expected type and
    the allowed keys.
    """
    fields = {f.name for f in dataclasses.fields(config)}
    hints = typing.get_type_hints(type(config))
    changes = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key, text = key.strip(), text.strip()
        if not sep:
            raise UsageError(f"--set {assignment!r}: expected key=value")
        if key not in fields:
            raise UsageError(
                f"--set {key}: unknown key; allowed keys: {', '.join(sorted(fields))}"
            )
        try:
            changes[key] = parse_value(hints[key], text)
        except ValueError:
            raise UsageError(
                f"--set {key}={text}: expected {type_name(hints[key])}, got {text!r}"
            ) from None
    return dataclasses.replace(config, **changes)


def parse_value(annotation, text):
    """Parses `text` as `annotation` (bool, int, float, str, `T | None`, `tuple[T, ...]`);
    raises ValueError when it does not parse."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if text.lower() in ("none", "null", "") and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return parse_value(inner, text)
    if origin is tuple:
        items = [t.strip() for t in text.strip("()[]").split(",") if t.strip()]
        item_types = [args[0]] * len(items) if args[-1] is Ellipsis else list(args)
        if len(item_types) != len(items):
            raise ValueError(text)
        return tuple(parse_value(t, item) for t, item in zip(item_types, items))
    if annotation is bool:
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError(text)
        return text.lower() in _TRUE
    if annotation in (int, float, str):
        return annotation(text)
    raise TypeError(f"config fields of type {annotation} cannot be set from the command line")


def type_name(annotation):
    """A readable name: `int`, `int or none`, `comma-separated ints`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(inner + ["none"])
    if origin is tuple:
        return f"comma-separated {type_name(args[0])}s"
    return getattr(annotation, "__name__", str(annotation))


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

