"""Builds `keras_hub.models.BertTextClassifier`s with their preprocessors attached.

KerasHub's BERT is the maintained, paper-faithful implementation (post-norm encoder,
GELU, [CLS] pooler with tanh, Devlin et al. 2019 §3), so this package composes it
rather than re-implementing it. The classifier maps the token dict (`token_ids`,
`segment_ids`, `padding_mask`) to logits; its `preprocessor` turns raw strings into
that dict and belongs in the `tf.data` pipeline (TF Text ops: never inside an XLA
step on TPU).
"""

import keras_hub
import tensorflow as tf

from dlx_tf.errors import UsageError

RESERVED_TOKENS = ("[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]")


def bert_classifier_from_preset(preset, num_classes, sequence_length, dropout=0.1):
    """A pretrained BERT with a new `num_classes` head, from a KerasHub preset name
    (`bert_base_en_uncased`, `bert_small_en_uncased`, ...; downloaded once) or a local
    preset folder written by `save_to_preset` (offline). The tokenizer's vocabulary and
    lowercasing come from the preset; `sequence_length` truncates or pads every text.
    """
    try:
        preprocessor = keras_hub.models.BertTextClassifierPreprocessor.from_preset(
            preset, sequence_length=sequence_length)
        classifier = keras_hub.models.BertTextClassifier.from_preset(
            preset, num_classes=num_classes, preprocessor=preprocessor, dropout=dropout)
    except (OSError, ValueError) as error:
        raise UsageError(
            f"preset {preset!r}: could not be loaded ({type(error).__name__}: {error}); give a "
            "KerasHub preset name (needs internet once) or a local folder from save_to_preset"
        ) from error
    return _with_built_preprocessor(classifier)


def wordpiece_vocabulary(texts, vocabulary_size, lowercase=True):
    """A WordPiece vocabulary of at most `vocabulary_size` tokens (BERT's reserved tokens
    first) learned from `texts`, a sequence of strings."""
    dataset = tf.data.Dataset.from_tensor_slices(list(texts)).batch(512)
    return keras_hub.tokenizers.compute_word_piece_vocabulary(
        dataset, vocabulary_size, lowercase=lowercase, reserved_tokens=list(RESERVED_TOKENS))


def bert_classifier_from_scratch(vocabulary, num_classes, sequence_length, num_layers,
                                 num_heads, hidden_dim, intermediate_dim, dropout=0.1):
    """A randomly initialised BERT classifier of the given size with a lowercasing
    WordPiece tokenizer over `vocabulary` (a list of tokens, reserved tokens first):
    what smoke runs train offline, where no pretrained weights can be downloaded.
    """
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=list(vocabulary), lowercase=True)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=sequence_length)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary),
        num_layers=num_layers,
        num_heads=num_heads,
        hidden_dim=hidden_dim,
        intermediate_dim=intermediate_dim,
        dropout=dropout,
        max_sequence_length=sequence_length,
    )
    return _with_built_preprocessor(keras_hub.models.BertTextClassifier(
        backbone, num_classes=num_classes, preprocessor=preprocessor, dropout=dropout))


def _with_built_preprocessor(classifier):
    # The preprocessor is one of the classifier's layers; until called on a string its
    # tokenizer and packer stay unbuilt, and then `fit` tries to rebuild the whole model
    # symbolically and `ExportArchive.track` refuses it (`build(None)` is not enough).
    classifier.preprocessor(tf.constant(["build"]))
    return classifier
