"""The figures of a Multi-Net run: its training curves, text → clip retrieval for test
captions drawn at random, and "more like this" clip neighbours. Every clip is drawn as a
strip of keyframes (first, middle, last), labelled with its rank, id and score."""

import textwrap

import numpy as np

from dlx_tf.errors import UsageError
from dlx_tf.viz.curves import Panel, plt

MULTI_NET_CURVES = [
    ("Contrastive training of the clip and text encoders", [
        Panel("Contrastive loss (symmetric InfoNCE)",
              {"loss": "train", "val_loss": "validation"}),
        Panel("In-batch accuracy (text ↔ clip)",
              {"accuracy": "train", "val_accuracy": "validation"}),
        # Validation leaves the temperature as training ended the epoch.
        Panel("Learned temperature", {"temperature": "mean over the epoch",
                                      "val_temperature": "at the end of the epoch"}),
    ]),
]

STRIP_FRAMES = 3
_STRIP_INCHES = 2.4  # a 3-frame strip's width
_CAPTION_INCHES = 3.2
_MAX_WIDTH_INCHES = 15.5
_TITLE_POINTS = 12
_LABEL_POINTS = 9
_CAPTION_POINTS = 10
_CAPTION_LINES = 4
_RIGHT, _MISSED, _QUERY = "tab:green", "tab:red", "tab:blue"


def retrieval_figure(captions, caption_clips, scores, keyframes, clip_ids, *, seed,
                     examples=4, k=5, synthetic):
    """Text → clip retrieval for `examples` test captions drawn at random with `seed` (not
    picked for looking good): one row per caption, its text then its `k` best-scored clips,
    the caption's own clip framed in green with a ✓, or its rank named when it is not shown.

    Args:
        captions: `[captions]` strings.
        caption_clips: int `[captions]`, the index of each caption's clip.
        scores: float `[captions, clips]`, e.g. cosine similarities of text and clip
            embeddings.
        keyframes: uint8 `[clips, frames, size, size, 3]`.
        clip_ids: `[clips]` names (`"video7"`).
        synthetic: marks the title "(synthetic data)".
    """
    keyframes, scores = np.asarray(keyframes), np.asarray(scores)
    caption_clips = np.asarray(caption_clips)
    clips = _check_clips(keyframes, clip_ids)
    _check_k(k, clips, "clips")
    _check_shape("scores", scores, (len(captions), clips))
    _check_shape("caption_clips", caption_clips, (len(captions),))
    if not np.all((caption_clips >= 0) & (caption_clips < clips)):
        raise UsageError(f"caption_clips: expected clip indices in [0, {clips}), got values "
                         f"from {caption_clips.min()} to {caption_clips.max()}")
    chosen = draw_examples(len(captions), examples, seed)
    title = _label(f"Text → clip retrieval: {len(chosen)} of {len(captions)} test captions "
                   f"drawn at random (seed {seed}), not the best ones; each with its top {k} of "
                   f"{clips} clips by score. ✓ in green: the caption's own clip", synthetic)
    figure, axes = _rows_of_strips(len(chosen), k, _CAPTION_INCHES, keyframes.shape[2:4],
                                   title, label_lines=2)
    for row, index in zip(axes, chosen):
        right = int(caption_clips[index])
        order, rank = _ranking(scores[index], right)
        _draw_caption(row[0], captions[index], rank, k, clip_ids[right], scores[index, right],
                      clips)
        for place, (axis, clip) in enumerate(zip(row[1:], order[:k]), 1):
            mark = " ✓" if clip == right else ""
            _draw_strip(axis, keyframes[clip], f"{place}. {clip_ids[clip]}{mark}\n"
                        f"score {scores[index, clip]:.2f}", _RIGHT if clip == right else None)
    return figure


