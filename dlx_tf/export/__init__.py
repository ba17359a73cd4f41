"""SavedModel export for TF Serving: versions, models.config, warmup, fresh-process check.

Names load on first use, so `python -m dlx_tf.export.check` starts without TensorFlow:
the checker's own process is the one that imports it.
"""

import importlib

_SOURCES = {
    "ExportedVersion": "dlx_tf.export.saved_model",
    "export_saved_model": "dlx_tf.export.saved_model",
    "write_models_config": "dlx_tf.export.serving_config",
    "check_export": "dlx_tf.export.fresh_process",
}
__all__ = sorted(_SOURCES)


def __getattr__(name):
    if name not in _SOURCES:
        raise AttributeError(f"module 'dlx_tf.export' has no attribute {name!r}")
    return getattr(importlib.import_module(_SOURCES[name]), name)
