"""What a Run writes for TensorBoard's samples: images, text and audio in one `samples`
run, read back as TensorBoard reads them; nothing off the chief."""

import numpy as np
from tensorboard_events import audio_clips, image_sizes, summaries, tensorboard_run
from two_player import TwoPlayerConfig

from dlx_tf.training import run as run_module
from dlx_tf.training.run import Run


def test_images_text_and_audio_share_the_samples_run(one_device, tmp_path):
    run = Run("two_player", TwoPlayerConfig(), one_device, tmp_path / "run")
    run.log_images("grid", np.full((2, 3, 5, 1), 0.5, "float32"), step=1,
                   description="two grey images")
    run.log_images("grid", np.zeros((1, 3, 5, 3), "uint8"), step=2)
    run.log_text("sample", "It is a truth universally acknowledged", step=4,
                 description="prompt ''")
    waveforms = np.sin(np.linspace(0, 60, 2 * 800, dtype="float32")).reshape(2, 800)
    run.log_audio("clips", waveforms, 8000, step=0, description="1. blues\n2. jazz")
    run.complete()

    assert [path.name for path in (tmp_path / "run" / "tensorboard").iterdir()] == ["samples"]
    samples = tensorboard_run(tmp_path / "run" / "tensorboard" / "samples")
    plugin, description, values = summaries(samples, "grid")
    assert (plugin, description) == ("images", "two grey images")
    assert [step for step, _ in values] == [1, 2]
    assert image_sizes(values[0][1]) == [(3, 5, 1)] * 2
    assert image_sizes(values[1][1]) == [(3, 5, 3)]

    plugin, description, [(step, text)] = summaries(samples, "sample")
    assert (plugin, description, step) == ("text", "prompt ''", 4)
    assert text.item().decode() == "It is a truth universally acknowledged"

    plugin, description, [(step, clips)] = summaries(samples, "clips")
    assert (plugin, description, step) == ("audio", "1. blues\n2. jazz", 0)
    assert audio_clips(clips) == [(8000, 800), (8000, 800)]


def test_workers_other_than_the_chief_log_no_samples(one_device, tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "is_chief", lambda strategy: False)
    monkeypatch.setattr(run_module, "worker_dir",
                        lambda output_dir, strategy: f"{output_dir}/workers/worker-1")
    run = Run("two_player", TwoPlayerConfig(), one_device, tmp_path / "run")
    run.log_images("grid", np.zeros((1, 3, 5, 1), "float32"), step=1)
    run.log_text("sample", "text", step=1)
    run.log_audio("clips", np.zeros((1, 80), "float32"), 8000, step=0)
    run.complete()
    assert not list((tmp_path / "run").rglob("tensorboard"))
