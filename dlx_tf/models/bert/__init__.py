"""BERT text classifiers (Devlin et al. 2019) from KerasHub: pretrained presets, or small
backbones built from config with a WordPiece vocabulary computed from the training texts."""
from dlx_tf.models.bert.bert_classifier import (
    bert_classifier_from_preset,
    bert_classifier_from_scratch,
    wordpiece_vocabulary,
)

__all__ = ["bert_classifier_from_preset", "bert_classifier_from_scratch", "wordpiece_vocabulary"]
