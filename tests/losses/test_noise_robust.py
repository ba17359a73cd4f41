import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import check_config_round_trip

from dlx_tf.losses.noise_robust import GeneralizedCrossEntropy, SymmetricCrossEntropy

LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0], [-2.0, 4.0, 1.0], [0.0, 0.0, 0.0]],
                  "float32")
LABELS = np.array([0, 2, 0, 1])


def _p_y(logits=LOGITS, labels=LABELS):
    """Softmax probability of the labelled class, in float64."""
    logits = logits.astype("float64")
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return probabilities[np.arange(len(labels)), labels]


def _per_example(loss, logits=LOGITS, labels=LABELS):
    return keras.ops.convert_to_numpy(loss.call(keras.ops.convert_to_tensor(labels), logits))


def test_gce_tends_to_cross_entropy_as_q_goes_to_zero():
    np.testing.assert_allclose(_per_example(GeneralizedCrossEntropy(q=1e-4)),
                               -np.log(_p_y()), rtol=1e-3)


@pytest.mark.parametrize("q", [0.3, 0.7, 1.0])
def test_gce_matches_the_paper_formula(q):
    # q = 1: 1 - p_y, half the MAE between the softmax and the one-hot label.
    np.testing.assert_allclose(_per_example(GeneralizedCrossEntropy(q=q)),
                               (1 - _p_y() ** q) / q, rtol=1e-5)


@pytest.mark.parametrize("alpha, beta, log_zero", [(0.1, 1.0, -4.0), (6.0, 0.1, np.log(1e-4))])
def test_sce_matches_the_hand_formula(alpha, beta, log_zero):
    loss = SymmetricCrossEntropy(alpha=alpha, beta=beta, log_zero=log_zero)
    expected = alpha * -np.log(_p_y()) + beta * -log_zero * (1 - _p_y())
    np.testing.assert_allclose(_per_example(loss), expected, rtol=1e-5)


@pytest.mark.parametrize("cls", [GeneralizedCrossEntropy, SymmetricCrossEntropy])
def test_probabilities_label_shapes_and_reduction_agree_with_logits(cls):
    expected = _per_example(cls())
    probabilities = keras.ops.softmax(LOGITS)
    np.testing.assert_allclose(_per_example(cls(from_logits=False), probabilities), expected,
                               rtol=1e-5)
    np.testing.assert_allclose(_per_example(cls(), labels=LABELS[:, None]), expected)
    assert _per_example(cls()).shape == (4,)
    # Default reduction: the mean over the batch (then divided by the replica count).
    assert float(cls()(LABELS, LOGITS)) == pytest.approx(expected.mean(), rel=1e-6)


@pytest.mark.parametrize("cls", [GeneralizedCrossEntropy, SymmetricCrossEntropy])
def test_float16_logits_give_finite_float32_losses(cls):
    # Confident and confidently wrong: the true-class softmax underflows in float16.
    logits = np.array([[30.0, -30.0, 0.0], [-30.0, 30.0, 0.0]], "float16")
    per_example = cls().call(keras.ops.convert_to_tensor(LABELS[:2]), logits)
    assert keras.backend.standardize_dtype(per_example.dtype) == "float32"
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(per_example)))
    value = cls()(LABELS[:2], logits)
    assert keras.backend.standardize_dtype(value.dtype) == "float32" and np.isfinite(value)


@pytest.mark.parametrize("cls", [GeneralizedCrossEntropy, SymmetricCrossEntropy])
@pytest.mark.parametrize("from_logits", [True, False])
def test_gradients_are_finite(cls, from_logits):
    # Extreme logits, and probabilities with an exact 0 on a true class.
    inputs = (np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, 0.0]], "float32") if from_logits
              else np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], "float32"))
    y_pred = tf.Variable(inputs)
    with tf.GradientTape() as tape:
        value = cls(from_logits=from_logits)(tf.constant([0, 2]), y_pred)
    gradient = tape.gradient(value, y_pred).numpy()
    assert np.isfinite(value.numpy()) and np.all(np.isfinite(gradient))
    assert np.any(gradient != 0)


@pytest.mark.parametrize("cls, kwargs", [
    (GeneralizedCrossEntropy, {"q": 0.4, "from_logits": False, "name": "gce",
                               "reduction": "sum"}),
    (SymmetricCrossEntropy, {"alpha": 6.0, "beta": 0.1, "log_zero": -9.0,
                             "from_logits": False, "name": "sce", "reduction": "sum"}),
])
def test_config_round_trip(cls, kwargs):
    check_config_round_trip(cls, kwargs)
    serialized = keras.saving.serialize_keras_object(cls(**kwargs))
    assert serialized["registered_name"] == f"dlx_tf>{cls.__name__}"
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is cls and restored.get_config() == cls(**kwargs).get_config()


def test_compiled_model_trains_and_reloads_with_the_loss(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=SymmetricCrossEntropy(alpha=0.5))
    history = model.fit(LOGITS, LABELS, epochs=2, batch_size=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    assert restored.loss.get_config() == model.loss.get_config()


@pytest.mark.parametrize("kwargs", [{"q": 0.0}, {"q": -0.5}, {"q": 1.5}])
def test_gce_rejects_q_outside_zero_one(kwargs):
    with pytest.raises(ValueError, match=r"q must be in \(0, 1\]"):
        GeneralizedCrossEntropy(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"log_zero": 0.0}, "log_zero must be negative"),
    ({"alpha": -1.0}, "alpha and beta must be >= 0"),
])
def test_sce_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SymmetricCrossEntropy(**kwargs)
