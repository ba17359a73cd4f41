"""The Run: what every experiment's `main(config, run)` calls, in a straight line.

    def main(config, run):
        data = load_digits(config.data, seed=config.seed)
        run.describe_data(data.info)
        with run.scope():
            model = MLPClassifier(...)
            model.compile(...)
        run.describe_models({"mlp_classifier": model})
        run.fit(model, data.train, validation_data=data.validation, test_data=data.test)
        run.save_figure("inputs", plot_image_grid(...))
        run.export("intro_mlp", resources=[model], endpoints=..., warmup_inputs=...)

The Run owns the strategy, the run folder, `run.json`, TensorBoard, checkpoints and the
history. Figures, saved models and exports are no-ops on workers other than the chief,
so an experiment never asks which worker it is. `dlx_tf.training.launch` makes a Run from
the command line and closes its record.
"""

import dataclasses
import gc
import os
import sys
import time

import keras
import tensorflow as tf

from dlx_tf.atomic_files import write_atomically
from dlx_tf.errors import UsageError
from dlx_tf.export import export_saved_model
from dlx_tf.training.callbacks import (
    HeldOutEvaluation,
    NonFiniteLossGuard,
    RunCallback,
    StepClock,
    throughput,
)
from dlx_tf.training.checkpoint import TrainingCheckpoint
from dlx_tf.training.config import config_to_dict
from dlx_tf.training.distribute import is_chief, strategy_name, worker_dir
from dlx_tf.training.epochs import (
    batched,
    steps_per_epoch,
    steps_per_execution,
    training_batches,
)
from dlx_tf.training.run_lock import RunLock
from dlx_tf.training.run_record import (
    RunRecord,
    library_versions,
    parameter_counts,
    prepare_run_folder,
    utc_now,
)
from dlx_tf.training.sweep_hparams import (
    numeric_metrics,
    write_point_session,
    write_sweep_experiment,
)
from dlx_tf.viz.curves import plot_history, save_figure


