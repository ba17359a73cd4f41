"""Austen-Net: the text-generation command and the sample judge."""
