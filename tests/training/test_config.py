import dataclasses
import importlib

import pytest

from dlx_tf.errors import UsageError
from dlx_tf.ranges import POSITIVE, RATE, within
from dlx_tf.training.config import (
    ExperimentConfig,
    apply_overrides,
    config_differences,
    config_to_dict,
)


@dataclasses.dataclass(frozen=True)
class Example:
    rate: float = 0.1
    steps: int = 3
    name: str = "a"
    flag: bool = False
    widths: tuple[int, ...] = (4, 8)
    limit: int | None = None


def test_overrides_parse_each_field_type():
    config = apply_overrides(Example(), [
        "rate=2.5e-4", "steps=7", "name=cycle gan", "flag=true", "widths=16,32,64", "limit=none",
    ])
    assert config == Example(2.5e-4, 7, "cycle gan", True, (16, 32, 64), None)
    assert apply_overrides(Example(), ["limit=5", "flag=0"]) == Example(limit=5, flag=False)


def test_unknown_key_names_the_allowed_keys():
    with pytest.raises(UsageError) as error:
        apply_overrides(Example(), ["stepz=4"])
    assert str(error.value) == (
        "--set stepz: unknown key; allowed keys: flag, limit, name, rate, steps, widths"
    )


@pytest.mark.parametrize("assignment, expected", [
    ("steps=three", "--set steps=three: expected int, got 'three'"),
    ("rate=fast", "--set rate=fast: expected float, got 'fast'"),
    ("flag=maybe", "--set flag=maybe: expected bool, got 'maybe'"),
    ("widths=4,x", "--set widths=4,x: expected comma-separated ints, got '4,x'"),
    ("limit=lots", "--set limit=lots: expected int or none, got 'lots'"),
    ("steps", "--set 'steps': expected key=value"),
])
def test_bad_value_names_key_and_expected_type(assignment, expected):
    with pytest.raises(UsageError) as error:
        apply_overrides(Example(), [assignment])
    assert str(error.value) == expected


def test_config_dict_is_json_ready_and_differences_are_listed():
    saved = config_to_dict(Example())
    assert saved["widths"] == [4, 8]
    current = config_to_dict(Example(steps=9))
    assert config_differences(saved, current) == ["steps: 3 -> 9"]
    assert config_differences(saved, config_to_dict(Example())) == []


@pytest.mark.parametrize("setting, message", [
    ("learning_rate=nan", "learning_rate: expected a value > 0, got nan"),
    ("learning_rate=-1", "learning_rate: expected a value > 0, got -1.0"),
    ("learning_rate=inf", "learning_rate: expected a value > 0, got inf"),
    ("dropout=1.5", "dropout: expected a value in [0, 1), got 1.5"),
    ("hidden_units=128,0", "hidden_units: expected each value ≥ 1, got 0"),
])
def test_every_numeric_field_is_range_checked_in_one_line(setting, message):
    with pytest.raises(UsageError) as error:
        apply_overrides(RangedConfig(), [setting])
    assert str(error.value) == message


@dataclasses.dataclass(frozen=True)
class RangedConfig(ExperimentConfig):
    hidden_units: tuple[int, ...] = (8, 4)
    dropout: float = 0.1
    learning_rate: float = 1e-3

    RANGES = {**ExperimentConfig.RANGES, "hidden_units": POSITIVE,
              "dropout": within(0, 1, high_open=True), "learning_rate": RATE}


def test_a_numeric_field_without_a_range_cannot_be_declared():
    @dataclasses.dataclass(frozen=True)
    class Unranged(ExperimentConfig):
        width: int = 3

    with pytest.raises(TypeError, match="Unranged.width: a numeric field needs a range"):
        Unranged()


@pytest.mark.parametrize("name", ["intro_mlp", "cyclegan", "pegasus", "bert_noise",
                                  "austen_net", "audio_net"])
def test_every_profile_of_every_experiment_is_within_its_ranges(name):
    module = importlib.import_module(f"experiments.{name}")
    for profile in module.PROFILES.values():
        assert dataclasses.replace(profile) == profile  # validated again on the way
