"""The one shared trainer: every `experiments/<name>.py` ends in `run_experiment(...)`."""

import dataclasses
import datetime
import functools
import os
import shutil
import sys

import keras
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.export import export_saved_model
from dlx_tf.training.callbacks import EpochRecorder, HeldOutEvaluation
from dlx_tf.training.checkpoint import TrainingCheckpoint
from dlx_tf.training.cli import parse_args
from dlx_tf.training.config import apply_overrides, config_differences, config_to_dict
from dlx_tf.training.distribute import (
    configure_cpu_devices,
    is_chief,
    resolve_strategy,
    set_mixed_precision,
    strategy_name,
)
from dlx_tf.training.job import RunEnv
from dlx_tf.training.run_record import RunRecord, library_versions, parameter_counts


@dataclasses.dataclass(frozen=True)
class RunResult:
    run_dir: str
    record: dict
    job: object


def run_experiment(experiment, profiles, build, argv=None, description=None):
    """Parses the command line, runs the experiment; user mistakes exit 2 with one line."""
    options = parse_args(argv, experiment, profiles, description)
    try:
        return run(experiment, profiles, build, options)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def run(experiment, profiles, build, options):
    """Trains, evaluates, plots and exports one experiment; returns a `RunResult`."""
    if options.cpu_devices:
        configure_cpu_devices(options.cpu_devices)
    config = make_config(profiles[options.profile], options)
    strategy = resolve_strategy(options.strategy)
    precision = set_mixed_precision(strategy, options.mixed_precision)
    chief = is_chief(strategy)
    output_dir = options.output_dir or os.path.join("runs", experiment, options.profile)
    run_dir = output_dir if chief else _worker_dir(output_dir, strategy)
    config_dict = config_to_dict(config)
    if chief:
        _prepare_run_dir(run_dir, config_dict, options.fresh)
    plots_dir = os.path.join(run_dir, "plots")
    os.makedirs(plots_dir, exist_ok=True)
    keras.utils.set_random_seed(config.seed)

    env = RunEnv(strategy, run_dir, plots_dir, options.profile, chief)
    with strategy.scope():
        job = build(config, env)
        steps = _steps_per_epoch(job, config.batch_size, strategy.num_replicas_in_sync)
        checkpoint = TrainingCheckpoint(os.path.join(output_dir, "checkpoints"), job.model)
        pointer = TrainingCheckpoint.read_pointer(checkpoint.directory)
        initial_epoch = pointer["epoch"] if pointer else 0
        # Built from a batch of the real pipeline: augmentation may change shapes.
        train_batches = _training_batches(job, config, initial_epoch)
        job.model.build_for_training(next(iter(train_batches)))
    pointer = checkpoint.restore()
    history = pointer["metadata"]["history"] if pointer else []
    if pointer:
        print(f"Resuming {run_dir} after epoch {initial_epoch} of {config.epochs}")

    synthetic = " (synthetic data)" if job.data_info.get("synthetic") else ""
    record = RunRecord(run_dir, {
        "experiment": experiment,
        "profile": options.profile,
        "status": "running",
        "started": _now(),
        "command": [os.path.basename(sys.argv[0]), *sys.argv[1:]],
        "config": config_dict,
        "data": job.data_info,
        "strategy": {"name": strategy_name(strategy), "replicas": strategy.num_replicas_in_sync},
        "precision": precision,
        "models": parameter_counts(job.submodels or {"model": job.model}),
        "history": history,
        "metrics": {},
        "throughput": {},
        "artifacts": {},
        "exports": [],
        "versions": library_versions(),
        "resumed_after_epoch": initial_epoch or None,
    })
    try:
        callbacks = list(job.callbacks)
        if job.test_each_epoch and job.test_data is not None:
            # First, so every later callback (the experiment's too) sees the test_* logs.
            callbacks.insert(0, HeldOutEvaluation(_batched(job.test_data, config.batch_size)))
        history_plot = os.path.join(plots_dir, "history.png")
        if chief:
            callbacks += [
                keras.callbacks.TensorBoard(os.path.join(run_dir, "tensorboard")),
                EpochRecorder(record, checkpoint, history, config.batch_size, steps,
                              history_plot, f"{experiment} training curves{synthetic}",
                              job.extend_throughput),
            ]
        if initial_epoch < config.epochs:
            job.model.fit(
                train_batches,
                epochs=config.epochs,
                initial_epoch=initial_epoch,
                steps_per_epoch=steps,
                validation_data=_batched(job.validation_data, config.batch_size),
                callbacks=callbacks,
                shuffle=False,  # each epoch is already shuffled from its own seed
                verbose=1 if sys.stdout.isatty() else 2,
            )
        metrics = _final_metrics(job, history, config.batch_size)
        record.update(metrics=metrics)
        if not chief:
            return RunResult(run_dir, record.data, job)
        artifacts = {"history": history_plot} if history else {}
        artifacts.update(job.plots() if job.plots else {})
        exports = _export(job, options, record.data, metrics, run_dir) if options.export else []
        record.update(artifacts=artifacts, exports=exports, status="completed", finished=_now())
        _print_summary(run_dir, metrics, exports)
        return RunResult(run_dir, record.data, job)
    except BaseException as error:
        record.update(status=f"failed: {type(error).__name__}: {error}", finished=_now())
        raise


