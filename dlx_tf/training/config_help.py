"""The `--help` section listing an experiment's config keys: type, allowed range, value in
each profile and meaning, the meaning read from the comment on the field's line (or the
comment lines right above it) in the config's source."""

import ast
import dataclasses
import inspect
import io
import json
import textwrap
import tokenize
import typing

from dlx_tf.training.config import type_name

WIDTH = 88
_MEANING_INDENT = " " * 6
_HEADER_INDENT = " " * 8  # a wrapped header line, told apart from the meaning below it


def config_help(profiles, width=WIDTH):
    """The text `--help` shows after the flags for a `{profile: config}` dict whose
    configs share one class."""
    config_class = type(next(iter(profiles.values())))
    meanings = field_meanings(config_class)
    hints = typing.get_type_hints(config_class)
    lines = textwrap.wrap("config keys (--set KEY=VALUE), each as KEY (type and allowed range) "
                          "= its value in every profile, or per profile where they differ; "
                          "then its meaning:", width)
    for field in dataclasses.fields(config_class):
        kind = type_name(hints[field.name])
        allowed = config_class.RANGES.get(field.name)
        if allowed is not None:
            kind += f", each {allowed}" if kind.startswith("comma-separated") else f" {allowed}"
        header = f"  {field.name} ({kind}) = {profile_values(profiles, field.name)}"
        lines += textwrap.wrap(header, width, subsequent_indent=_HEADER_INDENT)
        lines += textwrap.wrap(meanings.get(field.name, ""), width,
                               initial_indent=_MEANING_INDENT,
                               subsequent_indent=_MEANING_INDENT)
    return "\n".join(lines)


def profile_values(profiles, name):
    """`value` if every profile agrees, else `value (profile, ...); other (profile)`."""
    by_value = {}
    for profile, config in profiles.items():
        by_value.setdefault(shown_value(getattr(config, name)), []).append(profile)
    if len(by_value) == 1:
        return next(iter(by_value))
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in by_value.items())


def shown_value(value):
    """A config value as `--set` takes it: `256,128`, `true`, `none`, `""`."""
    if isinstance(value, tuple):
        text = ",".join(str(item) for item in value)
    elif isinstance(value, bool) or value is None:
        text = str(value).lower()
    else:
        text = str(value)
    return json.dumps(text) if not text or " " in text else text


def field_meanings(config_class):
    """`{field: meaning}` from the comments in the source of `config_class` and its
    dataclass bases; a subclass's comment on a field it redeclares wins."""
    meanings = {}
    for cls in reversed(config_class.__mro__):
        if dataclasses.is_dataclass(cls):
            meanings.update({name: text for name, text in _class_comments(cls).items() if text})
    return meanings


def _class_comments(cls):
    """The comment of each annotated field the class body declares: the comment on its
    line(s), else the block of comment lines right above it."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except OSError:  # a class defined where no source is kept, e.g. an interactive session
        return {}
    lines = source.splitlines()
    comments = {}  # line number: (text, whether the comment has the line to itself)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            comments[row] = (token.string.lstrip("#").strip(), not lines[row - 1][:column].strip())
    (class_node,) = ast.parse(source).body
    found = {}
    for node in class_node.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        trailing = [comments[row][0] for row in range(node.lineno, node.end_lineno + 1)
                    if row in comments and not comments[row][1]]
        above, row = [], node.lineno - 1
        while row in comments and comments[row][1]:
            above.insert(0, comments[row][0])
            row -= 1
        found[node.target.id] = " ".join(trailing or above)
    return found