def more_like_this_figure(clip_similarities, keyframes, clip_ids, clip_captions, *, seed,
                          examples=3, k=5, synthetic):
    """"More like this" for `examples` query clips drawn at random with `seed`: one row per
    query, the query (framed in blue, with its caption) then its `k` most similar other clips,
    each with its similarity and a short caption.

    Args:
        clip_similarities: float `[clips, clips]`, e.g. cosine similarities of clip
            embeddings.
        keyframes: uint8 `[clips, frames, size, size, 3]`.
        clip_ids, clip_captions: `[clips]` names and one caption per clip.
        synthetic: marks the title "(synthetic data)".
    """
    keyframes, similarities = np.asarray(keyframes), np.asarray(clip_similarities)
    clips = _check_clips(keyframes, clip_ids)
    _check_k(k, clips - 1, "other clips")
    _check_shape("clip_similarities", similarities, (clips, clips))
    _check_shape("clip_captions", np.asarray(clip_captions, object), (clips,))
    chosen = draw_examples(clips, examples, seed)
    title = _label(f"More like this: {len(chosen)} of {clips} test clips drawn at random "
                   f"(seed {seed}) as queries (framed in blue), each followed by its {k} most "
                   f"similar other clips", synthetic)
    strip_inches = _strip_inches(k + 1, 0)
    figure, axes = _rows_of_strips(len(chosen), k, strip_inches, keyframes.shape[2:4], title,
                                   label_lines=4)

    def short(clip):
        return "\n".join(textwrap.wrap(clip_captions[clip], _chars(strip_inches, _LABEL_POINTS),
                                       max_lines=3, placeholder=" …"))

    for row, query in zip(axes, chosen):
        _draw_strip(row[0], keyframes[query], f"query {clip_ids[query]}\n{short(query)}",
                    _QUERY)
        order = [clip for clip in np.argsort(-similarities[query], kind="stable")
                 if clip != query]
        for place, (axis, clip) in enumerate(zip(row[1:], order[:k]), 1):
            _draw_strip(axis, keyframes[clip], f"{place}. {clip_ids[clip]}, similarity "
                        f"{similarities[query, clip]:.2f}\n{short(clip)}")
    return figure


