import keras
import numpy as np
import pytest
import tensorflow as tf
from harness import train_under
from two_player import TwoPlayer, regression_data

from dlx_tf.data.synthetic.digits import generate_digits
from dlx_tf.errors import UsageError
from dlx_tf.models.mlp import MLPClassifier
from dlx_tf.training.distribute import (
    configure_cpu_devices,
    is_chief,
    replica_seed,
    resolve_strategy,
    set_mixed_precision,
)


def test_strategies_resolve_once_per_process(one_device, two_replicas):
    assert isinstance(one_device, tf.distribute.OneDeviceStrategy)
    assert isinstance(two_replicas, tf.distribute.MirroredStrategy)
    assert resolve_strategy("mirrored") is two_replicas
    assert is_chief(two_replicas)


def test_strategy_mistakes_are_usage_errors(monkeypatch):
    with pytest.raises(UsageError, match="expected one of auto, cpu, mirrored"):
        resolve_strategy("gpu")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(UsageError, match="TF_CONFIG environment variable is not set"):
        resolve_strategy("multi_worker")
    with pytest.raises(UsageError, match="already started with 2 CPU device"):
        configure_cpu_devices(3)


def test_replica_seeds_differ_between_replicas_and_steps(two_replicas):
    @tf.function
    def draw(step):
        return two_replicas.run(
            lambda: tf.random.stateless_normal([4], seed=replica_seed(7, step))
        )

    first = [v.numpy() for v in two_replicas.experimental_local_results(draw(0))]
    again = [v.numpy() for v in two_replicas.experimental_local_results(draw(0))]
    later = [v.numpy() for v in two_replicas.experimental_local_results(draw(1))]
    assert not np.allclose(first[0], first[1])
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.allclose(first[0], later[0]) and not np.allclose(first[1], later[0])


def _digit_batches():
    images, labels = generate_digits(256, seed=3)
    return tf.data.Dataset.from_tensor_slices((images[..., None], labels)).batch(64)


def _compile_classifier(model):
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )


def test_mlp_trains_identically_on_one_and_two_replicas(one_device, two_replicas):
    def make():
        return MLPClassifier(hidden_units=(32,), dropout=0.0)

    weights_1, history_1 = train_under(one_device, make, _compile_classifier, _digit_batches(), 2)
    weights_2, history_2 = train_under(two_replicas, make, _compile_classifier, _digit_batches(),
                                       2)
    for w1, w2 in zip(weights_1, weights_2):
        np.testing.assert_allclose(w1, w2, atol=2e-6)
    # Losses are logged unscaled: the same numbers on 1 and 2 replicas.
    np.testing.assert_allclose(history_1["loss"], history_2["loss"], rtol=1e-5)
    assert history_1["loss"][-1] < history_1["loss"][0]


def test_two_optimizer_wrapper_trains_identically_on_one_and_two_replicas(one_device,
                                                                          two_replicas):
    data = regression_data().batch(32)
    weights_1, history_1 = train_under(one_device, TwoPlayer, lambda m: None, data, 2)
    weights_2, history_2 = train_under(two_replicas, TwoPlayer, lambda m: None, data, 2)
    for w1, w2 in zip(weights_1, weights_2):
        np.testing.assert_allclose(w1, w2, atol=2e-6)
    np.testing.assert_allclose(history_1["first_loss"], history_2["first_loss"], rtol=1e-5)
    assert history_1["first_loss"][-1] < history_1["first_loss"][0]


def test_mixed_precision_policy_follows_the_device(one_device):
    try:
        assert set_mixed_precision(one_device, True) == "mixed_bfloat16"
        model = MLPClassifier(hidden_units=(8,))
        logits = model(np.zeros((2, 28, 28, 1), "uint8"))
        assert model.hidden[0].compute_dtype == "bfloat16"
        assert logits.dtype == "float32"
    finally:
        assert set_mixed_precision(one_device, False) == "float32"
