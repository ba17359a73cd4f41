"""Matplotlib figures: every `plot_*` returns a figure, which `Run.save_figure` writes."""
