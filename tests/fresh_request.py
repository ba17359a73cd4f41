"""Requests to a SavedModel in a fresh Python process: a request that aborted the process
(std::bad_alloc, SIGABRT, a kernel's `Check failed`) fails the test that sent it, not the
whole suite."""

import subprocess
import sys

_SCRIPT = """
import re
import sys
import numpy as np
import tensorflow as tf
import tensorflow_text  # registers the TF Text ops of the BERT exports
path, default_signature, requests = sys.argv[1:]
model = tf.saved_model.load(path)
for request in eval(requests):
    signature, build = request if isinstance(request, tuple) else (default_signature, request)
    try:
        outputs = model.signatures[signature](**{k: tf.constant(v)
                                                 for k, v in eval(build).items()})
    except tf.errors.InvalidArgumentError as error:
        message = " ".join(error.message.split())
        found = re.search(r"assertion failed: .*?(?= \\[\\[\\{\\{node|$)", message)
        print("refused:", found.group(0) if found else message, flush=True)
    else:
        print("served:", {k: tuple(v.shape) for k, v in sorted(outputs.items())}, flush=True)
"""


def requests_in_fresh_process(version_path, requests, signature="serving_default",
                              timeout=180):
    """Sends each of `requests` in one fresh process: a Python expression building
    `{name: numpy array}` (with `np`), sent to `signature`, or a `(signature, expression)`
    pair. Returns `(returncode, lines)`, a line per request answered: "refused: <message>"
    (the assertion's own text when a graph assertion refused it) or "served: <output
    shapes>". After an abort, the lines stop and the last one is the end of stderr."""
    result = subprocess.run([sys.executable, "-c", _SCRIPT, version_path, signature,
                             repr(list(requests))], capture_output=True, text=True,
                            timeout=timeout)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0:
        lines.append(result.stderr[-2000:])
    return result.returncode, lines
