"""The contract between an experiment's `build(config, env)` and the shared runner."""

import dataclasses
from collections.abc import Callable

import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class ExperimentConfig:
    """Fields every experiment config has; experiments subclass it with their own.

    Args:
        data: `synthetic` for the offline generated data, else the real source
            (a tfds name, a folder, a file) as the experiment documents it.
        epochs: training epochs.
        batch_size: the global batch, split evenly across replicas.
        seed: seeds weights, data order, augmentation and sampling.
    """

    data: str = "synthetic"
    epochs: int = 1
    batch_size: int = 32
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class RunEnv:
    """What the runner tells `build`: where the run lives and how it is distributed."""

    strategy: tf.distribute.Strategy
    run_dir: str
    plots_dir: str
    profile: str
    is_chief: bool


@dataclasses.dataclass(frozen=True)
class ExportSpec:
    """One SavedModel to write (see `dlx_tf.export.export_saved_model`)."""

    model_name: str
    resources: list
    endpoints: dict
    warmup_inputs: dict


@dataclasses.dataclass
class Job:
    """A built experiment, ready for the runner.

    Args:
        model: the `TrainableModel` to fit, compiled, created inside the strategy scope.
        train_data: unbatched, finite, in a fixed order; the runner shuffles it per
            epoch with a seed of (run seed, epoch), so a resumed run sees the same order.
        data_info: `source`, `synthetic` (bool) and example counts, for `run.json`.
        validation_data: unbatched examples evaluated after every epoch.
        test_data: unbatched held-out examples evaluated once at the end (`test_*`).
        test_each_epoch: also evaluate `test_data` after every epoch, into the history
            (`test_*` beside `val_*`), for studies that chart test curves; model choices
            such as early stopping must still use the validation metrics alone.
        augment: `(example, seed) -> example` applied in the training pipeline only;
            `seed` is a `[2]` int64 tensor for `tf.random.stateless_*` ops.
        shuffle_buffer: the per-epoch shuffle buffer.
        submodels: named models whose parameter counts go into `run.json`.
        callbacks: extra Keras callbacks (sample grids, text samples).
        extend_throughput: `(throughput) -> dict` of entries to add to the measured
            `examples_per_sec`/`steps_per_sec`, such as tokens per second or MFU.
        evaluate: `(metrics) -> dict` of extra final metrics, given the final metrics so far
            (the last epoch's, `test_*`); runs on every worker.
        plots: `() -> {name: path}` of final figures, written into `env.plots_dir`.
        exports: `(metrics) -> [ExportSpec]` SavedModels to write at the end.

    `plots` and `exports` run on the chief alone: they call models directly, never
    `predict`/`evaluate`, whose collectives would wait forever for the other workers.
    """

    model: tf.Module
    train_data: tf.data.Dataset
    data_info: dict
    validation_data: tf.data.Dataset | None = None
    test_data: tf.data.Dataset | None = None
    test_each_epoch: bool = False
    augment: Callable | None = None
    shuffle_buffer: int = 10_000
    submodels: dict = dataclasses.field(default_factory=dict)
    callbacks: list = dataclasses.field(default_factory=list)
    extend_throughput: Callable[[dict], dict] | None = None
    evaluate: Callable[[dict], dict] | None = None
    plots: Callable[[], dict] | None = None
    exports: Callable[[dict], list] | None = None
