"""Test session set-up: 2 logical CPU devices and one strategy of each kind per process."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from dlx_tf.training.distribute import configure_cpu_devices, resolve_strategy  # noqa: E402

# Before anything starts TensorFlow's runtime: a 2-replica MirroredStrategy on the CPU.
configure_cpu_devices(2)


@pytest.fixture(scope="session")
def one_device():
    return resolve_strategy("cpu")


@pytest.fixture(scope="session")
def two_replicas():
    strategy = resolve_strategy("mirrored")
    assert strategy.num_replicas_in_sync == 2
    return strategy