def draw_examples(count, examples, seed):
    """`examples` distinct indices below `count` drawn at random with `seed` (all of them
    when there are fewer), in increasing order."""
    if not isinstance(examples, int) or examples < 1:
        raise UsageError(f"examples: expected an integer >= 1, got {examples!r}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(count, size=min(examples, count), replace=False))


def keyframe_strip(frames, count=STRIP_FRAMES):
    """`count` evenly spaced frames of uint8 `[frames, h, w, 3]` (first and last included)
    side by side, with a thin white gap between them: uint8 `[h, count·w + gaps, 3]`."""
    frames = np.asarray(frames)
    picked = frames[np.round(np.linspace(0, len(frames) - 1, min(count, len(frames)))).astype(
        int)]
    gap = np.full((frames.shape[1], max(1, frames.shape[2] // 32), 3), 255, np.uint8)
    parts = [part for frame in picked for part in (gap, frame)][1:]
    return np.concatenate(parts, axis=1)


def _rows_of_strips(rows, k, first_inches, frame_shape, title, label_lines):
    """A constrained figure of `rows` rows of a first panel `first_inches` wide and `k`
    strip panels; returns it and its axes `[rows, 1 + k]`."""
    strip_width = _strip_inches(k, first_inches)
    height, width = frame_shape
    strip_height = strip_width * height / (STRIP_FRAMES * width)
    row_inches = strip_height + label_lines * _LABEL_POINTS * 1.4 / 72 + 0.25
    figure_width = first_inches + k * strip_width
    title = textwrap.fill(title, _chars(figure_width, _TITLE_POINTS))
    figure = plt.figure(figsize=(figure_width, rows * row_inches
                                 + (title.count("\n") + 1) * 0.25 + 0.2), layout="constrained")
    figure.suptitle(title, fontsize=_TITLE_POINTS)
    axes = figure.subplots(rows, 1 + k, squeeze=False,
                           gridspec_kw={"width_ratios": [first_inches, *[strip_width] * k]})
    return figure, axes


def _strip_inches(k, first_inches):
    return min(_STRIP_INCHES, (_MAX_WIDTH_INCHES - first_inches) / k)


def _draw_caption(axis, caption, rank, k, right_id, right_score, clips):
    """The caption's text, under a verdict line: where its own clip ranks."""
    axis.axis("off")
    lines = textwrap.wrap(f"“{caption}”", _chars(_CAPTION_INCHES, _CAPTION_POINTS),
                          max_lines=_CAPTION_LINES, placeholder=" …”")
    axis.text(0, 1, "\n".join(lines), fontsize=_CAPTION_POINTS, va="top", ha="left",
              transform=axis.transAxes)
    if rank <= k:
        verdict, colour = f"✓ its clip {right_id} ranks {rank} of {clips}", _RIGHT
    else:
        verdict, colour = (f"✗ its clip {right_id} ranks {rank} of {clips}\n"
                           f"(score {right_score:.2f}), not in the top {k}"), _MISSED
    axis.set_title(verdict, fontsize=_LABEL_POINTS, color=colour, loc="left")


def _draw_strip(axis, frames, label, colour=None):
    axis.imshow(keyframe_strip(frames))
    axis.set_xticks([])
    axis.set_yticks([])
    for spine in axis.spines.values():
        spine.set_visible(colour is not None)
        spine.set_color(colour or "black")
        spine.set_linewidth(3)
    axis.set_title(label, fontsize=_LABEL_POINTS, color=colour or "black")


def _chars(inches, points):
    """About how many characters fit on a line `inches` wide (0.6 em a character)."""
    return max(8, int(inches * 72 / (points * 0.6)))


def _label(title, synthetic):
    return f"{title} (synthetic data)" if synthetic else title


def _check_clips(keyframes, clip_ids):
    """The number of clips, after checking `keyframes` and `clip_ids` agree."""
    if keyframes.ndim != 5 or keyframes.shape[-1] != 3:
        raise UsageError(f"keyframes: expected uint8 [clips, frames, size, size, 3], got "
                         f"shape {keyframes.shape}")
    clips = len(keyframes)
    _check_shape("clip_ids", np.asarray(clip_ids, object), (clips,))
    return clips


def _ranking(scores, right):
    """Clip indices best first (ties in index order) and the 1-based rank of clip `right`."""
    order = np.argsort(-scores, kind="stable")
    return order, int(np.flatnonzero(order == right)[0]) + 1


def _check_k(k, available, what):
    if not isinstance(k, int) or not 1 <= k <= available:
        raise UsageError(f"k: expected an integer from 1 to {available} (the {what} there "
                         f"are), got {k!r}")


def _check_shape(name, array, expected):
    if array.shape != expected:
        raise UsageError(f"{name}: expected shape {expected}, got {array.shape}")


def ablation_figure(table, test_clips, ceiling, synthetic):
    """Test text → video R@1 of each fusion mode (`{mode: {group: R@1}}`, the `ablation` of
    the run's metrics), over all captions and split by whether the caption names the
    sound, beside chance (1 / `test_clips`) and, unless None, the `ceiling` that clips
    sharing a caption allow."""
    labels = {"all": "all captions", "captions_sound": "captions naming the sound",
              "captions_no_sound": "captions not naming it"}
    groups = {labels[name]: name for name in labels
              if all(name in row for row in table.values())}
    modes = list(table)
    figure, axis = plt.subplots(figsize=(8, 4.5), layout="constrained")
    width = 0.8 / len(groups)
    for index, (label, name) in enumerate(groups.items()):
        values = [table[mode][name] for mode in modes]
        positions = np.arange(len(modes)) + (index - (len(groups) - 1) / 2) * width
        bars = axis.bar(positions, values, width, label=label)
        axis.bar_label(bars, fmt="%.0f", fontsize=_LABEL_POINTS)
    axis.axhline(100.0 / test_clips, color="grey", linestyle=":",
                 label=f"chance (1 / {test_clips} clips)")
    if ceiling is not None:
        axis.axhline(ceiling, color="black", linestyle="--",
                     label="best possible (clips sharing a caption tie)")
    axis.set_xticks(np.arange(len(modes)), [mode.replace("_", " ") for mode in modes])
    axis.set_ylabel("text → video R@1 (%)")
    axis.set_ylim(0, 105)
    axis.legend(fontsize=_LABEL_POINTS, loc="upper right")
    axis.set_title(_label("Ablation: which clip tower finds the captioned clip", synthetic),
                   fontsize=_TITLE_POINTS)
    return figure


def retrieval_examples_text(captions, caption_clips, scores, clip_ids, *, seed, examples=8,
                            k=5):
    """Markdown for TensorBoard's Text tab: `examples` captions drawn at random with `seed`,
    each with its `k` best-scored clips (✓ on its own clip) and its own clip's rank."""
    scores = np.asarray(scores)
    _check_shape("scores", scores, (len(captions), len(clip_ids)))
    _check_k(k, len(clip_ids), "clips")
    lines = []
    for row in draw_examples(len(captions), examples, seed):
        right = int(caption_clips[row])
        order, rank = _ranking(scores[row], right)
        best = ", ".join(f"{clip_ids[c]}{' ✓' if c == right else ''} ({scores[row, c]:.2f})"
                         for c in order[:k])
        lines.append(f"- **{captions[row]}** → {best}; its clip {clip_ids[right]} ranks "
                     f"{rank} of {len(clip_ids)}")
    return "\n".join(lines)
