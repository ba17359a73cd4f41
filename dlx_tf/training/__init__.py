"""The shared trainer: the Run every experiment calls, configs, strategies, checkpoints
and run records."""
