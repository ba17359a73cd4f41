"""Deterministic data the package generates for offline smoke runs, marked synthetic."""
