"""Class-structured 32×32 RGB images that stand in for CIFAR-10 offline (SYNTHETIC).

Each of the 10 classes is one bold, flat-shaded procedural motif on its own background
colours, drawn in a unit square and then jittered per image: position (±0.07), scale
(0.85-1.1), colours (brightness and per-channel), the motif's own parameters (wing beat,
leg stance, horizon height, ...) and mild pixel noise. Structure is low-frequency on
purpose: a small CNN separates the classes easily and a tiny conditional GAN learns them
in a few hundred steps.

The class names are CIFAR-10's, but only as stand-ins for label indices: the pictures are
not photographs and resemble the real classes loosely at best. Two classes carry the
Pegasus experiment and are drawn to be distinct yet "mixable", on matching layouts:
2 "bird" is a dark V of wings spread over the upper middle of a light sky-blue sky, and
7 "horse" a brown side-view horse on four legs on green ground under a pale sky, so a
bird/horse blend puts wings over the horse's back. The data are synthetic and are marked
so wherever they show (`SYNTHETIC_NOTE`).

`MOTIFS` gives a one-line description per class. `synthetic_cifar_with_attributes` also
returns every per-image random draw of the motif, for a feature network trained on the
generator's own attributes.
"""

import numpy as np

IMAGE_SIZE = 32
SYNTHETIC_NOTE = "synthetic CIFAR-10 stand-in: procedural class motifs, not photographs"
MOTIFS = (
    "airplane: silver swept-wing plane seen from above on a deep-blue sky gradient",
    "automobile: red car with a blue window and two black wheels, beige wall over grey road",
    "bird: dark V of tapered wings around a small body on a light sky-blue sky",
    "cat: ginger round face with pointed ears and dark eyes on a dark purple room",
    "deer: tan face seen head-on with wide ears and dark branching antlers on olive/orange",
    "dog: white face with long black hanging ears and a black nose on mustard yellow",
    "frog: bright green squat body with bulging white-and-black eyes on teal water",
    "horse: brown side-view horse, four legs, neck, head and tail, pale sky over green ground",
    "ship: dark hull with a white deckhouse and red funnel on navy sea under a peach sky",
    "truck: yellow cargo box with a blue cab and three wheels, grey-blue sky over dark road",
)

_SHIFT = 0.07  # motif offset, in image widths
_SCALE = (0.85, 1.1)
_NOISE = 0.025  # pixel noise std, in [0, 1] units
_CHUNK = 64  # images drawn at once: small batches keep the working arrays in cache
MAX_ATTRIBUTES = 35  # recorded draws of the class with the most (truck)


def synthetic_cifar(count, seed):
    """Returns `(images, labels)`: uint8 `[count, 32, 32, 3]` and int32 `[count]`; every
    class gets `count // 10` or one more images, in shuffled order."""
    images, labels, _, _ = synthetic_cifar_with_attributes(count, seed)
    return images, labels


