import numpy as np
import pytest
import tensorflow as tf

from dlx_tf.models.cyclegan.image_pool import ImagePool


def _images(*values):
    """One-pixel 'images' whose pixel value names them."""
    return np.array(values, "float32").reshape(-1, 1, 1, 1)


def _query(pool, values, draws):
    out = pool(_images(*values), np.array(draws, "float32").reshape(-1, 2))
    return np.asarray(out).ravel().tolist()


def test_official_semantics_by_hand():
    pool = ImagePool(pool_size=2)
    # Filling: every image is stored and returned, whatever the draws say.
    assert _query(pool, [1, 2], [[0.9, 0.9], [0.9, 0.0]]) == [1, 2]
    assert int(pool.count.numpy()) == 2
    # Full, coin 0.3 <= 0.5: return the new image, keep the buffer.
    assert _query(pool, [3], [[0.3, 0.99]]) == [3]
    assert np.asarray(pool.images).ravel().tolist() == [1, 2]
    # Full, coin 0.7 > 0.5, slot floor(0.6 * 2) = 1: return image 2, store 4 in its place.
    assert _query(pool, [4], [[0.7, 0.6]]) == [2]
    assert np.asarray(pool.images).ravel().tolist() == [1, 4]
    # Within one batch, later images see the earlier swaps: slot 0 then slot 0 again.
    assert _query(pool, [5, 6], [[0.8, 0.1], [0.8, 0.2]]) == [1, 5]
    assert np.asarray(pool.images).ravel().tolist() == [6, 4]


def test_pool_size_zero_passes_images_through():
    pool = ImagePool(pool_size=0)
    assert _query(pool, [7, 8], [[0.9, 0.9], [0.9, 0.9]]) == [7, 8]


def test_swap_rate_is_one_half():
    pool = ImagePool(pool_size=4)
    draws = tf.random.stateless_uniform((400, 2), seed=[1, 2]).numpy()
    returned = [_query(pool, [float(i)], [draws[i]])[0] for i in range(400)]
    swapped = sum(r != i for i, r in enumerate(returned))
    assert swapped == pytest.approx(0.5 * 396, abs=40)  # binomial(396, ½): sd ≈ 10


def test_state_is_per_replica(two_replicas):
    with two_replicas.scope():
        pool = ImagePool(pool_size=1)
        pool.build((1, 1, 1, 1))

    @tf.function
    def step(values):
        def replica_fn(value):
            return pool(tf.reshape(value, (1, 1, 1, 1)), tf.constant([[0.9, 0.0]]))
        return two_replicas.run(replica_fn, args=(values,))

    values = two_replicas.experimental_distribute_values_from_function(
        lambda context: tf.constant(float(10 + context.replica_id_in_sync_group)))
    step(values)
    values = two_replicas.experimental_distribute_values_from_function(
        lambda context: tf.constant(float(20 + context.replica_id_in_sync_group)))
    returned = [float(np.asarray(v).ravel()[0])
                for v in two_replicas.experimental_local_results(step(values))]
    assert returned == [10.0, 11.0]  # each replica got back its own first image
