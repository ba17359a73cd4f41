"""SavedModel export for TF Serving: versions, models.config, warmup, fresh-process check."""

from dlx_tf.export.fresh_process import check_export
from dlx_tf.export.saved_model import ExportedVersion, export_saved_model
from dlx_tf.export.serving_config import write_models_config

__all__ = ["ExportedVersion", "check_export", "export_saved_model", "write_models_config"]
