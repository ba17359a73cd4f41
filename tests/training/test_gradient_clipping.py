import numpy as np
import tensorflow as tf

from dlx_tf.training.gradient_clipping import clip_global_norm_across_replicas


def _clip_in_replicas(strategy, per_replica_gradients, clip_norm):
    def step():
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        gradients = [tf.gather(tf.constant(g), replica) for g in per_replica_gradients]
        return clip_global_norm_across_replicas(gradients, clip_norm)

    clipped, norm = strategy.run(step)
    return [strategy.experimental_local_results(g) for g in clipped], \
        strategy.experimental_local_results(norm)


def test_the_sum_over_replicas_is_clipped_and_split_back(two_replicas):
    # Replica 0 holds [3, 0] and [0]; replica 1 holds [1, 0] and [3]: sum [4, 0], [3], norm 5.
    gradients = [np.array([[3.0, 0.0], [1.0, 0.0]]), np.array([[0.0], [3.0]])]
    clipped, norms = _clip_in_replicas(two_replicas, gradients, clip_norm=1.0)
    np.testing.assert_allclose([float(n) for n in norms], [5.0, 5.0])
    for replica in range(2):  # each returns the clipped sum / 2, so the optimizer's sum is it
        np.testing.assert_allclose(clipped[0][replica], [0.4, 0.0], rtol=1e-6)
        np.testing.assert_allclose(clipped[1][replica], [0.3], rtol=1e-6)


def test_without_a_limit_it_only_measures(one_device):
    gradients = [np.array([[3.0, 4.0]])]
    clipped, norms = _clip_in_replicas(one_device, gradients, clip_norm=None)
    np.testing.assert_allclose(clipped[0][0], [3.0, 4.0])
    np.testing.assert_allclose(float(norms[0]), 5.0)
