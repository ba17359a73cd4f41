"""Checks an exported SavedModel the way TF Serving will load it, in a fresh Python process.

    python -m dlx_tf.export.check saved_models/<name> [--version N] [--host localhost:8501]

PATH is a model folder (latest version by default) or one version folder. Exit status: 0 all
checks passed, 1 a check failed, 2 bad usage. The checks live in `standalone_check.py`, which
imports only TensorFlow, NumPy, the TF Serving protos and TF Text, never dlx_tf.
"""

import subprocess
import sys

from dlx_tf.export.fresh_process import check_command, check_export

__all__ = ["check_export", "main"]


def main(argv=None):
    command = check_command(sys.argv[1:] if argv is None else argv)
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
