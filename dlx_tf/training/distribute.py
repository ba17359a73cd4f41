"""Strategy resolution, logical CPU devices, per-replica seeds and mixed precision.

One strategy per process: `resolve_strategy` caches what it makes, because a second
`MirroredStrategy` in the same process later breaks collectives (docs/keras3_notes.md).
"""

import glob
import json
import os

import keras
import tensorflow as tf

from dlx_tf.errors import UsageError

STRATEGIES = ("auto", "cpu", "mirrored", "multi_worker", "tpu")
_cache = {}


def configure_cpu_devices(count):
    """Splits the host CPU into `count` logical devices so MirroredStrategy can run on a laptop.

    Must run before TensorFlow initialises its devices; asking again for the count
    already in place is a no-op.
    """
    (cpu,) = tf.config.list_physical_devices("CPU")
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError as error:
        have = len(tf.config.list_logical_devices("CPU"))
        raise UsageError(
            f"--cpu-devices {count}: TensorFlow already started with {have} CPU device(s); "
            "set it before anything else touches TensorFlow"
        ) from error


def resolve_strategy(name="auto"):
    """Returns the process's strategy for `name` (see STRATEGIES), creating it once."""
    if name not in STRATEGIES:
        raise UsageError(f"--strategy {name}: expected one of {', '.join(STRATEGIES)}")
    if name not in _cache:
        _cache[name] = _make_strategy(name)
    return _cache[name]


def _make_strategy(name):
    if name == "auto":
        if _tpu_visible():
            try:
                return _make_strategy("tpu")
            except (ValueError, RuntimeError, tf.errors.OpError) as error:
                print(f"warning: a TPU looked present but did not answer ({error}); not using it")
        gpus = tf.config.list_logical_devices("GPU")
        if len(gpus) == 1:
            return tf.distribute.OneDeviceStrategy(gpus[0].name)
        several = len(gpus or tf.config.list_logical_devices("CPU")) > 1
        name = "mirrored" if several else "cpu"
    if name == "cpu":
        return tf.distribute.OneDeviceStrategy("/cpu:0")
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus or tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise UsageError(
                "--strategy multi_worker: the TF_CONFIG environment variable is not set"
            )
        try:
            json.loads(os.environ["TF_CONFIG"])
        except json.JSONDecodeError as error:
            raise UsageError(f"TF_CONFIG is not valid JSON: {error}") from error
        return tf.distribute.MultiWorkerMirroredStrategy()
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
        tpu=os.environ.get("TPU_NAME", "local")
    )
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def _tpu_visible():
    # Checked without touching the network: a GCE metadata lookup hangs on closed machines.
    return bool(
        os.environ.get("TPU_NAME")
        or os.environ.get("COLAB_TPU_ADDR")
        or glob.glob("/dev/accel*")
        or glob.glob("/dev/vfio/[0-9]*")
    )


def strategy_name(strategy):
    """The public class name (MultiWorkerMirroredStrategy's class is an internal alias)."""
    names = {
        tf.distribute.MultiWorkerMirroredStrategy: "MultiWorkerMirroredStrategy",
        tf.distribute.TPUStrategy: "TPUStrategy",
        tf.distribute.MirroredStrategy: "MirroredStrategy",
        tf.distribute.OneDeviceStrategy: "OneDeviceStrategy",
    }
    return next((name for cls, name in names.items() if isinstance(strategy, cls)),
                type(strategy).__name__)


def is_chief(strategy):
    """True for the one worker that writes run records, checkpoints, plots and exports."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return True
    if resolver.task_type in (None, "chief"):
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return not has_chief and resolver.task_type == "worker" and resolver.task_id == 0


def worker_dir(output_dir, strategy):
    """The folder a worker other than the chief keeps its own record in."""
    resolver = strategy.cluster_resolver
    return os.path.join(output_dir, "workers", f"{resolver.task_type}-{resolver.task_id}")


def replica_seed(seed, step):
    """A `[2]` seed for `tf.random.stateless_*` that differs per replica and per step.

    Stateful Keras generators hand every replica the same numbers inside
    `strategy.run` (docs/keras3_notes.md); folding the replica id into a stateless seed
    gives independent streams that are still reproducible after a resume, because
    `step` (an optimizer's `iterations`) is checkpointed.
    """
    context = tf.distribute.get_replica_context()
    replica = 0 if context is None else context.replica_id_in_sync_group
    replicas = 1 if context is None else context.num_replicas_in_sync
    stream = tf.cast(step, tf.int64) * replicas + tf.cast(replica, tf.int64)
    return tf.stack([tf.constant(seed, tf.int64), stream])


def set_mixed_precision(strategy, enabled):
    """Sets the global dtype policy: float16 on GPU (loss-scaled), bfloat16 on TPU and CPU."""
    if not enabled:
        keras.mixed_precision.set_global_policy("float32")
        return "float32"
    on_tpu = isinstance(strategy, tf.distribute.TPUStrategy)
    on_gpu = bool(tf.config.list_logical_devices("GPU")) and not on_tpu
    policy = "mixed_float16" if on_gpu else "mixed_bfloat16"
    keras.mixed_precision.set_global_policy(policy)
    return policy
