"""Measurements of trained models that more than one experiment can use."""