def synthetic_cifar_with_attributes(count, seed):
    """`synthetic_cifar(count, seed)` and what each image was drawn from.

    Returns `(images, labels, attributes, mask)`: the same images and labels, float32
    `attributes` `[count, MAX_ATTRIBUTES]` and a boolean `mask` of the same shape. A row
    holds, in draw order, every per-image random draw of its class's motif: the motif's
    x shift, y shift and scale, each `uniform` parameter, and each jittered colour as its
    3 final RGB values. The rest of the row is zero and masked out; every image of a class
    uses the same entries, each with the same meaning.
    """
    rng = np.random.default_rng(seed)
    labels = (np.arange(count) % 10).astype(np.int32)
    rng.shuffle(labels)
    images = np.empty((count, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    attributes = np.zeros((count, MAX_ATTRIBUTES), np.float32)
    mask = np.zeros((count, MAX_ATTRIBUTES), bool)
    for label, draw in enumerate(_DRAW):
        (index,) = np.nonzero(labels == label)
        for start in range(0, len(index), _CHUNK):
            part = index[start:start + _CHUNK]
            canvas = _Canvas(rng, len(part))
            draw(canvas)
            images[part] = canvas.to_uint8()
            draws = np.concatenate(canvas.draws, 1)  # (images, draws of this class)
            attributes[part, :draws.shape[1]] = draws
            mask[part, :draws.shape[1]] = True
    return images, labels, attributes, mask


class _Canvas:
    """A batch of `n` float images in [0, 1] and each pixel's position in motif
    coordinates `u, v` `[n, H, W]` (unit square, v pointing down) after the per-image
    shift and scale. `draws` records every per-image random value, `[n, k]` each, in the
    order the motif draws them."""

    def __init__(self, rng, n):
        self.rng, self.n, self.draws = rng, n, []
        centres = (np.arange(IMAGE_SIZE, dtype=np.float32) + 0.5) / IMAGE_SIZE
        shift_x, shift_y = (self._record(shift) for shift in
                            rng.uniform(-_SHIFT, _SHIFT, (2, n, 1, 1)).astype(np.float32))
        scale = self._record(rng.uniform(*_SCALE, (n, 1, 1)).astype(np.float32))
        self.u = (centres[None, None, :] - 0.5 - shift_x) / scale + 0.5
        self.v = (centres[None, :, None] - 0.5 - shift_y) / scale + 0.5
        self.pixel = 1.0 / (IMAGE_SIZE * scale)  # one pixel in motif units, for antialiasing
        # Channels first: broadcasting over a last axis of 3 makes NumPy's inner loops tiny.
        self.image = np.zeros((n, 3, IMAGE_SIZE, IMAGE_SIZE), np.float32)
        self._scratch = np.empty_like(self.image)

    def uniform(self, low, high):
        """One value per image, `[n, 1, 1]`, to jitter a motif parameter."""
        return self._record(self.rng.uniform(low, high, (self.n, 1, 1)).astype(np.float32))

    def colour(self, rgb, brightness=0.1, tint=0.04):
        """`rgb` jittered per image, `[n, 3, 1, 1]`."""
        scale = self.rng.uniform(1 - brightness, 1 + brightness, (self.n, 1, 1, 1))
        shift = self.rng.normal(0.0, tint, (self.n, 3, 1, 1))
        rgb = np.asarray(rgb, np.float32)[:, None, None]
        return self._record(np.clip(rgb * scale + shift, 0, 1).astype(np.float32))

    def _record(self, value):
        """Notes a per-image draw `[n, ...]` and returns it; the one place draws pass through."""
        self.draws.append(value.reshape(self.n, -1))
        return value

    def gradient(self, top, bottom, horizon=None, ground=None, ground_low=None):
        """Fills a vertical sky gradient, then optional ground below `horizon` (`v` units)."""
        top, bottom = self.colour(top), self.colour(bottom)
        t = np.clip(self.v, 0, 1)[:, None]
        self.image[:] = top + t * (bottom - top)
        if horizon is not None:
            near = self.colour(ground_low if ground_low is not None else ground)
            ground = self.colour(ground)
            depth = np.clip((self.v - horizon) / 0.3, 0, 1)[:, None]
            self.paint(self._cover(horizon - self.v), ground + depth * (near - ground))

    def paint(self, alpha, colour):
        change = np.subtract(colour, self.image, out=self._scratch)
        change *= alpha[:, None]
        self.image += change

    def ellipse(self, cx, cy, rx, ry):
        radius = np.sqrt(((self.u - cx) / rx) ** 2 + ((self.v - cy) / ry) ** 2)
        return self._cover((radius - 1) * np.minimum(rx, ry))

    def capsule(self, start, end, width):
        """A thick line from `start` to `end` (x, y pairs) with round caps, radius `width`."""
        (x0, y0), (x1, y1) = start, end
        dx, dy = x1 - x0, y1 - y0
        along = ((self.u - x0) * dx + (self.v - y0) * dy) / np.maximum(dx * dx + dy * dy, 1e-8)
        along = np.clip(along, 0, 1)
        distance = np.hypot(self.u - x0 - along * dx, self.v - y0 - along * dy)
        return self._cover(distance - width)

    def polygon(self, points):
        """A convex polygon through `points`, (x, y) pairs in either winding order."""
        xs = [np.asarray(x, np.float32) for x, _ in points]
        ys = [np.asarray(y, np.float32) for _, y in points]
        # Shoelace: positive when the points wind from +x towards +y.
        area = sum(xs[i - 1] * ys[i] - xs[i] * ys[i - 1] for i in range(len(points)))
        inside = None
        for i in range(len(points)):
            ex, ey = xs[i] - xs[i - 1], ys[i] - ys[i - 1]
            # Signed distance to the edge line, negative on the polygon's side.
            side = ((self.u - xs[i - 1]) * ey - (self.v - ys[i - 1]) * ex) / np.hypot(ex, ey)
            side = side * np.sign(area)
            inside = side if inside is None else np.maximum(inside, side)
        return self._cover(inside)

    def box(self, x0, y0, x1, y1):
        return self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])

    def _cover(self, distance):
        """Antialiased coverage of the pixels at signed `distance` (negative inside)."""
        coverage = distance / self.pixel
        np.subtract(0.5, coverage, out=coverage)
        return np.clip(coverage, 0, 1, out=coverage)

    def to_uint8(self):
        # Grey noise, one draw per pixel: a third of the cost of colour noise.
        noise = self.rng.standard_normal((self.n, 1, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
        image = np.clip(self.image + _NOISE * noise, 0, 1) * 255
        return np.rint(image).astype(np.uint8).transpose(0, 2, 3, 1)


def _airplane(c):
    c.gradient((0.14, 0.30, 0.68), (0.42, 0.60, 0.88))
    silver, sweep = c.colour((0.88, 0.89, 0.92)), c.uniform(0.06, 0.14)
    c.paint(c.capsule((0.18, 0.5), (0.84, 0.5), 0.055), silver)
    for sign in (-1, 1):
        c.paint(c.polygon([(0.58, 0.5), (0.44, 0.5), (0.40 - sweep, 0.5 + sign * 0.36),
                           (0.48 - sweep, 0.5 + sign * 0.36)]), silver)
        c.paint(c.polygon([(0.28, 0.5), (0.19, 0.5), (0.14, 0.5 + sign * 0.15),
                           (0.2, 0.5 + sign * 0.15)]), silver)


def _automobile(c):
    c.gradient((0.95, 0.88, 0.72), (0.88, 0.80, 0.64), horizon=c.uniform(0.66, 0.72),
               ground=(0.38, 0.38, 0.40))
    red, top = c.colour((0.82, 0.12, 0.10)), c.uniform(0.26, 0.34)
    c.paint(c.box(0.1, 0.48, 0.9, 0.72), red)
    c.paint(c.polygon([(0.26, 0.49), (0.74, 0.49), (0.64, top), (0.36, top)]), red)
    c.paint(c.polygon([(0.33, 0.48), (0.67, 0.48), (0.6, top + 0.05), (0.4, top + 0.05)]),
            c.colour((0.62, 0.80, 0.92)))
    for x in (0.28, 0.72):
        c.paint(c.ellipse(x, 0.74, 0.1, 0.1), c.colour((0.08, 0.08, 0.08)))


def _bird(c):
    c.gradient((0.52, 0.76, 0.95), (0.80, 0.91, 0.98))
    dark = c.colour((0.16, 0.13, 0.12), brightness=0.3)
    tip_y, span = c.uniform(0.14, 0.34), c.uniform(0.32, 0.4)  # wing beat, half wing span
    for sign in (-1, 1):
        tip = 0.5 + sign * span
        c.paint(c.polygon([(0.5, 0.39), (tip, tip_y), (tip, tip_y + 0.05), (0.5, 0.54)]), dark)
    c.paint(c.ellipse(0.5, 0.48, 0.1, 0.065), dark)
    c.paint(c.ellipse(0.6, 0.45, 0.045, 0.045), dark)


def _cat(c):
    c.gradient((0.36, 0.20, 0.42), (0.24, 0.13, 0.30))
    ginger, ear = c.colour((0.95, 0.58, 0.18)), c.uniform(0.1, 0.18)
    for sign in (-1, 1):
        c.paint(c.polygon([(0.5 + sign * 0.26, 0.46), (0.5 + sign * 0.06, 0.36),
                           (0.5 + sign * 0.24, ear)]), ginger)
    c.paint(c.ellipse(0.5, 0.56, 0.27, 0.24), ginger)
    for sign in (-1, 1):
        c.paint(c.ellipse(0.5 + sign * 0.1, 0.52, 0.055, 0.06), c.colour((0.12, 0.30, 0.08)))
    c.paint(c.ellipse(0.5, 0.64, 0.04, 0.03), c.colour((0.9, 0.5, 0.55)))


def _deer(c):
    c.gradient((0.30, 0.36, 0.16), (0.78, 0.46, 0.14))
    tan, antler = c.colour((0.80, 0.60, 0.38)), c.colour((0.30, 0.19, 0.10))
    reach = c.uniform(0.2, 0.3)  # how far the antlers spread
    for sign in (-1, 1):  # left and right halves, mirrored about x = 0.5
        c.paint(c.capsule((0.5 + sign * 0.06, 0.4), (0.5 + sign * reach, 0.1), 0.035), antler)
        c.paint(c.capsule((0.5 + sign * 0.12, 0.28), (0.5 + sign * (reach + 0.12), 0.26), 0.03),
                antler)
        c.paint(c.ellipse(0.5 + sign * 0.2, 0.44, 0.11, 0.05), tan)
    c.paint(c.ellipse(0.5, 0.6, 0.13, 0.22), tan)
    c.paint(c.ellipse(0.5, 0.77, 0.07, 0.06), c.colour((0.95, 0.93, 0.88)))
    c.paint(c.ellipse(0.5, 0.76, 0.04, 0.03), c.colour((0.1, 0.08, 0.06)))


def _dog(c):
    c.gradient((0.96, 0.82, 0.30), (0.88, 0.68, 0.22))
    black = c.colour((0.16, 0.12, 0.10), brightness=0.3)
    c.paint(c.ellipse(0.5, 0.52, 0.22, 0.25), c.colour((0.93, 0.92, 0.88)))
    droop = c.uniform(0.6, 0.7)
    for sign in (-1, 1):
        c.paint(c.ellipse(0.5 + sign * 0.24, droop - 0.06, 0.08, 0.22), black)
        c.paint(c.ellipse(0.5 + sign * 0.09, 0.45, 0.04, 0.045), black)
    c.paint(c.ellipse(0.5, 0.62, 0.07, 0.055), black)


def _frog(c):
    c.gradient((0.10, 0.36, 0.42), (0.04, 0.24, 0.34))
    green, spread = c.colour((0.36, 0.82, 0.18)), c.uniform(0.12, 0.17)
    for sign in (-1, 1):
        c.paint(c.capsule((0.5 + sign * 0.2, 0.7), (0.5 + sign * 0.36, 0.8), 0.06), green)
    c.paint(c.ellipse(0.5, 0.62, 0.3, 0.19), green)
    for sign in (-1, 1):
        c.paint(c.ellipse(0.5 + sign * spread, 0.44, 0.1, 0.1), green)
        c.paint(c.ellipse(0.5 + sign * spread, 0.43, 0.065, 0.065), c.colour((0.96, 0.96, 0.84)))
        c.paint(c.ellipse(0.5 + sign * spread, 0.43, 0.035, 0.035), c.colour((0.05, 0.05, 0.05)))


def _horse(c):
    c.gradient((0.70, 0.84, 0.95), (0.86, 0.92, 0.97), horizon=c.uniform(0.68, 0.76),
               ground=(0.36, 0.64, 0.22), ground_low=(0.24, 0.52, 0.14))
    brown = c.colour((0.50, 0.28, 0.12), brightness=0.2)
    dark, stride = brown * 0.55, c.uniform(-0.04, 0.04)
    c.paint(c.capsule((0.24, 0.47), (0.16 + stride, 0.68), 0.032), dark)  # tail
    for hip, step in ((0.30, -1), (0.38, 1), (0.58, -1), (0.66, 1)):
        c.paint(c.capsule((hip, 0.56), (hip + step * stride, 0.86), 0.036), brown)
    c.paint(c.ellipse(0.46, 0.52, 0.25, 0.11), brown)
    c.paint(c.capsule((0.64, 0.5), (0.76, 0.27), 0.065), brown)  # neck
    c.paint(c.capsule((0.76, 0.25), (0.88, 0.36), 0.048), brown)  # head
    c.paint(c.capsule((0.66, 0.4), (0.74, 0.22), 0.025), dark)  # mane


def _ship(c):
    c.gradient((0.98, 0.72, 0.52), (0.96, 0.86, 0.72), horizon=c.uniform(0.6, 0.66),
               ground=(0.12, 0.22, 0.46), ground_low=(0.06, 0.14, 0.34))
    c.paint(c.polygon([(0.1, 0.54), (0.9, 0.54), (0.76, 0.72), (0.24, 0.72)]),
            c.colour((0.22, 0.12, 0.12)))
    c.paint(c.box(0.36, c.uniform(0.38, 0.44), 0.66, 0.55), c.colour((0.96, 0.96, 0.94)))
    c.paint(c.box(0.48, 0.26, 0.57, 0.4), c.colour((0.85, 0.2, 0.12)))


def _truck(c):
    c.gradient((0.48, 0.54, 0.62), (0.62, 0.66, 0.72), horizon=c.uniform(0.72, 0.78),
               ground=(0.22, 0.22, 0.23))
    top = c.uniform(0.22, 0.32)
    c.paint(c.box(0.06, top, 0.64, 0.72), c.colour((0.96, 0.78, 0.08)))
    c.paint(c.box(0.66, 0.42, 0.92, 0.72), c.colour((0.14, 0.28, 0.74)))
    c.paint(c.box(0.72, 0.47, 0.88, 0.57), c.colour((0.70, 0.86, 0.94)))
    for x in (0.2, 0.46, 0.79):
        c.paint(c.ellipse(x, 0.74, 0.085, 0.085), c.colour((0.07, 0.07, 0.07)))


_DRAW = (_airplane, _automobile, _bird, _cat, _deer, _dog, _frog, _horse, _ship, _truck)
