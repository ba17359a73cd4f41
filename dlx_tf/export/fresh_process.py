"""Runs `standalone_check.py` in a fresh Python process that cannot import dlx_tf."""

import os
import subprocess
import sys

STANDALONE_CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standalone_check.py")


def check_command(args):
    """The command line running the standalone check with `args`."""
    # -I leaves the script's folder, the working directory and PYTHONPATH off sys.path, so
    # nothing in the check can import dlx_tf by accident.
    return [sys.executable, "-I", STANDALONE_CHECK, *args]


def check_export(path, version=None):
    """Checks an exported model or version folder in a fresh process and captures its report.

    Args:
        path: `saved_models/<name>` (latest version unless `version`) or a version folder.
        version: integer version to check inside a model folder.

    Returns:
        A `subprocess.CompletedProcess`: `returncode` (0 passed, 1 a check failed, 2 bad
        usage) and `stdout`, the report with stderr merged in.

    Example:
        result = check_export("saved_models/mnist_classifier")
        assert result.returncode == 0, result.stdout
    """
    args = [os.fspath(path)] + ([] if version is None else ["--version", str(version)])
    return subprocess.run(
        check_command(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
