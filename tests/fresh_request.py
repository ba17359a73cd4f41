"""One request to a SavedModel in a fresh Python process: a request that aborted the
process (std::bad_alloc, SIGABRT) fails the test that sent it, not the whole suite."""

import subprocess
import sys

_SCRIPT = """
import re
import sys
import numpy as np
import tensorflow as tf
path, signature, build = sys.argv[1:]
serve = tf.saved_model.load(path).signatures[signature]
try:
    outputs = serve(**{k: tf.constant(v) for k, v in eval(build).items()})
except tf.errors.InvalidArgumentError as error:
    message = " ".join(error.message.split())
    found = re.search(r"assertion failed: .*?(?= \\[\\[\\{\\{node|$)", message)
    print("refused:", found.group(0) if found else message)
else:
    print("served:", {k: tuple(v.shape) for k, v in sorted(outputs.items())})
"""


def request_in_fresh_process(version_path, inputs, signature="serving_default", timeout=120):
    """Sends `inputs` (a Python expression building `{name: numpy array}`, with `np`) to
    `signature`; returns `(returncode, last line printed)`: "refused: <message>" (the
    assertion's own text when a graph assertion refused it) or "served: <output shapes>"."""
    result = subprocess.run([sys.executable, "-c", _SCRIPT, version_path, signature, inputs],
                            capture_output=True, text=True, timeout=timeout)
    lines = result.stdout.strip().splitlines()
    return result.returncode, lines[-1] if lines else result.stderr[-2000:]
