"""Reading back what a run wrote for TensorBoard, as TensorBoard itself reads it."""

import io
import wave

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import TENSORS, EventAccumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata


def tensorboard_run(log_dir):
    """Every summary of the TensorBoard run in `log_dir` (its own event files, not its
    subfolders')."""
    accumulator = EventAccumulator(str(log_dir), size_guidance={TENSORS: 0})
    accumulator.Reload()
    return accumulator


def summaries(run, tag):
    """`(plugin name, description, [(step, value as numpy), ...])` of `tag` in `run`."""
    metadata = run.SummaryMetadata(tag)
    values = [(event.step, tf.make_ndarray(event.tensor_proto)) for event in run.Tensors(tag)]
    return metadata.plugin_data.plugin_name, metadata.summary_description, values


def image_sizes(value):
    """`[(height, width, channels), ...]` of an image summary's value."""
    return [tuple(tf.io.decode_png(encoded).shape) for encoded in value[2:]]


def audio_clips(value):
    """`[(sample rate, frames), ...]` of an audio summary's value."""
    clips = []
    for encoded, _ in value:
        with wave.open(io.BytesIO(encoded)) as clip:
            clips.append((clip.getframerate(), clip.getnframes()))
    return clips


def hparams_session(run):
    """`(group name, {hyperparameter: value})` of the HParams session in `run`."""
    content = run.PluginTagToContent("hparams")[hparams_metadata.SESSION_START_INFO_TAG]
    info = hparams_metadata.parse_session_start_info_plugin_data(content)
    return info.group_name, {name: _value(value) for name, value in info.hparams.items()}


def hparams_experiment(run):
    """`({hyperparameter: [allowed values]}, [metric tags])` of the HParams experiment in
    `run`."""
    content = run.PluginTagToContent("hparams")[hparams_metadata.EXPERIMENT_TAG]
    experiment = hparams_metadata.parse_experiment_plugin_data(content)
    hparams = {info.name: [_value(value) for value in info.domain_discrete.values]
               for info in experiment.hparam_infos}
    return hparams, [info.name.tag for info in experiment.metric_infos]


def scalar(run, tag):
    """The last value of the scalar `tag` in `run`."""
    return float(np.asarray(summaries(run, tag)[2][-1][1]))


def _value(value):
    return getattr(value, value.WhichOneof("kind"))
