import dataclasses

import pytest

from dlx_tf.errors import UsageError
from dlx_tf.training.config import apply_overrides, config_differences, config_to_dict


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
