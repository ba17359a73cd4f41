"""The shared trainer: configs, strategies, checkpoints, run records and the runner."""
