"""BERT under label noise: noise injection, the trainers per loss and the sweep summary."""
