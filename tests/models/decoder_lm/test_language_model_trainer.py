import keras
import numpy as np
import tensorflow as tf
from harness import train_under

from dlx_tf.models.decoder_lm.decoder_lm import DecoderLM
from dlx_tf.models.decoder_lm.language_model_trainer import LanguageModelTrainer

CONTEXT = 10


def _copy_task(count=256, seed=0):
    """Windows of a sequence that repeats with period 5 from a random start: after five
    tokens the rest is determined, so the loss must fall far below log(vocabulary)."""
    rng = np.random.default_rng(seed)
    periods = rng.integers(0, 12, (count, 5))
    sequences = np.tile(periods, 3)[:, : CONTEXT + 1].astype("int32")
    return tf.data.Dataset.from_tensor_slices((sequences[:, :-1], sequences[:, 1:])).batch(16)


def _make(clip_norm=1.0, learning_rate=1e-2):
    def make():
        trainer = LanguageModelTrainer(DecoderLM(12, CONTEXT, 1, 2, 16, 32), clip_norm=clip_norm)
        trainer.compile(keras.optimizers.AdamW(learning_rate))
        return trainer

    return make


def test_it_learns_to_continue_a_periodic_sequence(one_device):
    _, history = train_under(one_device, _make(learning_rate=3e-2), lambda trainer: None,
                             _copy_task(), epochs=8)
    # Random starts make the first five tokens unpredictable: the floor is 5/10 · log 12.
    assert history["loss"][0] > 2.0
    assert history["loss"][-1] < 0.4 * np.log(12) + 0.25
    np.testing.assert_allclose(history["perplexity"], np.exp(history["loss"]), rtol=1e-5)


def test_two_replicas_train_like_one_with_clipping_on_every_step(one_device, two_replicas):
    # A limit of 0.05 clips every step: replicas that clipped their own halves would diverge.
    data = _copy_task(64)
    one, one_history = train_under(one_device, _make(0.05), lambda t: None, data, 1)
    two, two_history = train_under(two_replicas, _make(0.05), lambda t: None, data, 1)
    assert min(one_history["gradient_norm"]) > 5 * 0.05
    np.testing.assert_allclose(two_history["loss"], one_history["loss"], rtol=1e-5)
    for a, b in zip(one, two):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-6)


def test_evaluation_scores_only_weighted_positions(one_device):
    inputs, targets = next(iter(_copy_task(16).unbatch().batch(16)))
    weights = np.zeros(targets.shape, "float32")
    weights[:, 6:] = 1.0
    trainer = _make()()
    trainer.build_for_training((inputs, targets))
    token_losses = keras.losses.sparse_categorical_crossentropy(
        targets, trainer.language_model(inputs), from_logits=True).numpy()
    dataset = tf.data.Dataset.from_tensors((inputs, targets, weights))
    results = trainer.evaluate(dataset, return_dict=True, verbose=0)
    np.testing.assert_allclose(results["loss"], token_losses[:, 6:].mean(), rtol=1e-5)
