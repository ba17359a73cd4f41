import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip, check_keras_file_round_trip, check_saved_model_matches

from dlx_tf.errors import DataError
from dlx_tf.models.resnet import ResNetBackbone
from dlx_tf.projects.audio_net import AudioNetClassifier

# Log-mel-like values in dB: far from standardised, so the statistics matter.
SPECTROGRAMS = np.random.default_rng(0).normal(-40, 15, (3, 24, 16)).astype("float32")


def _model(**kwargs):
    kwargs = {"num_classes": 4, "width": 4, "stackwise_num_blocks": (1, 1), **kwargs}
    model = AudioNetClassifier(**kwargs)
    model(SPECTROGRAMS)
    return model


def test_config_round_trip():
    check_config_round_trip(AudioNetClassifier, {
        "num_classes": 7, "width": 8, "stackwise_num_blocks": (1, 2, 1), "dropout": 0.3,
        "input_mean": -40.0, "input_std": 15.0})


def test_logits_shape_and_parts():
    model = _model()
    assert model(SPECTROGRAMS).shape == (3, 4)
    assert model(SPECTROGRAMS[:1, :9, :30]).shape == (1, 4)  # any frames and mel bins
    assert isinstance(model.backbone, ResNetBackbone)
    assert model.head.kernel.shape == (8, 4)  # 2 * width channels after two stages


def test_the_backbone_sees_standardised_spectrograms_in_three_equal_channels():
    model = _model(input_mean=-40.0, input_std=15.0)
    standardised = (SPECTROGRAMS + 40.0) / 15.0
    images = np.repeat(standardised[..., None], 3, axis=-1)  # (3, 24, 16, 3)
    features = keras.ops.mean(model.backbone(images), axis=(1, 2))
    np.testing.assert_allclose(model(SPECTROGRAMS), model.head(features), rtol=1e-5, atol=1e-6)
    # Without the statistics the backbone would see other numbers.
    raw = keras.ops.mean(model.backbone(np.repeat(SPECTROGRAMS[..., None], 3, -1)), axis=(1, 2))
    assert not np.allclose(model(SPECTROGRAMS), model.head(raw), atol=1e-3)


def test_frozen_backbone_keeps_batch_norm_statistics_while_training():
    model = _model()
    statistics = model.backbone.stem_bn.moving_mean
    before = np.asarray(statistics).copy()
    model(SPECTROGRAMS, training=True, frozen_backbone=True)
    np.testing.assert_array_equal(np.asarray(statistics), before)
    model(SPECTROGRAMS, training=True)
    assert not np.allclose(np.asarray(statistics), before)


def test_dropout_acts_only_in_training():
    model = _model(dropout=0.5)
    np.testing.assert_array_equal(model(SPECTROGRAMS), model(SPECTROGRAMS))
    trained = [keras.ops.convert_to_numpy(model(SPECTROGRAMS, training=True,
                                                frozen_backbone=True)) for _ in range(2)]
    assert not np.allclose(trained[0], trained[1])


def test_keras_file_round_trip(tmp_path):
    model = _model(num_classes=3, dropout=0.25, input_mean=-40.0, input_std=15.0)
    model(SPECTROGRAMS, training=True)  # moves the batch-norm statistics off their defaults
    check_keras_file_round_trip(model, SPECTROGRAMS, tmp_path)


def test_saved_model_serves_any_length_like_the_live_model(tmp_path):
    model = _model(input_mean=-40.0, input_std=15.0)

    def serve(spectrograms):
        return {"logits": model(spectrograms, training=False)}

    signature = [tf.TensorSpec([None, None, 16], tf.float32, name="spectrograms")]
    exported = check_saved_model_matches(
        "audio_net_classifier", model, {"serving_default": (serve, signature)},
        {"spectrograms": SPECTROGRAMS}, {"logits": keras.ops.convert_to_numpy(model(SPECTROGRAMS))},
        tmp_path)
    shorter = SPECTROGRAMS[:1, :9]
    served = tf.saved_model.load(exported.path).signatures["serving_default"](
        spectrograms=tf.constant(shorter))["logits"]
    np.testing.assert_allclose(served, model(shorter), rtol=1e-5, atol=1e-6)


def test_mixed_float16_gives_float32_logits():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _model()
        assert model.backbone.stem_conv.compute_dtype == "float16"
        logits = model(SPECTROGRAMS)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert logits.dtype == "float32"
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(logits)))


def test_rejects_spectrograms_without_a_batch_or_with_channels():
    with pytest.raises(DataError, match=r"\[batch, frames, mel_bins\]; got shape \(24, 16\)"):
        _model()(SPECTROGRAMS[0])
    with pytest.raises(DataError, match=r"got shape \(3, 24, 16, 1\)"):
        _model()(SPECTROGRAMS[..., None])
