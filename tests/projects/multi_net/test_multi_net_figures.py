"""Multi-Net figures: text → clip retrieval for captions drawn at random (the caption's own
clip marked, or its rank named), "more like this" neighbours, and the curve sections."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_layout import layout_problems
from matplotlib.colors import to_rgba

from dlx_tf.errors import UsageError
from dlx_tf.projects.multi_net.multi_net_figures import (
    MULTI_NET_CURVES,
    draw_examples,
    keyframe_strip,
    more_like_this_figure,
    retrieval_examples_text,
    retrieval_figure,
)
from dlx_tf.viz.curves import plot_history

CLIPS, FRAMES, HEIGHT, WIDTH = 10, 5, 12, 14
CAPTIONS_PER_CLIP = 2
K = 3
EXAMPLES = 6
GREEN = to_rgba("tab:green")
LONG = ("a man in a black shirt is talking about a video game while sitting at a desk in "
        "front of a computer with several monitors and a microphone")


@pytest.fixture(scope="module")
def clips():
    rng = np.random.default_rng(0)
    keyframes = rng.integers(0, 256, (CLIPS, FRAMES, HEIGHT, WIDTH, 3), dtype=np.uint8)
    clip_ids = [f"video{100 + clip}" for clip in range(CLIPS)]
    yield keyframes, clip_ids
    plt.close("all")


@pytest.fixture(scope="module")
def retrieval_set():
    """Captions whose own clip ranks 2 (even captions) or 7 (odd ones): `(captions,
    caption_clips, scores, own ranks)`."""
    rng = np.random.default_rng(1)
    count = CLIPS * CAPTIONS_PER_CLIP
    caption_clips = np.arange(count) // CAPTIONS_PER_CLIP
    captions = [f"caption {i}: {LONG if i % 3 == 0 else 'a red circle moves left'}"
                for i in range(count)]
    ranks = np.where(np.arange(count) % 2 == 0, 2, 7)
    scores = np.empty((count, CLIPS))
    for i, (own, rank) in enumerate(zip(caption_clips, ranks)):
        others = rng.permutation([clip for clip in range(CLIPS) if clip != own])
        order = np.insert(others, rank - 1, own)
        scores[i, order] = np.linspace(0.9, -0.5, CLIPS)
    return captions, caption_clips, scores, ranks


def _retrieval(clips, retrieval_set, seed, synthetic=True):
    captions, caption_clips, scores, _ = retrieval_set
    return retrieval_figure(captions, caption_clips, scores, *clips, seed=seed,
                            examples=EXAMPLES, k=K, synthetic=synthetic)


def _rows(figure, columns):
    return np.reshape(figure.axes, (-1, columns))


def _shown_captions(figure):
    return [int(re.search(r"caption (\d+):", row[0].texts[0].get_text()).group(1))
            for row in _rows(figure, 1 + K)]


def test_captions_are_drawn_at_random_with_the_seed(clips, retrieval_set):
    count = len(retrieval_set[0])
    first, again, other = (_shown_captions(_retrieval(clips, retrieval_set, seed))
                           for seed in (0, 0, 1))
    assert first == again == list(draw_examples(count, EXAMPLES, 0))
    assert first != other
    assert "drawn at random (seed 0), not the best ones" in _retrieval(
        clips, retrieval_set, 0).get_suptitle().replace("\n", " ")


def test_the_own_clip_is_marked_in_the_top_k_or_its_rank_is_named(clips, retrieval_set):
    captions, caption_clips, scores, ranks = retrieval_set
    _, clip_ids = clips
    seen = set()
    for seed in (0, 1):
        figure = _retrieval(clips, retrieval_set, seed)
        for index, row in zip(_shown_captions(figure), _rows(figure, 1 + K)):
            rank, own = ranks[index], clip_ids[caption_clips[index]]
            top = np.argsort(-scores[index])[:K]
            assert [axis.get_title() for axis in row[1:]] == [
                f"{place}. {clip_ids[clip]}{' ✓' if place == rank else ''}\n"
                f"score {scores[index, clip]:.2f}" for place, clip in enumerate(top, 1)]
            marked = [place for place, axis in enumerate(row[1:], 1)
                      if axis.spines["left"].get_visible()]
            verdict = row[0].get_title(loc="left").replace("\n", " ")
            assert f"its clip {own} ranks {rank} of {CLIPS}" in verdict
            if rank <= K:
                assert marked == [rank]
                assert row[rank].spines["left"].get_edgecolor() == GREEN
                assert row[rank].title.get_color() == "tab:green"
            else:
                assert marked == []
                assert f"not in the top {K}" in verdict
            seen.add(rank <= K)
    assert seen == {True, False}  # both cases were drawn


def test_the_text_examples_list_each_random_captions_top_clips_and_own_rank(clips,
                                                                            retrieval_set):
    captions, caption_clips, scores, ranks = retrieval_set
    _, clip_ids = clips
    lines = retrieval_examples_text(captions, caption_clips, scores, clip_ids, seed=0,
                                    examples=EXAMPLES, k=K).split("\n")
    chosen = draw_examples(len(captions), EXAMPLES, 0)
    assert len(lines) == len(chosen)
    for line, index in zip(lines, chosen):
        top = np.argsort(-scores[index])[:K]
        assert line.startswith(f"- **{captions[index]}** → {clip_ids[top[0]]}")
        assert line.count("✓") == (ranks[index] <= K)
        assert line.endswith(f"its clip {clip_ids[caption_clips[index]]} ranks "
                             f"{ranks[index]} of {CLIPS}")


def test_more_like_this_shows_each_querys_nearest_other_clips(clips):
    keyframes, clip_ids = clips
    rng = np.random.default_rng(2)
    embeddings = rng.normal(size=(CLIPS, 8))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    similarities = embeddings @ embeddings.T
    clip_captions = [f"clip {clip}: {LONG}" for clip in range(CLIPS)]
    figures = [more_like_this_figure(similarities, keyframes, clip_ids, clip_captions, seed=seed,
                                     examples=3, k=K, synthetic=False) for seed in (4, 4, 5)]
    queries = [[row[0].get_title().split("\n")[0] for row in _rows(figure, 1 + K)]
               for figure in figures]
    assert queries[0] == queries[1] == [f"query {clip_ids[clip]}"
                                        for clip in draw_examples(CLIPS, 3, 4)]
    assert queries[0] != queries[2]
    for query, row in zip(draw_examples(CLIPS, 3, 4), _rows(figures[0], 1 + K)):
        nearest = [clip for clip in np.argsort(-similarities[query]) if clip != query][:K]
        assert [axis.get_title().split("\n")[0] for axis in row[1:]] == [
            f"{place}. {clip_ids[clip]}, similarity {similarities[query, clip]:.2f}"
            for place, clip in enumerate(nearest, 1)]
    assert "synthetic" not in figures[0].get_suptitle()
    assert layout_problems(figures[0]) == []
    assert figures[0].get_size_inches()[0] <= 16


@pytest.mark.parametrize("synthetic", [True, False])
def test_titles_say_synthetic_only_for_synthetic_data_and_text_can_be_read(
        clips, retrieval_set, synthetic):
    figure = _retrieval(clips, retrieval_set, 0, synthetic)
    assert ("(synthetic data)" in figure.get_suptitle()) == synthetic
    assert layout_problems(figure) == []
    assert figure.get_size_inches()[0] <= 16


def test_a_keyframe_strip_shows_the_first_middle_and_last_frames():
    frames = np.stack([np.full((HEIGHT, WIDTH, 3), 10 * t, np.uint8) for t in range(FRAMES)])
    strip = keyframe_strip(frames)
    gap = strip.shape[1] - 3 * WIDTH
    assert strip.shape == (HEIGHT, 3 * WIDTH + gap, 3) and gap == 2
    starts = [0, WIDTH + 1, 2 * WIDTH + 2]
    assert [strip[0, start, 0] for start in starts] == [0, 20, 40]


def test_scores_of_the_wrong_shape_are_refused_in_one_line(clips, retrieval_set):
    captions, caption_clips, scores, _ = retrieval_set
    with pytest.raises(UsageError, match=r"^scores: expected shape \(20, 10\), got \(20, 9\)$"):
        retrieval_figure(captions, caption_clips, scores[:, :-1], *clips, seed=0,
                         synthetic=True)


def test_the_curve_sections_show_every_metric_multi_net_logs():
    metrics = ("loss", "accuracy", "temperature")
    history = [{"epoch": epoch, **{f"{prefix}{name}": 1.0 / epoch for name in metrics
                                   for prefix in ("", "val_")}} for epoch in (1, 2)]
    figure = plot_history(history, "Multi-Net (synthetic data)", sections=MULTI_NET_CURVES)
    headings = [part.get_suptitle() for part in figure.subfigs]
    assert headings == [name for name, _ in MULTI_NET_CURVES]  # no "Other metrics"
    assert sum(len(axis.lines) for axis in figure.axes) == 6
    assert layout_problems(figure) == []
