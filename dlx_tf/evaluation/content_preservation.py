"""Does a translated image keep its input's content? Against a known answer where the data
have one, else against the input's own structure.

Images are float `[n, h, w, 3]` in [-1, 1], as the translators see them. SSIM uses its
usual 11×11 window, or the largest odd one that fits smaller images (at least 5×5).
"""

import numpy as np
import tensorflow as tf

_SSIM_WINDOW = 11
_SMALLEST_WINDOW = 5
_EDGE_PERCENTILE = 90


def paired_content(outputs, targets, pool=2):
    """L1, PSNR (dB) and SSIM of `outputs` against the images they should be, each
    averaged over the batch; computed on [0, 1] images, so L1 is in [0, 1] and a perfect
    match gives PSNR inf (reported as 100), SSIM 1.

    The synthetic seasons draw the same layout in both seasons, so a summer scene's winter
    version is known: a translation that keeps the ridges, lake and trees and takes the
    winter palette scores high on SSIM; a palette blob or noise scores low. Both images are
    compared after `pool`×`pool` average pooling: their per-pixel grain and snowflakes are
    drawn independently in each season, so no translation can know them (on the pixels a
    perfect layout blurred by one pixel scores SSIM 0.6, pooled 0.9). L1 and PSNR favour
    blurry averages (a constant mean colour beats a per-pixel colour map on L1), so SSIM is
    the one to read.
    """
    outputs, targets = _unit(outputs), _unit(targets)
    _check_sizes(outputs, targets)
    if pool > 1:
        outputs, targets = (tf.nn.avg_pool2d(images, pool, pool, "VALID").numpy()
                            for images in (outputs, targets))
    mse = np.mean((outputs - targets) ** 2, axis=(1, 2, 3))
    psnr = np.where(mse > 0, 10 * np.log10(1.0 / np.maximum(mse, 1e-20)), 100.0)
    return {"l1": float(np.mean(np.abs(outputs - targets))),
            "psnr": float(np.mean(np.minimum(psnr, 100.0))),
            "ssim": _ssim(outputs, targets)}


def structure_similarity(inputs, outputs):
    """SSIM between the inputs' and the outputs' edge maps, averaged over the batch.

    For unpaired data, where no right answer exists: a translation may change colours and
    textures but should keep where the edges are. Edge maps are the Sobel gradient
    magnitude of the grayscale image, each scaled so its 90th percentile is 1 (then
    clipped): a change of overall contrast does not count, and a few very strong edges
    (snowflakes, a sun disc) do not flatten the rest. Noise, constant images and blobs score
    near 0. A copy of the input scores 1: this measure cannot tell translating from doing
    nothing, which is why it is reported beside realism against the target domain. Where a
    translation rightly changes many edges (snow covers rock) even a perfect one scores well
    below 1; the synthetic seasons score their known answers with `paired_content` instead.
    """
    inputs, outputs = _unit(inputs), _unit(outputs)
    _check_sizes(inputs, outputs)
    return _ssim(_edges(inputs), _edges(outputs))


def _edges(images):
    gray = tf.image.rgb_to_grayscale(images)
    gradients = tf.image.sobel_edges(gray)  # [n, h, w, 1, 2]: dy, dx
    magnitude = tf.norm(gradients, axis=-1).numpy()
    scale = np.percentile(magnitude.reshape(len(magnitude), -1), _EDGE_PERCENTILE, axis=1)
    return np.clip(magnitude / np.maximum(scale, 1e-6)[:, None, None, None], 0.0, 1.0)


def _ssim(a, b):
    window = min(_SSIM_WINDOW, *a.shape[1:3])
    window -= 1 - window % 2  # odd
    if window < _SMALLEST_WINDOW:
        raise ValueError(f"SSIM needs images of at least {_SMALLEST_WINDOW}×{_SMALLEST_WINDOW}"
                         f" (after pooling); got {a.shape[1]}×{a.shape[2]}")
    return float(np.mean(tf.image.ssim(a, b, max_val=1.0, filter_size=window)))


def _unit(images):
    return np.clip((np.asarray(images, np.float32) + 1.0) / 2.0, 0.0, 1.0)


def _check_sizes(a, b):
    if a.shape != b.shape or a.ndim != 4:
        raise ValueError(f"expected two [n, h, w, 3] batches of one shape; got {a.shape} and "
                         f"{b.shape}")
