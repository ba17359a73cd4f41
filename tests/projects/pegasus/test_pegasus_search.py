import numpy as np
import pytest

from dlx_tf.projects.pegasus import pegasus_search

BIRD, HORSE = 2, 7


class _ConditionEcho:
    """A stand-in generator whose 'image' shows its inputs: pixel [0, 0, c] = mixture[c]
    for c < 3, pixel [0, 1, 0] = the latent's norm."""

    latent_dim, num_classes = 6, 10

    def __call__(self, inputs, training=False):
        latents, mixture = (np.asarray(x) for x in inputs)
        images = np.zeros((len(latents), 4, 4, 3), "float32")
        images[:, 0, 0, :] = mixture[:, [BIRD, HORSE, 0]]
        images[:, 0, 1, 0] = np.linalg.norm(latents, axis=1)
        return images


def test_dcgan_candidates_mix_bird_and_horse_and_slerp_latents():
    candidates = pegasus_search.dcgan_candidates(_ConditionEcho(), 10, seed=0, bird=BIRD,
                                                 horse=HORSE)
    assert len(candidates.images) == 10 and set(candidates.methods) == {"dcgan"}
    bird, horse, other = (candidates.images[:, 0, 0, i] for i in range(3))
    np.testing.assert_allclose(bird + horse, 1.0, rtol=1e-6)
    assert not other.any()
    np.testing.assert_allclose(bird[:5], pegasus_search.MIXTURE_WEIGHTS, rtol=1e-6)
    np.testing.assert_allclose(bird[5:], 0.5)
    assert "slerp t=0.25" in candidates.descriptions[5]
    assert candidates.groups[5] == candidates.groups[6] != candidates.groups[4]


class _Stub:
    """Judge/discriminator/critic stand-ins reading fixed numbers off the images."""

    def __init__(self, read):
        self.read = read

    def __call__(self, inputs, training=False):
        return self.read(inputs)


def test_the_score_rewards_half_bird_half_horse_and_realism():
    # Judge probabilities per candidate (bird, horse, rest spread over 8 classes).
    probabilities = np.asarray([[0.5, 0.5], [0.9, 0.1], [0.25, 0.25], [0.5, 0.5]])
    logits = np.full((4, 10), -np.inf)
    logits[:, BIRD], logits[:, HORSE] = np.log(probabilities[:, 0]), np.log(probabilities[:, 1])
    logits[2, 0] = np.log(0.5)  # candidate 2: half its mass on class 0
    logits = np.where(np.isinf(logits), -1e9, logits)
    index = np.arange(4, dtype="float32")[:, None, None, None] * np.ones((4, 2, 2, 3), "float32")
    judge = _Stub(lambda x: logits[x[:, 0, 0, 0].astype(int)])
    discriminator = _Stub(lambda inputs: np.asarray([3.0, 2.0, 1.0, 0.0])[
        inputs[0][:, 0, 0, 0].astype(int)])  # candidate 0 most real
    critic = _Stub(lambda x: np.asarray([0.0, 0.1, 0.2, 0.3])[x[:, 0, 0, 0].astype(int)])
    scores = pegasus_search.score_candidates(index, judge, discriminator, critic, BIRD, HORSE)

    hybrid = 2 * np.sqrt(probabilities[:, 0] * probabilities[:, 1])
    np.testing.assert_allclose(scores["hybrid"], hybrid, rtol=1e-6)  # [1, 0.6, 0.5, 1]
    np.testing.assert_allclose(scores["realism"], [1.0, 2 / 3, 1 / 3, 0.0])
    np.testing.assert_allclose(scores["score"], hybrid * scores["realism"], rtol=1e-6)
    assert int(np.argmax(scores["score"])) == 0
    assert scores["score"][3] == 0  # as hybrid as 0, but judged the least real


def test_acai_candidates_interpolate_real_birds_and_horses():
    class _Interpolator:
        def interpolate(self, a, b, alpha):
            return (1 - np.asarray(alpha)[:, None, None, None]) * a + \
                np.asarray(alpha)[:, None, None, None] * b

    birds, horses = np.ones((3, 2, 2, 3), "float32"), np.zeros((2, 2, 2, 3), "float32")
    candidates = pegasus_search.acai_candidates(_Interpolator(), birds, horses, 5, seed=0)
    np.testing.assert_allclose(candidates.images[:, 0, 0, 0], pegasus_search.MIXTURE_WEIGHTS,
                               rtol=1e-6)  # the bird's share
    assert candidates.descriptions[0] == "ACAI, latent 0.3 bird + 0.7 horse"


@pytest.mark.parametrize("values, expected", [([5.0, 1.0, 3.0], [1.0, 0.0, 0.5]), ([2.0], [0.0])])
def test_unit_rank(values, expected):
    np.testing.assert_allclose(pegasus_search.unit_rank(np.asarray(values)), expected)


def test_diverse_top_leaves_out_near_copies_of_better_candidates():
    features = np.array([[0.0], [0.05], [1.0], [1.02], [3.0]])
    groups = ["a", "b", "c", "d", "e"]
    assert pegasus_search.diverse_top([0, 1, 2, 3, 4], groups, 4, features, 0.1) == [0, 2, 4]
    assert pegasus_search.diverse_top([1, 0, 3, 2], groups, 4, features, 0.01) == [1, 0, 3, 2]


def test_diverse_top_takes_one_per_group_first():
    groups = ["a", "a", "b", "c", "b"]
    assert pegasus_search.diverse_top([0, 1, 2, 3, 4], groups, 4) == [0, 2, 3, 1]
    assert pegasus_search.diverse_top([4, 1, 0], groups, 2) == [4, 1]
