"""Text↔video retrieval metrics: R@1, R@5, R@10 (%), median and mean rank (1-based).

Ranks are pessimistic on ties: a wrong item scoring exactly as high as the correct one is
ranked above it, so constant similarities give the worst rank, never the best.
CLIP4Clip's `compute_metrics` (metrics.py) has no single tie rule: a row with ties is
listed once per tied position, from its optimistic rank to its pessimistic one; without
ties (almost sure for float embeddings) it gives our ranks.
"""

import numpy as np

RECALL_AT = (1, 5, 10)


def ranks_of_correct(similarities, correct_items):
    """Rank of each query's correct item: `1 + #{j != c_q : s_qj >= s_qc_q}` (1-based).

    Args:
        similarities: `[queries, items]`, higher is more similar.
        correct_items: `[queries]` int, the index of each query's correct item.
    """
    queries = np.arange(len(similarities))
    correct_scores = similarities[queries, correct_items][:, None]  # (queries, 1)
    # The correct item itself always counts once, as the 1 of a 1-based rank.
    return np.sum(similarities >= correct_scores, axis=1)


def rank_metrics(ranks):
    """`R@K` = 100 · mean(rank <= K) for K in RECALL_AT, median and mean of the ranks."""
    ranks = np.asarray(ranks)
    metrics = {f"R@{k}": 100.0 * float(np.mean(ranks <= k)) for k in RECALL_AT}
    metrics["median_rank"] = float(np.median(ranks))
    metrics["mean_rank"] = float(np.mean(ranks))
    return metrics


def retrieval_metrics(similarities, caption_clips):
    """Text→video and video→text metrics from caption-by-clip similarities.

    Text→video: each caption ranks all clips; its own clip is correct.
    Video→text: each clip ranks the clips' caption sets, each set scored by its best
    caption, and its own set is correct: the rank of its best-ranked correct caption
    among the other clips' best captions. This is CLIP4Clip's convention
    (`tensor_video_to_text_sim` takes the max over each clip's captions before
    `compute_metrics`), so numbers compare with the paper's; ranking against every wrong
    caption instead (VSE++) gives worse ranks when clips have several captions. With
    one caption per clip, as in MSR-VTT 1k-A, both are that caption's rank.

    Args:
        similarities: `[captions, clips]`, e.g. text embeddings @ clip embeddings.T.
        caption_clips: `[captions]` int, the index of each caption's clip; several
            captions may share a clip, and every clip needs at least one caption.

    Returns:
        `{"text_to_video": metrics, "video_to_text": metrics}`, each as `rank_metrics`.

    Example:
    ```python
    retrieval_metrics(text_embeddings @ clip_embeddings.T, caption_clips)
    # {"text_to_video": {"R@1": 44.5, ..., "median_rank": 2.0, "mean_rank": 16.2}, ...}
    ```
    """
    similarities = np.asarray(similarities, np.float64)
    caption_clips = np.asarray(caption_clips)
    _check(similarities, caption_clips)
    clips = similarities.shape[1]
    best_caption = np.full((clips, clips), -np.inf)  # (caption set, query clip)
    np.maximum.at(best_caption, caption_clips, similarities)
    return {
        "text_to_video": rank_metrics(ranks_of_correct(similarities, caption_clips)),
        "video_to_text": rank_metrics(ranks_of_correct(best_caption.T, np.arange(clips))),
    }


def _check(similarities, caption_clips):
    where = "retrieval_metrics"
    if similarities.ndim != 2:
        raise ValueError(f"{where}: similarities: expected [captions, clips], got shape "
                         f"{similarities.shape}")
    captions, clips = similarities.shape
    if caption_clips.shape != (captions,) or not np.issubdtype(caption_clips.dtype, np.integer):
        raise ValueError(f"{where}: caption_clips: expected {captions} integer clip indices, got "
                         f"shape {caption_clips.shape} of {caption_clips.dtype}")
    if caption_clips.size and (caption_clips.min() < 0 or caption_clips.max() >= clips):
        raise ValueError(f"{where}: caption_clips: expected indices in [0, {clips}), got "
                         f"{caption_clips.min()}..{caption_clips.max()}")
    uncaptioned = np.setdiff1d(np.arange(clips), caption_clips)
    if uncaptioned.size:
        raise ValueError(f"{where}: caption_clips: every clip needs a caption; got none for "
                         f"clips {uncaptioned[:5].tolist()}")
    if not np.all(np.isfinite(similarities)):
        raise ValueError(f"{where}: similarities: expected finite values, got NaN or inf")
