"""Procedurally drawn handwriting-like digits, 28×28, for the offline smoke profile.

Each digit is a fixed set of pen strokes (polylines in the unit square). Every sample
jitters the stroke vertices, applies a random rotation, shear, scale and shift, draws
the strokes with a random pen width and adds pixel noise, so classes overlap in
pixel space the way handwriting does while staying learnable. The data are
synthetic and are marked so wherever they show.
"""

import numpy as np

IMAGE_SIZE = 28


def _ellipse(cx, cy, rx, ry, start=0.0, end=2 * np.pi, points=11):
    angles = np.linspace(start, end, points)
    return list(zip(cx + rx * np.cos(angles), cy + ry * np.sin(angles)))


# Polylines per digit, (x, y) with y pointing down.
_STROKES = {
    0: [_ellipse(0.5, 0.5, 0.26, 0.37, points=13)],
    1: [[(0.36, 0.27), (0.52, 0.12), (0.52, 0.88)]],
    2: [_ellipse(0.5, 0.32, 0.22, 0.2, np.pi, 2.25 * np.pi, 9)
        + [(0.25, 0.88), (0.76, 0.88)]],
    3: [_ellipse(0.48, 0.3, 0.22, 0.18, 1.1 * np.pi, 2.5 * np.pi, 9),
        _ellipse(0.48, 0.68, 0.24, 0.2, 1.5 * np.pi, 2.9 * np.pi, 9)],
    4: [[(0.62, 0.88), (0.62, 0.12), (0.22, 0.64), (0.8, 0.64)]],
    5: [[(0.72, 0.12), (0.32, 0.12), (0.29, 0.46)]
        + _ellipse(0.48, 0.66, 0.24, 0.22, 1.3 * np.pi, 2.8 * np.pi, 10)],
    6: [[(0.68, 0.14), (0.46, 0.24), (0.31, 0.48)]
        + _ellipse(0.5, 0.68, 0.2, 0.2, np.pi, 3 * np.pi, 11)],
    7: [[(0.24, 0.13), (0.76, 0.13), (0.42, 0.88)]],
    8: [_ellipse(0.5, 0.3, 0.18, 0.17), _ellipse(0.5, 0.68, 0.22, 0.2)],
    9: [_ellipse(0.5, 0.33, 0.2, 0.19, 0, 2 * np.pi), [(0.7, 0.34), (0.62, 0.88)]],
}


def _segments(digit):
    """`[segments, 2, 2]` start and end points of every stroke piece."""
    pieces = []
    for line in _STROKES[digit]:
        line = np.asarray(line, dtype=np.float32)
        pieces.append(np.stack([line[:-1], line[1:]], axis=1))
    return np.concatenate(pieces)


def generate_digits(count, seed):
    """Returns `(images, labels)`: uint8 `[count, 28, 28]` and int64 `[count]`, balanced."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    images = np.zeros((count, IMAGE_SIZE, IMAGE_SIZE), np.float32)
    centres = (np.arange(IMAGE_SIZE, dtype=np.float32) + 0.5) / IMAGE_SIZE
    pixels = np.stack(np.meshgrid(centres, centres, indexing="xy"), -1).reshape(-1, 2)
    for digit in range(10):
        (index,) = np.nonzero(labels == digit)
        for chunk in np.array_split(index, max(1, len(index) // 256)):
            images[chunk] = _draw(_segments(digit), len(chunk), pixels, rng)
    noisy = images + rng.normal(0.0, 0.08, images.shape).astype(np.float32)
    return (np.clip(noisy, 0.0, 1.0) * 255).round().astype(np.uint8), labels.astype(np.int64)


def _draw(segments, count, pixels, rng):
    # Random affine map about the centre: rotation, shear, anisotropic scale, shift.
    angle = rng.uniform(-0.25, 0.25, count)
    shear = rng.uniform(-0.3, 0.3, count)
    scale = rng.uniform(0.8, 1.08, (count, 2))
    shift = rng.uniform(-0.09, 0.09, (count, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shearing = np.tile(np.eye(2), (count, 1, 1))
    shearing[:, 0, 1] = shear
    affine = rotation @ shearing * scale[:, None, :]
    jitter = rng.normal(0.0, 0.022, (count, *segments.shape))
    points = (segments[None] + jitter - 0.5) @ np.swapaxes(affine, 1, 2)[:, None]
    points = (points + 0.5 + shift[:, None, None, :]).astype(np.float32)
    start, direction = points[:, :, 0], points[:, :, 1] - points[:, :, 0]  # (count, segs, 2)
    # Squared distance from every pixel centre to every segment: (count, pixels, segments).
    length2 = np.maximum(np.einsum("nsk,nsk->ns", direction, direction), 1e-8)
    offset = pixels[None, :, None, :] - start[:, None]
    along = np.clip(np.einsum("npsk,nsk->nps", offset, direction) / length2[:, None], 0.0, 1.0)
    offset -= along[..., None] * direction[:, None]
    distance = np.sqrt(np.einsum("npsk,npsk->nps", offset, offset).min(-1))
    width = rng.uniform(0.04, 0.075, (count, 1)).astype(np.float32)
    ink = np.clip((width - distance) / 0.03 + 0.5, 0.0, 1.0)
    return ink.reshape(count, IMAGE_SIZE, IMAGE_SIZE)
