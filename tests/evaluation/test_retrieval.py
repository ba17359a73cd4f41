import numpy as np
import pytest

from dlx_tf.evaluation.retrieval import rank_metrics, ranks_of_correct, retrieval_metrics

# 5 captions (rows) of 3 clips (columns): captions 0-1 describe clip 0, 2 clip 1, 3-4 clip 2.
SIMILARITIES = np.array([
    [0.9, 0.1, 0.3],   # clip 0 first: rank 1
    [0.2, 0.8, 0.4],   # clip 0 last: rank 3
    [0.5, 0.6, 0.6],   # clip 1 tied with clip 2: rank 2 (pessimistic)
    [0.1, 0.7, 0.3],   # clip 2 behind clip 1: rank 2
    [0.0, 0.65, 0.95],  # clip 2 first: rank 1
])
CAPTION_CLIPS = np.array([0, 0, 1, 2, 2])


def test_ranks_are_one_based_and_pessimistic_on_ties():
    similarities = np.array([
        [0.9, 0.5, 0.5, 0.1],  # correct 1 tied with item 2, behind item 0: rank 3
        [0.1, 0.2, 0.3, 0.4],  # correct 3 is the best: rank 1
        [0.7, 0.7, 0.0, 0.0],  # correct 0 tied with item 1 at the top: rank 2
        [0.5, 0.5, 0.5, 0.5],  # all equal: the worst rank, 4
    ])
    assert ranks_of_correct(similarities, np.array([1, 3, 0, 2])).tolist() == [3, 1, 2, 4]


def test_rank_metrics_by_hand():
    metrics = rank_metrics([1, 3, 7, 12, 2])
    assert metrics == {"R@1": 20.0, "R@5": 60.0, "R@10": 80.0, "median_rank": 3.0,
                       "mean_rank": 5.0}


def test_text_to_video_ranks_each_caption():
    metrics = retrieval_metrics(SIMILARITIES, CAPTION_CLIPS)["text_to_video"]  # ranks 1 3 2 2 1
    assert metrics == pytest.approx({"R@1": 40.0, "R@5": 100.0, "R@10": 100.0,
                                     "median_rank": 2.0, "mean_rank": 1.8})


def test_video_to_text_ranks_each_clips_best_caption_among_other_clips_best():
    # Clip 0 (column 0): sets score max(.9, .2) = .9, .5, max(.1, 0) = .1 → rank 1.
    # Clip 1: its set .6 against max(.1, .8) = .8 and max(.7, .65) = .7 → rank 3 (rank 4
    #   if every wrong caption counted: .8, .7 and .65 are all above .6).
    # Clip 2: .95 against .4 and .6 → rank 1.
    metrics = retrieval_metrics(SIMILARITIES, CAPTION_CLIPS)["video_to_text"]
    assert metrics == pytest.approx({"R@1": 200 / 3, "R@5": 100.0, "R@10": 100.0,
                                     "median_rank": 1.0, "mean_rank": 5 / 3})


def test_without_ties_ranks_match_a_sort():
    similarities = np.random.default_rng(0).normal(size=(30, 30))
    correct = np.random.default_rng(1).permutation(30)
    sorted_items = np.argsort(-similarities, axis=1)
    by_sort = 1 + np.argmax(sorted_items == correct[:, None], axis=1)
    assert ranks_of_correct(similarities, correct).tolist() == by_sort.tolist()


def test_constant_similarities_rank_last():
    metrics = retrieval_metrics(np.zeros((6, 6)), np.arange(6))
    for direction in metrics.values():
        assert direction["R@1"] == 0.0 and direction["median_rank"] == 6.0


def test_random_similarities_give_chance_level():
    # 400 trials of 20 captions over 20 clips: R@1 ≈ 100/20 = 5 %, mean rank ≈ 10.5; the
    # standard error of R@1 over 8000 queries is about 0.25 points.
    rng = np.random.default_rng(0)
    trials = [retrieval_metrics(rng.normal(size=(20, 20)), rng.permutation(20))
              for _ in range(400)]
    for direction in ("text_to_video", "video_to_text"):
        assert np.mean([t[direction]["R@1"] for t in trials]) == pytest.approx(5.0, abs=1.0)
        assert np.mean([t[direction]["R@10"] for t in trials]) == pytest.approx(50.0, abs=2.5)
        assert np.mean([t[direction]["mean_rank"] for t in trials]) == pytest.approx(10.5,
                                                                                   abs=0.5)


@pytest.mark.parametrize("similarities, caption_clips, message", [
    (np.zeros(3), [0, 1, 2], r"similarities: expected \[captions, clips\], got shape \(3,\)"),
    (np.zeros((3, 2)), [0, 1], "caption_clips: expected 3 integer clip indices"),
    (np.zeros((2, 2)), [0.0, 1.0], "caption_clips: expected 2 integer clip indices"),
    (np.zeros((3, 2)), [0, 1, 2], r"caption_clips: expected indices in \[0, 2\), got 0..2"),
    (np.zeros((3, 3)), [0, 0, 2],
     r"caption_clips: every clip needs a caption; got none for clips \[1\]"),
    (np.full((2, 2), np.nan), [0, 1], "similarities: expected finite values"),
])
def test_bad_input_is_named(similarities, caption_clips, message):
    with pytest.raises(ValueError, match="retrieval_metrics: " + message):
        retrieval_metrics(similarities, caption_clips)
