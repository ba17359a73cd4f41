import re

import pytest

from dlx_tf.errors import UsageError
from dlx_tf.training.epochs import check_batch_split, steps_per_execution


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


@pytest.mark.parametrize("batch, replicas, suggested", [
    # CycleGAN's paper batch on a TPU v2-8/v3-8: only 8 (1 per core) splits.
    (1, 8, "--set batch_size=8 (1 per replica)"),
    (30, 8, "--set batch_size=24 (3 per replica) or --set batch_size=32 (4 per replica)"),
    (5, 2, "--set batch_size=4 (2 per replica) or --set batch_size=6 (3 per replica)"),
])
def test_a_batch_that_does_not_split_names_the_nearest_that_do(batch, replicas, suggested):
    with pytest.raises(UsageError) as error:
        check_batch_split(batch, replicas)
    assert str(error.value) == (f"batch_size {batch} does not split evenly over {replicas} "
                                f"replicas: use {suggested}")
    for size in map(int, re.findall(r"batch_size=(\d+)", suggested)):
        check_batch_split(size, replicas)  # each suggestion does split
