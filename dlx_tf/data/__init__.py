"""tf.data sources: the real datasets and the offline synthetic ones."""
