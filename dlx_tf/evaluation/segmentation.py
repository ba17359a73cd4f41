"""How well predicted label maps agree with the true ones: the FCN-score's three numbers.

Long et al. 2015 (https://arxiv.org/abs/1411.4038), §5, with n_ij the pixels of class i
predicted as class j, t_i = Σ_j n_ij the pixels of class i and n_cl the classes counted:
- pixel accuracy Σ_i n_ii / Σ_i t_i;
- mean class accuracy (1/n_cl) Σ_i n_ii / t_i;
- mean IoU (1/n_cl) Σ_i n_ii / (t_i + Σ_j n_ji − n_ii).
pix2pix (Isola et al. 2017, Tables 1–2) and CycleGAN (Zhu et al. 2017, Table 1) report
them as "per-pixel acc.", "per-class acc." and "class IOU" of a segmentation network run
on generated images. The counts are pooled over all pixels of all images before dividing,
as in their evaluation code.
"""

import numpy as np


def label_agreement(predicted, labels, num_classes):
    """Pixel accuracy, mean class accuracy and mean class IoU of `predicted` against
    `labels`.

    The class means run over the classes present in `labels` (t_i > 0). A class absent
    from the labels has no accuracy to average and is left out of both means, even where
    it was predicted (the FCN code gives it IoU 0 then): such wrong pixels still lower the
    accuracy and IoU of the classes they belong to, so nothing goes unpunished, and the
    score does not depend on how many classes a set of images happens to lack.

    Args:
        predicted: integer class ids, any shape, e.g. `[n, h, w]`.
        labels: integer class ids of the same shape, the truth.
        num_classes: ids run from 0 to `num_classes - 1`.

    Returns:
        `{"pixel_accuracy", "class_accuracy", "class_iou"}`, floats in [0, 1].

    Example:
    ```python
    label_agreement(judge_labels, true_labels, num_classes=5)
    # {"pixel_accuracy": 0.93, "class_accuracy": 0.81, "class_iou": 0.72}
    ```
    """
    counts = confusion_matrix(predicted, labels, num_classes)
    hits = np.diag(counts)
    truths = counts.sum(axis=1)  # t_i
    guesses = counts.sum(axis=0)  # Σ_j n_ji
    present = truths > 0
    return {
        "pixel_accuracy": float(hits.sum() / truths.sum()),
        "class_accuracy": float(np.mean(hits[present] / truths[present])),
        "class_iou": float(np.mean(hits[present] / (truths + guesses - hits)[present])),
    }


def confusion_matrix(predicted, labels, num_classes):
    """int64 `[num_classes, num_classes]`: entry (i, j) counts the pixels of class i
    (in `labels`) predicted as class j."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape or labels.size == 0:
        raise ValueError(f"predicted and labels must be non-empty label maps of one shape; "
                         f"got {predicted.shape} and {labels.shape}")
    for name, ids in (("predicted", predicted), ("labels", labels)):
        if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= num_classes:
            raise ValueError(f"{name}: expected integer class ids in [0, {num_classes}); got "
                             f"{ids.dtype} in [{ids.min()}, {ids.max()}]")
    pairs = labels.astype(np.int64).ravel() * num_classes + predicted.astype(np.int64).ravel()
    return np.bincount(pairs, minlength=num_classes**2).reshape(num_classes, num_classes)