def make_config(config, options):
    """The profile's config with the command line's `--set`, `--data` and `--seed` applied."""
    assignments = list(options.set)
    if options.data is not None:
        assignments.append(f"data={options.data}")
    if options.seed is not None:
        assignments.append(f"seed={options.seed}")
    return apply_overrides(config, assignments)


def _prepare_run_dir(run_dir, config_dict, fresh):
    saved = RunRecord.load(run_dir)
    if saved is not None and (fresh or saved.get("status") == "completed"):
        stamp = (saved.get("finished") or saved.get("started") or _now()).replace(":", "")
        aside = f"{run_dir.rstrip('/')}-{stamp}"
        shutil.move(run_dir, aside)
        print(f"Moved the earlier run to {aside}; starting a new one in {run_dir}")
    elif saved is not None:
        changed = config_differences(saved["config"], config_dict)
        if changed:
            raise UsageError(
                f"{run_dir} holds an unfinished run with another config ({'; '.join(changed)}): "
                "rerun with its settings to resume, add --fresh to start over, or pick another "
                "--output-dir"
            )
    os.makedirs(run_dir, exist_ok=True)


def _worker_dir(output_dir, strategy):
    resolver = strategy.cluster_resolver
    return os.path.join(output_dir, "workers", f"{resolver.task_type}-{resolver.task_id}")


def _steps_per_epoch(job, global_batch, replicas):
    if global_batch % replicas:
        raise UsageError(
            f"batch_size {global_batch} does not split evenly over {replicas} replicas"
        )
    examples = int(job.train_data.cardinality())
    if examples < 0:
        examples = job.data_info.get("train_examples", -1)
    if examples < 0:
        raise UsageError("the training set's size is unknown: set data_info['train_examples']")
    if examples < global_batch:
        raise UsageError(f"batch_size {global_batch} exceeds the {examples} training examples")
    return examples // global_batch


def _training_batches(job, config, initial_epoch):
    """Epochs `initial_epoch..epochs-1`, each shuffled and augmented from seeds of (seed, epoch),
    so a resumed run sees exactly the batches the uninterrupted run would have."""

    def one_epoch(epoch):
        seed = config.seed * 1_000_003 + epoch
        seed_tensor = tf.constant(seed, tf.int64)
        # Keras opens the dataset once to build, then again to train: without this the
        # first epoch would see a second, different shuffle and resumes would diverge.
        examples = job.train_data.shuffle(job.shuffle_buffer, seed=seed,
                                          reshuffle_each_iteration=False)
        if job.augment is not None:
            examples = examples.enumerate().map(
                lambda index, example: job.augment(example, tf.stack([seed_tensor, index])),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return examples.batch(config.batch_size, drop_remainder=True)

    # Python-int seeds per epoch: `shuffle` rejects tensor seeds once a global seed is set.
    batches = functools.reduce(
        tf.data.Dataset.concatenate, map(one_epoch, range(initial_epoch + 1, config.epochs)),
        one_epoch(initial_epoch),
    )
    return _with_data_sharding(batches.prefetch(tf.data.AUTOTUNE))


def _batched(examples, global_batch):
    if examples is None:
        return None
    return _with_data_sharding(examples.batch(global_batch).prefetch(tf.data.AUTOTUNE))


def _with_data_sharding(dataset):
    # Shard by element, not by file: tfds splits often have fewer files than workers.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _final_metrics(job, history, global_batch):
    metrics = {}
    if history:
        last = history[-1]
        metrics.update({k: v for k, v in last.items() if k not in ("epoch", "epoch_seconds")})
    if job.test_data is not None:
        results = job.model.evaluate(_batched(job.test_data, global_batch), return_dict=True,
                                     verbose=0)
        metrics.update({f"test_{k}": float(v) for k, v in results.items()})
    if job.evaluate is not None:
        metrics.update(job.evaluate(dict(metrics)))
    return metrics


def _export(job, options, record, metrics, run_dir):
    if job.exports is None:
        return []
    manifest = {key: record[key] for key in ("experiment", "profile", "config", "data", "versions")}
    manifest.update(metrics=metrics, run_dir=os.path.abspath(run_dir))
    exported = []
    for spec in job.exports(metrics):
        version = export_saved_model(
            spec.model_name,
            resources=spec.resources,
            endpoints=spec.endpoints,
            warmup_inputs=spec.warmup_inputs,
            manifest=manifest,
            base_dir=options.export_dir,
        )
        exported.append({"model_name": spec.model_name, "version": version.version,
                         "path": version.path})
    return exported


def _print_summary(run_dir, metrics, exports):
    shown = ", ".join(f"{k}={v:.4f}" for k, v in metrics.items()
                      if k.startswith("test_") and isinstance(v, int | float))
    print(f"Run folder: {run_dir}" + (f"  ({shown})" if shown else ""))
    for exported in exports:
        name, version = exported["model_name"], exported["version"]
        print(f"Exported {name} version {version}: {exported['path']}")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
