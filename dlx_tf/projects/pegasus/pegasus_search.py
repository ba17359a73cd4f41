"""The pegasus search: candidates from the DCGAN and from ACAI, scored by the judge.

The rule (stated in every report): a candidate's score is

    hybrid × realism,   hybrid = 2·sqrt(p_bird · p_horse),
    realism = ½·(rank of the DCGAN discriminator's score under the 50/50 bird/horse
                 condition + rank of −(ACAI critic's estimated α)),

with `p` the judge's softmax and ranks scaled to [0, 1] within the candidate pool.
`hybrid` is 1 only for an image the judge finds exactly half bird and half horse and
nothing else (it is ≤ p_bird + p_horse), and 0 unless both are present. The two ranks
make the discriminator's logits and the critic's α comparable whatever the loss.
"""

import dataclasses

import numpy as np

from dlx_tf.data.cifar10 import BIRD, HORSE
from dlx_tf.errors import UsageError
from dlx_tf.evaluation.batched import batched_call
from dlx_tf.evaluation.distances import pairwise_distances
from dlx_tf.models.acai.interpolation import slerp

MIXTURE_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)  # share of "bird" in a candidate's condition
SLERP_STEPS = (0.25, 0.5, 0.75)
STRIP_NAMES = {"acai": "ACAI", "baseline": "plain autoencoder"}


@dataclasses.dataclass
class Candidates:
    """Images in [-1, 1] and, for each, the method that made it, how, and its source
    (`group`: candidates from the same latent or the same real bird share one)."""

    images: np.ndarray
    methods: list
    descriptions: list
    groups: list

    def __add__(self, other):
        return Candidates(np.concatenate([self.images, other.images]),
                          self.methods + other.methods, self.descriptions + other.descriptions,
                          self.groups + other.groups)

    def take(self, indices):
        return Candidates(self.images[indices], [self.methods[i] for i in indices],
                          [self.descriptions[i] for i in indices],
                          [self.groups[i] for i in indices])


def diverse_top(order, groups, count, features=None, min_distance=0.0):
    """The first `count` of `order` (best first), taking the best of every group before
    any group's second, and skipping a candidate whose `features` lie within
    `min_distance` of one already taken: a top-64 grid of 64 near-copies says little."""
    seen, first, rest = set(), [], []
    for index in order:
        (rest if groups[index] in seen else first).append(index)
        seen.add(groups[index])
    if features is None:
        return (first + rest)[:count]
    taken = []
    for index in first + rest:
        if len(taken) == count:
            break
        if not taken or pairwise_distances(features[index:index + 1],
                                           features[taken]).min() >= min_distance:
            taken.append(index)
    return taken


def mixture(num_classes, weights):
    """`[n, num_classes]` class mixtures from `weights` = `{class: [n] weights}`."""
    rows = len(next(iter(weights.values())))
    result = np.zeros((rows, num_classes), "float32")
    for label, value in weights.items():
        result[:, label] = value
    return result


