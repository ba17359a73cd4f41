"""A sweep on TensorBoard's HParams dashboard: every point is a session (its config and
final metrics in its own `tensorboard/` folder), the sweep the experiment that lists them.

    tensorboard --logdir runs/bert_noise/smoke    # HParams tab: one row per noise rate
"""

import tensorflow as tf
from tensorboard.plugins.hparams import api as hp


def write_point_session(log_dir, trial_id, config, metrics, step):
    """Writes one session into the TensorBoard folder `log_dir`: every `config` value
    (a `config_to_dict` dict) as a hyperparameter and every numeric final metric as a
    scalar at `step`, where the dashboard reads a session's metrics."""
    writer = tf.summary.create_file_writer(log_dir)
    with writer.as_default():
        hp.hparams({name: hparam_value(value) for name, value in config.items()},
                   trial_id=trial_id)
        for name, value in numeric_metrics(metrics).items():
            tf.summary.scalar(name, value, step=step)
    writer.close()


def write_sweep_experiment(log_dir, field, values, config, metric_names):
    """Writes the sweep's experiment into `log_dir`: `field` over `values`, every other
    config value as the one it keeps, and `metric_names` as the sessions' metrics."""
    hparams = [hp.HParam(name, hp.Discrete(
                   [hparam_value(v) for v in values] if name == field else [hparam_value(value)]),
                   description="swept" if name == field else None)
               for name, value in config.items()]
    writer = tf.summary.create_file_writer(log_dir)
    with writer.as_default():
        hp.hparams_config(hparams=hparams, metrics=[hp.Metric(name) for name in metric_names])
    writer.close()


def numeric_metrics(metrics):
    """The metrics that are single numbers (not lists, matrices or flags)."""
    return {name: float(value) for name, value in metrics.items()
            if isinstance(value, int | float) and not isinstance(value, bool)}


def hparam_value(value):
    """A config value as HParams takes it: bool, number or string; a list is written as
    `--set` takes it (`0.0,0.2`)."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    return value if isinstance(value, bool | int | float | str) else str(value)