class Run:
    """One run of one experiment in its folder.

    Args:
        experiment: the experiment's name (`cyclegan`).
        config: the experiment's frozen config dataclass (an `ExperimentConfig`).
        strategy: the process's `tf.distribute` strategy.
        output_dir: the run folder; an unfinished run there is resumed, a completed one
            (or any, with `fresh`) is moved aside first.
        profile: the config profile's name, for the record.
        export_dir: the TF Serving model base that `export` writes into.
        export: False makes `export` a no-op (`--no-export`).
        precision: the global dtype policy's name, for the record.
        command: the command line, for the record.
    """

    def __init__(self, experiment, config, strategy, output_dir, *, profile="smoke",
                 export_dir="saved_models", export=True, fresh=False, precision="float32",
                 command=None, lock=True):
        self.experiment = experiment
        self.config = config
        self.strategy = strategy
        self.profile = profile
        self.output_dir = str(output_dir)
        self.export_dir = export_dir
        self._export = export
        self._precision = precision
        self._command = command
        self._chief = is_chief(strategy)
        self.dir = self.output_dir if self._chief else worker_dir(self.output_dir, strategy)
        config_dict = config_to_dict(config)
        # Found now, not after training: a folder in use, a file in the way, no write access.
        self._lock = RunLock(self.output_dir) if self._chief and lock else None
        _check_writable_folder(self.dir, "--output-dir")
        if export and self._chief:
            _check_writable_folder(export_dir, "--export-dir")
        if self._lock is not None:
            self._lock.acquire()
        try:
            if self._chief:
                prepare_run_folder(self.dir, config_dict, fresh)
            os.makedirs(self.dir, exist_ok=True)
        except BaseException:
            self.release_lock()
            raise
        self._checkpoint_dir = os.path.join(self.output_dir, "checkpoints")
        pointer, skipped = TrainingCheckpoint.find_latest(self._checkpoint_dir)
        self._resume_from = pointer
        self._fitted = False
        self._summary_writer = None
        self._active_point = None
        self.points = []  # records of a sweep's runs, in order
        self._uncounted = {}
        keras.utils.set_random_seed(config.seed)
        self._record = RunRecord(self.dir, {
            "experiment": experiment,
            "profile": profile,
            "status": "running",
            "started": utc_now(),
            "command": command,
            "config": config_dict,
            "data": {},
            "strategy": {"name": strategy_name(strategy),
                         "replicas": strategy.num_replicas_in_sync},
            "precision": precision,
            "models": {},
            "history": pointer["metadata"]["history"] if pointer else [],
            "metrics": {},
            "throughput": {},
            "artifacts": {},
            "exports": [],
            "versions": library_versions(),
            "resumed_after_epoch": pointer["epoch"] if pointer else None,
        })
        if skipped:
            for name, reason in skipped:
                print(f"warning: checkpoint {os.path.join(self._checkpoint_dir, name)} is "
                      f"unreadable ({reason}); resuming from {pointer['file']}")
            self._record.update(checkpoint_fallback={
                "resumed_from": pointer["file"],
                "skipped": [{"file": name, "reason": reason} for name, reason in skipped]})

    # === What the experiment reads ===

    @property
    def record(self):
        """The run's record, as in `run.json`."""
        return self._record.data

    @property
    def history(self):
        return self._record.data["history"]

    @property
    def metrics(self):
        return dict(self._record.data["metrics"])

    @property
    def throughput(self):
        return dict(self._record.data["throughput"])

    def scope(self):
        """The strategy's scope: build models and optimizers inside it."""
        return self.strategy.scope()

    def label(self, text):
        """`text`, marked "(synthetic data)" when the described data is synthetic."""
        return f"{text} (synthetic data)" if self.record["data"].get("synthetic") else text

    # === What the experiment records ===

    def describe_data(self, info, quality_features=None):
        """The data's `source`, `synthetic` flag and example counts, for `run.json`; for a
        generative run also the `FeatureSpace` its realism and diversity are measured in."""
        info = dict(info)
        if quality_features is not None:
            info["quality_features"] = {"name": quality_features.name,
                                        "description": quality_features.description}
        self._record.update(data=info)

    def describe_models(self, models):
        """Parameter counts of every named sub-model (`{name: keras.Model}`); models not
        built yet are counted once `fit` has built them."""
        self._uncounted.update(models)
        self._count_models()

    def log(self, metrics):
        """Adds final metrics (`{name: value}`) to the record."""
        self._record.merge("metrics", metrics)

    def log_throughput(self, entries):
        """Adds entries such as `tokens_per_sec` beside the measured examples per second."""
        self._record.merge("throughput", entries)

    def log_images(self, tag, images, step, description=None):
        """Writes `[n, h, w, c]` images (uint8, or floats in [0, 1]) to TensorBoard's
        `samples` run on the chief; `description` (Markdown) says what they show."""
        self._log_sample(tf.summary.image, tag, images, step=step, max_outputs=len(images),
                         description=description)

    def log_text(self, tag, text, step, description=None):
        """Writes `text` (a string, rendered as Markdown) to TensorBoard's `samples` run on
        the chief."""
        self._log_sample(tf.summary.text, tag, text, step=step, description=description)

    def log_audio(self, tag, waveforms, sample_rate, step, description=None):
        """Writes float `[n, samples]` waveforms in [-1, 1] as playable clips to
        TensorBoard's `samples` run on the chief."""
        waveforms = tf.convert_to_tensor(waveforms, tf.float32)[..., None]  # (n, samples, 1)
        self._log_sample(tf.summary.audio, tag, waveforms, sample_rate, step=step,
                         max_outputs=len(waveforms), description=description)

    def _log_sample(self, summary, *args, **kwargs):
        if not self._chief:
            return
        if self._summary_writer is None:  # one writer for every sample the run logs
            self._summary_writer = tf.summary.create_file_writer(
                os.path.join(self.dir, "tensorboard", "samples"))
        with self._summary_writer.as_default():
            summary(*args, **kwargs)

    # === Training ===

    def fit(self, model, train_data, *, validation_data=None, test_data=None,
            test_each_epoch=False, augment=None, shuffle_buffer=10_000, callbacks=(),
            curves=None):
        """Trains `model` for `config.epochs`, resuming from the last checkpoint.

        Each epoch is shuffled (and augmented) from seeds of (run seed, epoch), so a
        resumed run sees exactly the batches the uninterrupted one would have. After every
        epoch the chief saves a checkpoint, extends the history in `run.json` and redraws
        `plots/history.png`. Returns the final metrics: the last epoch's logs and, given
        `test_data`, `test_*` from evaluating it.

        Args:
            model: a compiled `TrainableModel`, built inside `scope()`.
            train_data: unbatched examples in a fixed order; finite, or with
                `train_examples` in the described data.
            validation_data: unbatched examples evaluated after every epoch (`val_*`).
            test_data: unbatched held-out examples evaluated at the end (`test_*`).
            test_each_epoch: also evaluate `test_data` after every epoch, for studies
                that chart test curves; model choices must still use validation alone.
            augment: `(example, seed) -> example` for training only; `seed` is a `[2]`
                int64 tensor for `tf.random.stateless_*` ops.
            shuffle_buffer: the per-epoch shuffle buffer.
            callbacks: Keras callbacks; `RunCallback`s get this run as `callback.run`.
            curves: `[(section title, [viz.curves.Panel, ...]), ...]` that group and name
                the panels of `plots/history.png` (default: a panel per metric).
        """
        if self._fitted:
            raise RuntimeError("Run.fit trains once per run; use Run.sweep for several")
        self._fitted = True
        config = self.config
        replicas = self.strategy.num_replicas_in_sync
        steps = steps_per_epoch(train_data, config.batch_size, replicas,
                                self.record["data"].get("train_examples"))
        checkpoint = TrainingCheckpoint(self._checkpoint_dir, model)
        initial_epoch = self.record["resumed_after_epoch"] or 0
        batches = training_batches(train_data, config.batch_size, config.seed, initial_epoch,
                                   config.epochs, augment, shuffle_buffer)
        with self.scope():
            # Built from a batch of the real pipeline: augmentation may change shapes.
            model.build_for_training(next(iter(batches)))
        # After building, which may compile (and so reset it). Mirrored replicas fail
        # inside Keras' multi-step loop (docs/keras3_notes.md).
        several_steps = replicas == 1 or isinstance(self.strategy, tf.distribute.TPUStrategy)
        model.steps_per_execution = (steps_per_execution(steps, config.steps_per_execution)
                                     if several_steps else 1)
        self.log_throughput({"steps_per_execution": model.steps_per_execution})
        self._count_models()
        if checkpoint.restore(self._resume_from):
            print(f"Resuming {self.dir} after epoch {initial_epoch} of {config.epochs}")
        callbacks = list(callbacks)
        for callback in callbacks:
            if isinstance(callback, RunCallback):
                callback.run = self
        if test_each_epoch and test_data is not None:
            # First, so every later callback sees the test_* logs.
            callbacks.insert(0, HeldOutEvaluation(batched(test_data, config.batch_size)))
        clock = StepClock()
        callbacks.insert(0, clock)
        callbacks.insert(1, NonFiniteLossGuard())  # before anything keeps the epoch's state
        if self._chief:
            callbacks += [_async_safe(keras.callbacks.TensorBoard(
                              os.path.join(self.dir, "tensorboard"))),
                          _EpochRecorder(self, checkpoint, steps, clock, curves)]
        if initial_epoch < config.epochs:
            model.fit(batches, epochs=config.epochs, initial_epoch=initial_epoch,
                      steps_per_epoch=steps,
                      validation_data=batched(validation_data, config.batch_size),
                      callbacks=callbacks,
                      shuffle=False,  # each epoch is already shuffled from its own seed
                      verbose=1 if sys.stdout.isatty() else 2)
        final = {k: v for k, v in (self.history[-1] if self.history else {}).items()
                 if k not in ("epoch", "epoch_seconds", "train_seconds")}
        if test_data is not None:
            results = model.evaluate(batched(test_data, config.batch_size), return_dict=True,
                                     verbose=0)
            final.update({f"test_{k}": float(v) for k, v in results.items()})
        self.log(final)
        if self.history:
            self._record.merge("artifacts", {"history": self._plot_path("history")})
        return final

    # === Files: the chief writes, other workers skip ===

    def save_figure(self, name, figure, artifact=True):
        """Saves a matplotlib figure as `plots/<name>.png` (listed under `artifacts` unless
        `artifact` is False, as for per-epoch figures); returns the path, or None off
        the chief."""
        if not self._chief:
            save_figure(figure, None)
            return None
        path = self._plot_path(name)
        save_figure(figure, path)
        if artifact:
            self._record.merge("artifacts", {name: path})
        return path

    def artifact(self, name, filename):
        """The path of a file the experiment writes into the run folder (parents made),
        listed under `artifacts`; off the chief, a path in the worker's own folder."""
        path = os.path.join(self.dir, filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._record.merge("artifacts", {name: path})
        return path

    def save_models(self, models):
        """Saves each model of `{name: keras.Model}` as `model/<name>.keras` on the chief,
        for `keras.saving.load_model`, listed under `artifacts` as `model/<name>`; returns
        `{name: path}`, or None off the chief."""
        if not self._chief:
            return None
        return {name: self._save_artifact(f"model/{name}", f"{name}.keras", model.save)
                for name, model in models.items()}

    def save_presets(self, tasks):
        """Saves each KerasHub task of `{name: task}` with `save_to_preset` as the folder
        `model/<name>_preset/` on the chief, for `<TaskClass>.from_preset(folder)`, listed
        under `artifacts` as `preset/<name>`; returns `{name: folder}`, or None off the
        chief."""
        if not self._chief:
            return None
        return {name: self._save_artifact(f"preset/{name}", f"{name}_preset",
                                          task.save_to_preset)
                for name, task in tasks.items()}

    def _save_artifact(self, artifact, filename, write):
        path = os.path.join(self.dir, "model", filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomically(path, write)
        self._record.merge("artifacts", {artifact: path})
        return path

    def export(self, model_name, *, resources, endpoints, warmup_inputs, limits=None):
        """Writes the next TF Serving version of `model_name` (see
        `dlx_tf.export.export_saved_model`) with a manifest of this run and the request
        `limits` its signatures enforce; returns the `ExportedVersion`, or None off the
        chief or under `--no-export`."""
        if not (self._chief and self._export):
            return None
        manifest = {key: self.record[key]
                    for key in ("experiment", "profile", "config", "data", "versions")}
        manifest.update(metrics=self.metrics, run_dir=os.path.abspath(self.dir))
        if limits is not None:
            manifest["limits"] = limits
        exported = export_saved_model(model_name, resources=resources, endpoints=endpoints,
                                      warmup_inputs=warmup_inputs, manifest=manifest,
                                      base_dir=self.export_dir)
        self._record.append("exports", {"model_name": model_name, "version": exported.version,
                                        "path": exported.path})
        return exported

    # === Sweeps ===

    def sweep(self, field, values):
        """Yields one child `Run` per value of the config field `field`, each in its own
        folder `<run folder>/<field>_<value>/` with `field` set in its config; its record
        is closed when the loop body returns, and `points` lists every point's record.

        Rerunning an interrupted sweep reuses its completed points and resumes the
        unfinished one from its checkpoint. On TensorBoard's HParams dashboard every point
        is a session (its config and final metrics) of the sweep's experiment.
        """
        if not values:
            raise UsageError(f"{field}: expected at least one value, got none")
        self._record.update(sweep={"field": field, "values": list(values)}, runs=[])
        for value in values:
            config = dataclasses.replace(self.config, **{field: value})
            point_dir = os.path.join(self.output_dir, f"{field}_{value}")
            saved = RunRecord.load(point_dir)
            if (saved and saved.get("status") == "completed"
                    and saved.get("config") == config_to_dict(config)):
                print(f"Reusing the completed run in {point_dir}")
                self._add_point(field, value, saved)
                continue
            print(f"=== {self.experiment}: {field}={value} "
                  f"({len(self.points) + 1} of {len(values)}) ===")
            point = Run(self.experiment, config, self.strategy, point_dir,
                        profile=self.profile, export_dir=self.export_dir, export=self._export,
                        precision=self._precision, command=self._command, lock=False)
            self._active_point = point
            yield point
            point.complete()
            point._write_hparams_session(field, value)
            self._active_point = None
            self._add_point(field, value, point.record)
            gc.collect()  # the finished point's models and datasets are no longer referenced
        self._record.update(data=self.points[0]["data"])
        if self._chief:
            metric_names = dict.fromkeys(name for point in self.points
                                         for name in numeric_metrics(point["metrics"]))
            write_sweep_experiment(os.path.join(self.dir, "tensorboard"), field, values,
                                   self.record["config"], list(metric_names))

    def _write_hparams_session(self, field, value):
        """This sweep point's config and final metrics for TensorBoard's HParams dashboard."""
        if self._chief:
            write_point_session(os.path.join(self.dir, "tensorboard"), f"{field}_{value}",
                                self.record["config"], self.metrics, len(self.history))

    def _add_point(self, field, value, record):
        self.points.append(record)
        point = {field: value, "run_dir": os.path.join(self.output_dir, f"{field}_{value}"),
                 "status": record["status"], "metrics": record["metrics"]}
        self._record.append("runs", point)
        self._record.append("exports", *record["exports"])

    # === Closing ===

    def complete(self):
        """Marks the record completed and prints where the run and its exports are."""
        self._count_models()
        if self._uncounted:
            raise RuntimeError(f"models {sorted(self._uncounted)} were described but never built")
        self._record.update(status="completed", finished=utc_now())
        if self._summary_writer is not None:
            self._summary_writer.close()
        if not self._chief:
            return
        shown = ", ".join(f"{k}={v:.4f}" for k, v in self.metrics.items()
                          if k.startswith("test_") and isinstance(v, int | float))
        print(f"Run folder: {self.dir}" + (f"  ({shown})" if shown else ""))
        for exported in self.record["exports"]:
            print(f"Exported {exported['model_name']} version {exported['version']}: "
                  f"{exported['path']}")

    def fail(self, error):
        """Marks the record (and a sweep's unfinished point) failed with `error`."""
        if self._active_point is not None:
            self._active_point.fail(error)
        self._record.update(status=f"failed: {type(error).__name__}: {error}",
                            finished=utc_now())

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        try:
            if error is not None:
                self.fail(error)
                return False
            try:
                self.complete()
            except Exception as closing_error:
                self.fail(closing_error)
                raise
            return False
        finally:
            self.release_lock()

    def release_lock(self):
        """Lets another process use the run folder (done on leaving the `with` block)."""
        if self._lock is not None:
            self._lock.release()

    def _count_models(self):
        built = {name: model for name, model in self._uncounted.items() if model.built}
        for name in built:
            del self._uncounted[name]
        if built:
            self._record.merge("models", parameter_counts(built))

    def _plot_path(self, name):
        return os.path.join(self.dir, "plots", f"{name}.png")


def _check_writable_folder(path, option):
    """Creates the folder `path` if needed; a `UsageError` naming `option` if it is a file
    or cannot be written."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"{option} {path}: is a file, expected a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot create it ({error.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: not writable")


def _async_safe(tensorboard):
    # Epoch summaries only: its per-batch hook does nothing, and declaring it safe lets
    # Keras dispatch batch callbacks without waiting for every step's logs.
    tensorboard.async_safe = True
    return tensorboard


class _EpochRecorder(keras.callbacks.Callback):
    """The chief's epoch-end bookkeeping: history, throughput, checkpoint, `run.json` and
    the training-curve figure.

    Redrawing the curves costs a second or more when there are dozens of panels, so it is
    skipped while drawing would exceed `_DRAWING_SHARE` of the time trained so far; the
    last epoch always draws."""

    _DRAWING_SHARE = 0.05

    def __init__(self, run, checkpoint, steps_per_epoch, clock, curves=None):
        super().__init__()
        self.run = run
        self.checkpoint = checkpoint
        self.steps_per_epoch = steps_per_epoch
        self.clock = clock
        self.curves = curves
        self._started = None
        self._fit_started = None
        self._drawing_seconds = 0.0

    def on_train_begin(self, logs=None):
        self._fit_started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        run = self.run
        entry = {"epoch": epoch + 1,
                 "epoch_seconds": round(time.perf_counter() - self._started, 3),
                 "train_seconds": round(self.clock.seconds, 3)}
        entry.update({k: float(v) for k, v in (logs or {}).items()})
        history = [*run.history, entry]
        self.checkpoint.save(epoch + 1, {"history": history})
        measured = throughput(history, run.config.batch_size, self.steps_per_epoch)
        run._record.update(history=history, throughput={**run.throughput, **measured})
        trained = time.perf_counter() - self._fit_started
        if epoch + 1 == self.params["epochs"] or (
                self._drawing_seconds <= self._DRAWING_SHARE * trained):
            started = time.perf_counter()
            run.save_figure("history", plot_history(
                history, run.label(f"{run.experiment} training curves"), sections=self.curves),
                artifact=False)
            self._drawing_seconds += time.perf_counter() - started
