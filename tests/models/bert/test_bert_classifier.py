import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.models.bert.bert_classifier import (
    RESERVED_TOKENS,
    bert_classifier_from_preset,
    bert_classifier_from_scratch,
    wordpiece_vocabulary,
)

TEXTS = ["The quick brown fox jumps over the lazy dog.", "A lazy dog sleeps all day long.",
         "Quick foxes and lazy dogs are old friends.", "Brown leaves fall in the autumn."] * 8
STRINGS = tf.constant(["the lazy fox", "Brown dogs sleep long days in autumn", "zebra"])


@pytest.fixture(scope="module")
def vocabulary():
    return wordpiece_vocabulary(TEXTS, 100)


@pytest.fixture(scope="module")
def classifier(vocabulary):
    keras.utils.set_random_seed(0)
    return bert_classifier_from_scratch(vocabulary, num_classes=3, sequence_length=16,
                                        num_layers=1, num_heads=2, hidden_dim=16,
                                        intermediate_dim=32)


def _logits(model, strings=STRINGS):
    return np.asarray(model(model.preprocessor(strings)))


def test_the_vocabulary_starts_with_the_reserved_tokens(vocabulary):
    assert tuple(vocabulary[:5]) == RESERVED_TOKENS
    assert len(vocabulary) <= 100
    assert {"lazy", "dog", "quick", "##s", "."} <= set(vocabulary)
    assert all(token == token.lower() for token in vocabulary[5:])  # lowercased


def test_the_vocabulary_size_is_an_upper_bound():
    small = wordpiece_vocabulary(TEXTS, 40)
    assert tuple(small[:5]) == RESERVED_TOKENS
    assert len(small) <= 40


def test_a_tiny_classifier_from_scratch_maps_strings_to_logits(classifier, vocabulary):
    logits = _logits(classifier)
    assert logits.shape == (3, 3) and np.all(np.isfinite(logits))
    assert not [layer.name for layer in classifier._flatten_layers() if not layer.built]
    tokens = classifier.preprocessor(STRINGS)
    assert tokens["token_ids"].shape == (3, 16)
    assert classifier.backbone.vocabulary_size == len(vocabulary)
    assert classifier.backbone.num_layers == 1 and classifier.backbone.hidden_dim == 16


def test_a_saved_preset_reloads_offline(classifier, tmp_path):
    path = str(tmp_path / "preset")
    classifier.save_to_preset(path)
    restored = bert_classifier_from_preset(path, num_classes=3, sequence_length=16)

    assert not [layer.name for layer in restored._flatten_layers() if not layer.built]
    tokens = classifier.preprocessor(STRINGS)
    restored_tokens = restored.preprocessor(STRINGS)
    for key in ("token_ids", "segment_ids", "padding_mask"):
        np.testing.assert_array_equal(restored_tokens[key], tokens[key], err_msg=key)
    for got, want in zip(restored.backbone.weights, classifier.backbone.weights):
        np.testing.assert_array_equal(got, want, err_msg=want.path)
    np.testing.assert_allclose(restored.backbone(restored_tokens)["pooled_output"],
                               classifier.backbone(tokens)["pooled_output"], rtol=1e-6)
    # The head does not come back: KerasHub's `Task.from_preset` loads `task.weights.h5`
    # only when `num_classes` is not passed, and this function always passes it, so even
    # the same `num_classes` gets a fresh head and other logits.
    assert _logits(restored).shape == (3, 3)
    assert not np.array_equal(restored.get_layer("logits").kernel,
                              classifier.get_layer("logits").kernel)
    assert not np.allclose(_logits(restored), _logits(classifier))

    shorter = bert_classifier_from_preset(path, num_classes=4, sequence_length=12)
    assert shorter.preprocessor.sequence_length == 12
    assert shorter.preprocessor(STRINGS)["token_ids"].shape == (3, 12)
    assert _logits(shorter).shape == (3, 4)


def test_a_keras_file_and_a_preset_keep_the_tokenizer_and_the_head(classifier, tmp_path):
    # What a run saves (`Run.save_models`, `Run.save_presets`), loaded as a user would.
    classifier.save(str(tmp_path / "classifier.keras"))
    classifier.save_to_preset(str(tmp_path / "preset"))
    from_file = keras.saving.load_model(str(tmp_path / "classifier.keras"))
    # Without `num_classes` KerasHub loads the preset's head too (docs/notes.md).
    from_preset = keras_hub.models.TextClassifier.from_preset(str(tmp_path / "preset"))
    for restored in (from_file, from_preset):
        assert type(restored) is keras_hub.models.BertTextClassifier
        np.testing.assert_allclose(_logits(restored), _logits(classifier), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("preset", ["no_such_preset_xyz", "missing_folder"])
def test_an_unknown_preset_is_a_usage_error_naming_it(preset, tmp_path):
    if preset == "missing_folder":
        preset = str(tmp_path / "missing_folder")
    with pytest.raises(UsageError, match=f"preset '{preset}': could not be loaded"):
        bert_classifier_from_preset(preset, num_classes=3, sequence_length=16)
