"""Errors that mean the user asked for something impossible, not that the code broke.

`dlx_tf.training.launch` prints them as one line and exits with status 2 instead of a
traceback.
"""


class UsageError(Exception):
    """A bad command-line flag, config override or output folder."""


class DataError(UsageError):
    """Input data that cannot be used as given (names the file or field, expected vs got)."""


class NonFiniteLoss(RuntimeError):
    """Training produced a NaN or infinite loss; the run stops before saving that state.
    `launch` prints it as one line and exits with status 1."""
