"""`--help` lists every config key: type, range, value per profile and the meaning read
from the field's comment."""

import dataclasses
import importlib
import os
import re
import typing

import pytest

from dlx_tf.ranges import POSITIVE
from dlx_tf.training.cli import parse_args
from dlx_tf.training.config import ExperimentConfig, parse_value
from dlx_tf.training.config_help import field_meanings, profile_values, shown_value

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXPERIMENTS = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "experiments"))
                     if name.endswith(".py"))
SCALAR_NAMES = {int: "int", float: "float", str: "str", bool: "bool"}


@dataclasses.dataclass(frozen=True)
class CommentedConfig(ExperimentConfig):
    batch_size: int = 8  # redeclared with its own meaning
    # A block of comment lines
    # right above the field.
    widths: tuple[int, ...] = (4, 2)
    # Not the meaning: name has a comment of its own.
    name: str = "two words"  # a trailing comment wins over the block above
    # Not flag's: a blank line parts them.

    flag: bool = False

    RANGES = {**ExperimentConfig.RANGES, "widths": POSITIVE}


def test_a_meaning_comes_from_the_trailing_comment_else_the_block_above_else_the_base():
    meanings = field_meanings(CommentedConfig)
    assert meanings["batch_size"] == "redeclared with its own meaning"
    assert meanings["widths"] == "A block of comment lines right above the field."
    assert meanings["name"] == "a trailing comment wins over the block above"
    assert "flag" not in meanings
    assert meanings["epochs"] == "training epochs"  # inherited, not redeclared


def test_shown_values_are_what_set_takes_back():
    config = CommentedConfig(name="", flag=True)
    hints = typing.get_type_hints(CommentedConfig)
    for field in ("batch_size", "widths", "name", "flag", "seed"):
        text = shown_value(getattr(config, field))
        if text.startswith('"'):  # quoted because empty or spaced; the shell unquotes it
            text = text[1:-1]
        assert parse_value(hints[field], text) == getattr(config, field), field
    profiles = {"paper": CommentedConfig(), "paper_big": CommentedConfig(),
                "smoke": CommentedConfig(widths=(1,))}
    assert profile_values(profiles, "widths") == "4,2 (paper, paper_big); 1 (smoke)"
    assert profile_values(profiles, "name") == '"two words"'


def config_key_blocks(help_text):
    """`{key: (header, meaning)}` from the config keys section of `--help`."""
    section = help_text.split("\nconfig keys", 1)[1]
    blocks = {}
    for line in section.splitlines()[1:]:
        key = re.match(r"  (\w+) \(", line)
        if key:
            blocks[key[1]] = [line, ""]
        elif line.startswith(" " * 8):
            blocks[list(blocks)[-1]][0] += " " + line.strip()
        elif line.startswith(" " * 6):
            blocks[list(blocks)[-1]][1] += " " + line.strip()
    return {key: (header, meaning.strip()) for key, (header, meaning) in blocks.items()}


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_help_lists_every_config_key_with_type_range_profile_values_and_meaning(
        experiment, capsys):
    module = importlib.import_module(f"experiments.{experiment}")
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--help"], experiment, module.PROFILES, module.__doc__)
    assert exit_info.value.code == 0
    blocks = config_key_blocks(capsys.readouterr().out)
    config_class = type(module.PROFILES["paper"])
    hints = typing.get_type_hints(config_class)
    fields = dataclasses.fields(config_class)
    assert list(blocks) == [field.name for field in fields]
    for field in fields:
        header, meaning = blocks[field.name]
        kind = SCALAR_NAMES.get(hints[field.name], "comma-separated")
        assert header.startswith(f"  {field.name} ({kind}"), header
        if field.name in config_class.RANGES:
            assert str(config_class.RANGES[field.name]) in header, header
        values = {name: shown_value(getattr(config, field.name))
                  for name, config in module.PROFILES.items()}
        for profile, value in values.items():
            assert f"= {value}" in header or f"; {value} (" in header, (header, profile)
            if len(set(values.values())) > 1:
                assert re.search(rf"[(,] ?{profile}[,)]", header), (header, profile)
        assert meaning, f"{experiment}: config key {field.name} has no comment in the source"
