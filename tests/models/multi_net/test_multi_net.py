import keras
import numpy as np
from harness import check_keras_file_round_trip
from tiny_multi_net import clip_batch, tiny_clip_encoder, tiny_text_encoder, token_batch

from dlx_tf.models.multi_net import MultiNet


def _pairs(size):
    return {**clip_batch(size), "text": token_batch(size)}


def _model():
    return MultiNet(tiny_clip_encoder(), tiny_text_encoder(), initial_temperature=0.1,
                    max_logit_scale=50.0)


def test_encoders_give_the_embeddings_the_loss_pairs():
    model, batch = _model(), _pairs(3)
    outputs = model(batch)
    np.testing.assert_allclose(model.encode_text(batch["text"]), outputs["text"], rtol=1e-6)
    clips = model.encode_clip(batch["frames"], batch["audio"], batch["has_audio"])
    np.testing.assert_allclose(clips, outputs["clips"], rtol=1e-6)


def test_fit_overfits_eight_pairs():
    keras.utils.set_random_seed(0)
    model, batch = _model(), _pairs(8)
    model.compile(keras.optimizers.AdamW(3e-3))
    model.build_for_training((batch,))
    history = model.fit(batch, batch_size=8, epochs=40, verbose=0).history
    # Training mode (batch norm, dropout) makes single epochs noisy: judge the last five.
    # (40 steps leave the batch-norm averages unsettled, so inference mode is not judged.)
    assert max(history["loss"][-5:]) < 0.35 * history["loss"][0]
    assert np.mean(history["accuracy"][-5:]) > 0.45 > history["accuracy"][0]  # chance: 1/8
    np.testing.assert_allclose(history["temperature"][0], 0.1, rtol=0.05)


def test_two_replicas_score_against_the_global_batch(one_device, two_replicas):
    # Inference mode (fixed batch-norm statistics): the same weights must give the same
    # global-batch loss and accuracy whether the 8 pairs sit on one device or two.
    batch, results = _pairs(8), []
    for strategy in (one_device, two_replicas):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            model = _model()
            model.compile(keras.optimizers.AdamW(1e-3))
            model.build_for_training((batch,))
        results.append(model.evaluate(batch, batch_size=8, verbose=0, return_dict=True))
    assert results[0]["loss"] > 1.0  # untrained: about log(8) = 2.08
    for name in ("loss", "accuracy"):
        np.testing.assert_allclose(results[1][name], results[0][name], rtol=1e-5, err_msg=name)


def test_keras_file_round_trip(tmp_path):
    model, batch = _model(), _pairs(3)
    model(batch)
    check_keras_file_round_trip(model, batch, tmp_path)
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert float(restored.logit_scale.scale) == float(model.logit_scale.scale)
