"""Pegasus: the judge, the pegasus search, the per-epoch monitor and the design report."""