def dcgan_candidates(generator, count, seed, bird, horse):
    """Half from mixed bird/horse conditions on random latents, half from slerped latents
    (White 2016) under the 50/50 condition."""
    rng = np.random.default_rng(seed)
    mixed = count // 2
    weights = np.resize(np.asarray(MIXTURE_WEIGHTS, "float32"), mixed)
    latents = rng.standard_normal((mixed, generator.latent_dim)).astype("float32")
    conditions = mixture(generator.num_classes, {bird: weights, horse: 1 - weights})
    descriptions = [f"DCGAN, condition {w:.1f} bird + {1 - w:.1f} horse" for w in weights]

    pairs = -(-(count - mixed) // len(SLERP_STEPS))
    starts = rng.standard_normal((pairs, generator.latent_dim)).astype("float32")
    ends = rng.standard_normal((pairs, generator.latent_dim)).astype("float32")
    steps = np.repeat(np.asarray(SLERP_STEPS, "float32")[None], pairs, 0).ravel()
    slerped = np.asarray(slerp(np.repeat(starts, len(SLERP_STEPS), 0),
                               np.repeat(ends, len(SLERP_STEPS), 0), steps))[:count - mixed]
    half = np.full(len(slerped), 0.5, "float32")
    latents = np.concatenate([latents, slerped])
    conditions = np.concatenate([conditions, mixture(generator.num_classes,
                                                     {bird: half, horse: half})])
    descriptions += [f"DCGAN, slerp t={t:.2f} between two latents, 50/50 condition"
                     for t in steps[:len(slerped)]]
    groups = [f"dcgan latent {i}" for i in range(mixed)]
    groups += [f"dcgan pair {i // len(SLERP_STEPS)}" for i in range(len(slerped))]
    images = batched_call(lambda z, c: generator((z, c), training=False), latents, conditions)
    return Candidates(images, ["dcgan"] * count, descriptions, groups)


def acai_candidates(acai, birds, horses, count, seed):
    """Decodings of latents interpolated between a real bird and a real horse, with the
    bird's share in `MIXTURE_WEIGHTS`."""
    rng = np.random.default_rng(seed)
    bird_index = rng.integers(0, len(birds), count)
    a, b = birds[bird_index], horses[rng.integers(0, len(horses), count)]
    bird_share = np.resize(np.asarray(MIXTURE_WEIGHTS, "float32"), count)
    # interpolate(a, b, α) decodes (1 - α)·E(a) + α·E(b).
    images = batched_call(acai.interpolate, a, b, 1 - bird_share)
    return Candidates(images, ["acai"] * count,
                      [f"ACAI, latent {w:.1f} bird + {1 - w:.1f} horse" for w in bird_share],
                      [f"acai bird {i}" for i in bird_index])


def score_candidates(images, judge, discriminator, critic, bird, horse):
    """The rule in the module docstring; returns a dict of `[n]` arrays."""
    logits = batched_call(lambda x: judge(x, training=False), images)
    probabilities = _softmax(logits)
    p_bird, p_horse = probabilities[:, bird], probabilities[:, horse]
    half = np.full(len(images), 0.5, "float32")
    condition = mixture(probabilities.shape[1], {bird: half, horse: half})
    scores = batched_call(lambda x, c: discriminator((x, c), training=False), images, condition)
    alphas = batched_call(lambda x: critic(x, training=False), images)
    hybrid = 2 * np.sqrt(p_bird * p_horse)
    realism = 0.5 * (unit_rank(scores) + unit_rank(-alphas))
    return {"score": hybrid * realism, "hybrid": hybrid, "realism": realism,
            "p_bird": p_bird, "p_horse": p_horse, "discriminator": scores, "critic_alpha": alphas}


def interpolation_strips(generator, autoencoders, bird_image, horse_image, steps, seed,
                         bird, horse):
    """`{row title: [steps, h, w, c]}` bird → horse strips for every method."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, steps).astype("float32")
    latent = np.repeat(rng.standard_normal((1, generator.latent_dim)).astype("float32"), steps, 0)
    conditions = mixture(generator.num_classes, {bird: 1 - t, horse: t})
    strips = {"DCGAN: condition bird → horse, one latent":
              np.asarray(generator((latent, conditions), training=False))}
    ends = rng.standard_normal((2, generator.latent_dim)).astype("float32")
    slerped = np.asarray(slerp(np.repeat(ends[:1], steps, 0), np.repeat(ends[1:], steps, 0), t))
    half = mixture(generator.num_classes, {bird: np.full(steps, 0.5), horse: np.full(steps, 0.5)})
    strips["DCGAN: slerp between two latents, 50/50 condition"] = np.asarray(
        generator((slerped, half), training=False))
    birds = np.repeat(bird_image[None], steps, 0)
    horses = np.repeat(horse_image[None], steps, 0)
    for name, autoencoder in autoencoders.items():
        strips[f"{name}: latent interpolation bird → horse"] = np.asarray(
            autoencoder.interpolate(birds, horses, t))
    return strips


def bird_horse_strips(generator, autoencoders, test_images, test_labels, seed, bird=BIRD,
                      horse=HORSE, steps=9):
    """`interpolation_strips` from the first test bird to the first test horse, the
    autoencoders (`{"acai": ..., "baseline": ...}`) named as the report names them; {}
    when the test images lack either class."""
    birds, horses = test_images[test_labels == bird], test_images[test_labels == horse]
    if not len(birds) or not len(horses):
        return {}
    named = {STRIP_NAMES[name]: autoencoder for name, autoencoder in autoencoders.items()}
    return interpolation_strips(generator, named, birds[0], horses[0], steps, seed, bird, horse)


def unit_rank(values):
    """Ranks scaled to [0, 1]: the smallest value gets 0, the largest 1."""
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return ranks / max(len(values) - 1, 1)


def _softmax(logits):
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def best_pegasus_metrics(search):
    """The run's metrics of the search's best candidate, and how many distinct candidates
    made the top 64."""
    best = search["best"]
    return {"pegasus_best_score": best["score"], "pegasus_best_p_bird": best["p_bird"],
            "pegasus_best_p_horse": best["p_horse"],
            "pegasus_best_from_acai": float(best["method"] == "acai"),
            "pegasus_top_distinct": len(search["top"].images)}


def search_pegasus(players, test_images, test_labels, candidates, seed, space=None,
                   bird=BIRD, horse=HORSE):
    """Scores `candidates` pegasi, half from the DCGAN and half from ACAI (between real
    test birds and horses), by the rule in the module docstring.

    Args:
        players: the run's `PegasusPlayers` (generator, discriminator, ACAI, baseline, judge).
        test_images, test_labels: real test images in [-1, 1] and their classes.
        candidates: how many candidates to score.
        seed: fixes the latents and the real pairs.
        space: a `FeatureSpace`; given one, the top 64 leave out near-copies: candidates
            closer to a better one than the median distance between a real test image and
            its nearest neighbour (closer than distinct real images usually are).

    Returns `{"best": {score, p_bird, ..., method, description}, "top": the 64 best
    `Candidates`, one per source first and no near-copies, "top_scores", "strips":
    bird → horse strips per method}`.
    """
    birds, horses = test_images[test_labels == bird], test_images[test_labels == horse]
    if not len(birds) or not len(horses):
        raise UsageError(f"the pegasus needs birds (class {bird}) and horses (class {horse}) "
                         "in the data; the test images hold classes "
                         f"{sorted(set(test_labels.tolist()))}")
    generator, acai = players.generator, players.acai
    half = candidates // 2
    pool = (dcgan_candidates(generator, half, seed, bird, horse)
            + acai_candidates(acai, birds, horses, half, seed))
    scores = score_candidates(pool.images, players.judge, players.discriminator, acai.critic,
                              bird, horse)
    order = np.argsort(-scores["score"], kind="stable")
    best = {key: float(values[order[0]]) for key, values in scores.items()}
    best.update(method=pool.methods[order[0]], description=pool.descriptions[order[0]])
    strips = bird_horse_strips(generator, players.autoencoders, test_images, test_labels, seed,
                               bird, horse)
    features, min_distance = None, 0.0
    if space is not None:
        features = space(np.clip(pool.images, -1.0, 1.0))  # ACAI decodes linearly
        real = space(test_images)
        nearest = np.sort(pairwise_distances(real, real), axis=1)[:, 1]
        min_distance = float(np.median(nearest))
    top = diverse_top(order, pool.groups, 64, features, min_distance)
    return {"top": pool.take(top), "top_scores": scores["score"][top], "best": best,
            "strips": strips}
