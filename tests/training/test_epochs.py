import pytest

from dlx_tf.errors import UsageError
from dlx_tf.training.epochs import steps_per_execution


@pytest.mark.parametrize("steps, asked, expected", [
    (8, 3, 4),  # the smallest divisor from 3 up
    (146, 8, 73),  # 2 × 73: rounding down would give 2 per call
    (13, 8, 13),  # a prime epoch runs in one call
    (5, 8, 5),  # an epoch shorter than asked runs whole
    (12, 1, 1),
    (16, 8, 8),
])
def test_steps_per_call_divide_the_epoch_and_reach_what_was_asked(steps, asked, expected):
    assert steps_per_execution(steps, asked) == expected


def test_fewer_than_one_step_per_call_is_a_usage_error():
    with pytest.raises(UsageError, match="steps_per_execution must be at least 1, got 0"):
        steps_per_execution(10, 0)
