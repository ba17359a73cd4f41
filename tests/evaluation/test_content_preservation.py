"""Content preservation of translations: against the known answer of the synthetic seasons,
and against the input's own edges where no answer exists."""

import numpy as np
import pytest

from dlx_tf.data.synthetic.seasons import generate_scenes
from dlx_tf.evaluation.content_preservation import paired_content, structure_similarity


def _unit_range(images):
    return images.astype(np.float32) / 127.5 - 1.0


@pytest.fixture(scope="module")
def seasons():
    """The same 16 layouts drawn in both seasons: inputs and the known answers."""
    summer = _unit_range(generate_scenes(16, 32, "summer", seed=5))
    winter = _unit_range(generate_scenes(16, 32, "winter", seed=5))
    return summer, winter


def _degenerate(reference, seed=0):
    rng = np.random.default_rng(seed)
    mean_colour = reference.mean(axis=(0, 1, 2), keepdims=True)
    return {
        "noise": rng.uniform(-1, 1, reference.shape).astype(np.float32),
        "constant": np.broadcast_to(mean_colour, reference.shape).copy(),
        "one image repeated": np.repeat(reference[:1], len(reference), axis=0),
        # One soft blob in the target's palette, whatever the input.
        "palette blob": _blur(np.repeat(reference.mean(0, keepdims=True), len(reference), 0),
                              passes=4),
    }


def _blur(images, passes):
    for _ in range(passes):
        padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
        images = sum(padded[:, dy:dy + images.shape[1], dx:dx + images.shape[2]]
                     for dy in range(3) for dx in range(3)) / 9.0
    return images.astype(np.float32)


def test_the_known_answer_scores_perfectly(seasons):
    _, winter = seasons
    assert paired_content(winter, winter) == {"l1": 0.0, "psnr": 100.0, "ssim": 1.0}


def test_degenerate_translations_score_far_below_a_close_one(seasons):
    summer, winter = seasons
    close = paired_content(np.clip(winter + np.random.default_rng(1).normal(
        0, 0.03, winter.shape), -1, 1).astype(np.float32), winter)
    assert close["ssim"] > 0.8 and close["psnr"] > 25
    outputs = dict(_degenerate(winter), **{"input copied": summer})
    for name, output in outputs.items():
        scores = paired_content(output, winter)
        assert scores["ssim"] < 0.6, name
        assert scores["psnr"] < close["psnr"] - 8, name
        assert scores["l1"] > 3 * close["l1"], name


def test_structure_keeps_the_edges_of_the_right_answer_more_than_noise_or_blobs(seasons):
    summer, winter = seasons
    assert structure_similarity(summer, summer) == pytest.approx(1.0)
    # The same layouts in winter: snow hides many of summer's edges, so even the right
    # answer keeps only part of them, but at least twice what degenerate outputs keep.
    translated = structure_similarity(summer, winter)
    assert translated > 0.15
    for name, output in _degenerate(winter).items():
        assert structure_similarity(summer, output) < translated / 2, name


def test_mismatched_or_tiny_images_are_refused():
    with pytest.raises(ValueError, match=r"one shape; got \(2, 16, 16, 3\) and \(2, 16, 12, 3\)"):
        paired_content(np.zeros((2, 16, 16, 3)), np.zeros((2, 16, 12, 3)))
    with pytest.raises(ValueError, match=r"at least 5×5 \(after pooling\); got 4×4"):
        structure_similarity(np.zeros((2, 4, 4, 3)), np.zeros((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"at least 5×5 \(after pooling\); got 4×6"):
        paired_content(np.zeros((2, 8, 12, 3)), np.zeros((2, 8, 12, 3)))
