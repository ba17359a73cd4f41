"""Matplotlib figures: training curves and image grids."""
