"""Procedurally drawn two-season landscapes for the offline CycleGAN profile (SYNTHETIC).

Every scene is a sky gradient with a sun or clouds, one or two jagged mountain ridges,
two rolling hills, maybe a lake and a few trees. Layouts come from one distribution for
both seasons; the season only picks palettes and textures: summer has a blue sky, green
grass and trees, dark rock and warm light; winter a pale grey sky, snow on the ground,
peaks and trees, bluish shadows and snowflakes. Positions, sizes and colours are jittered
per scene and pixel noise is added. The data are synthetic and are marked so wherever
they show.

The layout stream depends on `seed` alone, so the same seed draws the same scenes in
either season (a paired set, for evaluation); unpaired training domains need different
seeds. `scene_attributes` lists what each scene holds (`ATTRIBUTE_NAMES`), for a feature
network trained on the generator's own attributes. `scene_labels` gives each pixel's class
(`LABEL_CLASSES`) from the same geometry, and `label_images` paints those as flat-colour
label maps: the labels→scenes pairs of the offline pix2pix profile.
"""

import numpy as np

SEASONS = ("summer", "winter")
_RIDGE_POINTS = 16  # control points of a ridge profile; the jaggedness lives between them
_TREES = 6  # tree slots per scene, unused ones switched off
_HILL_OFFSET = (-0.02, 0.09)  # far and near hill, below the horizon
_NO = np.float32(-1.0)  # a crown half-width no pixel has

# Classes of `scene_labels`, in painting order: sky with sun and clouds, both ridges, both
# hills, the lake, tree trunks and crowns.
LABEL_CLASSES = ("sky", "mountain", "hill", "lake", "tree")
# Flat colours of `label_images`, chosen unlike the scenes' own (no blue sky or water, no
# green or grey ground, no brown or green trees), so a label map never passes for a scene.
LABEL_COLOURS = np.array([
    (250, 130, 20),  # sky: orange
    (240, 0, 220),  # mountain: magenta
    (250, 230, 0),  # hill: yellow
    (200, 0, 30),  # lake: red
    (255, 160, 200),  # tree: pink
], np.uint8)
_SKY, _MOUNTAIN, _HILL, _LAKE, _TREE = range(len(LABEL_CLASSES))

# Colours before the per-scene jitter. `shadow` multiplies faces turned from the light.
_PALETTES = {
    "summer": {
        "sky_top": (0.20, 0.42, 0.82), "sky_low": (0.60, 0.76, 0.94), "sun": (1.0, 0.88, 0.45),
        "cloud": (0.97, 0.97, 0.96), "rock": (0.32, 0.30, 0.29), "foot": (0.16, 0.31, 0.15),
        "far_hill": (0.36, 0.58, 0.22), "near_hill": (0.27, 0.55, 0.13),
        "lake": (0.16, 0.38, 0.70), "conifer": (0.08, 0.30, 0.10), "leaves": (0.22, 0.50, 0.12),
        "trunk": (0.36, 0.23, 0.12), "snow": (0.93, 0.95, 0.98), "shadow": (0.70, 0.68, 0.60),
        "light": (1.06, 1.0, 0.86),
    },
    "winter": {
        "sky_top": (0.58, 0.62, 0.70), "sky_low": (0.84, 0.86, 0.90), "sun": (0.97, 0.97, 0.94),
        "cloud": (0.78, 0.79, 0.82), "rock": (0.36, 0.38, 0.44), "foot": (0.50, 0.54, 0.62),
        "far_hill": (0.86, 0.89, 0.94), "near_hill": (0.93, 0.94, 0.97),
        "lake": (0.70, 0.78, 0.86), "conifer": (0.10, 0.22, 0.16), "leaves": (0.46, 0.41, 0.38),
        "trunk": (0.28, 0.22, 0.18), "snow": (0.93, 0.95, 0.98), "shadow": (0.70, 0.78, 0.96),
        "light": (0.96, 0.98, 1.04),
    },
}
# (low, high) per scene: snow line as a fraction of the mountain height, snow on trees,
# snowflake density, sun glow, texture grain.
_AMOUNTS = {
    "summer": {"snow_line": (0.0, 0.0), "tree_snow": (0.0, 0.0), "flakes": (0.0, 0.0),
               "glow": (0.3, 0.45), "grain": (0.05, 0.08)},
    "winter": {"snow_line": (0.35, 0.75), "tree_snow": (0.8, 0.95), "flakes": (0.01, 0.04),
               "glow": (0.08, 0.15), "grain": (0.015, 0.03)},
}


# Columns of `scene_attributes`. Lengths and positions are in unit coordinates (image
# height 1, y pointing down); ridge heights are above the horizon, over the ridge's
# control points. An absent sun, near ridge or lake, or a scene without trees, has 0 in
# the columns that describe it.
ATTRIBUTE_NAMES = (
    "season",  # 0 summer, 1 winter
    "horizon",  # y of the horizon
    "sun", "sun_x", "sun_y", "sun_radius",  # sun: 1 if there is one
    "clouds",  # 0, 1 or 2
    "one_ridge",  # 1 if the near ridge is absent
    "far_ridge_mean_height", "far_ridge_max_height",
    "near_ridge_mean_height", "near_ridge_max_height",
    "lake", "lake_x", "lake_y", "lake_radius_x", "lake_radius_y",  # lake: 1 if there is one
    "trees", "conifer_share", "tree_mean_x",  # count 0-5, share of conifers, mean x
    # The season's style amounts: snow line (fraction of the mountain height), snow on
    # trees, snowflake density, sun glow, texture grain, and the brightness that scales
    # every palette colour.
    "snow_line", "tree_snow", "flakes", "glow", "grain", "brightness",
)


def generate_scenes(count, size, season, seed):
    """Synthetic landscapes: uint8 `[count, size, size, 3]`, `season` "summer" or "winter"."""
    layout, style, rng = _scene_draws(count, season, seed)
    return _in_chunks(np.empty((count, size, size, 3), np.uint8), size,
                      lambda lay, sty: _render(lay, sty, size, rng), layout, style)


def scene_labels(count, size, seed):
    """Class ids (indices into `LABEL_CLASSES`) of every pixel that
    `generate_scenes(count, size, season, seed)` paints, for either season: uint8
    `[count, size, size]`; a pixel belongs to the topmost layer covering more than half
    of it (snowflakes aside)."""
    layout = _layout(np.random.default_rng([seed, 0]), count)
    return _in_chunks(np.empty((count, size, size), np.uint8), size,
                      lambda lay: _labels(lay, size), layout)


def label_images(labels):
    """Class ids `[..., H, W]` as flat-colour uint8 RGB label maps `[..., H, W, 3]`
    (`LABEL_COLOURS`)."""
    return LABEL_COLOURS[labels]


def _in_chunks(out, size, draw, *tables):
    """Fills `out` chunk by chunk with `draw` of the tables' matching rows; small chunks
    keep the working arrays in cache."""
    step = max(1, 2**16 // (size * size))
    for start in range(0, len(out), step):
        part = slice(start, start + step)
        out[part] = draw(*({k: v[part] for k, v in table.items()} for table in tables))
    return out


def scene_attributes(count, seed, season):
    """What `generate_scenes(count, size, season, seed)` draws, at any `size`: float32
    `[count, len(ATTRIBUTE_NAMES)]`, one row per scene, columns as in `ATTRIBUTE_NAMES`."""
    lay, sty, _ = _scene_draws(count, season, seed)
    sun = lay["sun_xyr"][:, 2] > 0
    clouds = (lay["blob_radius"].reshape(count, 2, 4)[:, :, 0] > 0).sum(1)
    heights = lay["horizon"][:, None, None] - lay["ridges"]  # (count, 2 ridges, points)
    one_ridge = (lay["ridges"][:, 1] == 2.0).all(1)
    heights[:, 1][one_ridge] = 0.0
    lake = lay["lake_xyrr"][:, 3] > 0
    on = lay["tree_on"]
    trees = on.sum(1)
    per_tree = np.maximum(trees, 1)
    amounts = [sty[name].reshape(count)
               for name in ("snow_line", "tree_snow", "flakes", "glow", "grain", "brightness")]
    columns = [
        np.full(count, SEASONS.index(season)), lay["horizon"],
        sun, *np.where(sun[:, None], lay["sun_xyr"], 0.0).T, clouds, one_ridge,
        heights[:, 0].mean(1), heights[:, 0].max(1), heights[:, 1].mean(1), heights[:, 1].max(1),
        lake, *np.where(lake[:, None], lay["lake_xyrr"], 0.0).T,
        trees, (on & lay["conifer"]).sum(1) / per_tree, (lay["tree_x"] * on).sum(1) / per_tree,
        *amounts,
    ]
    return np.stack(columns, 1).astype(np.float32)


def _scene_draws(count, season, seed):
    """Layout and style of `count` scenes, and the style stream where rendering goes on."""
    if season not in SEASONS:
        raise ValueError(f"season must be one of {SEASONS}, got {season!r}")
    layout = _layout(np.random.default_rng([seed, 0]), count)
    rng = np.random.default_rng([seed, 1 + SEASONS.index(season)])
    return layout, _style(rng, count, season), rng


def _layout(rng, n):
    """Season-free scene geometry in unit coordinates, y pointing down."""
    u = rng.uniform
    horizon = u(0.52, 0.7, n)
    sun = rng.random(n) < 0.5
    clouds = np.where(sun, rng.integers(0, 2, n), rng.integers(1, 3, n))
    centres = np.stack([u(0.0, 1.0, (n, 2)), u(0.06, 0.3, (n, 2))], -1)[:, :, None]
    blobs = centres + np.stack([u(-0.12, 0.12, (n, 2, 4)), u(-0.02, 0.02, (n, 2, 4))], -1)
    blob_radius = u(0.03, 0.07, (n, 2, 4)) * (np.arange(2) < clouds[:, None])[..., None]
    # Ridge profiles: the highest of three triangular peaks plus jitter at the control points.
    grid = np.linspace(0.0, 1.0, _RIDGE_POINTS + 1)
    peak_x = u(-0.1, 1.1, (n, 2, 3, 1))
    peak_h = u(0.12, 0.35, (n, 2, 3, 1)) * np.array([1.0, 0.55])[:, None, None]
    peak_w = u(0.12, 0.35, (n, 2, 3, 1))
    height = (peak_h * np.clip(1 - np.abs(grid - peak_x) / peak_w, 0, 1)).max(2)
    height += u(0.03, 0.1, (n, 2, 1)) + rng.normal(0.0, 0.012, (n, 2, _RIDGE_POINTS + 1))
    ridges = horizon[:, None, None] - height
    ridges[:, 1][rng.random(n) < 0.5] = 2.0  # one ridge only: the near one sinks off-screen
    depth = u(0.0, 1.0, (n, _TREES))
    tree_h = u(0.1, 0.2, (n, _TREES)) * (1 + 0.8 * depth)
    # A negative sun radius means no sun, a zero lake y radius no lake.
    layout = {
        "horizon": horizon,
        "sun_xyr": np.stack([u(0.1, 0.9, n), u(0.08, 0.3, n),
                             np.where(sun, u(0.035, 0.07, n), -1.0)], -1),
        "blobs": blobs.reshape(n, 8, 2), "blob_radius": blob_radius.reshape(n, 8),
        "ridges": ridges,
        "snow_wiggle": u(0.0, 2 * np.pi, n),
        "hill_amp": u(0.01, 0.04, (n, 2, 2)), "hill_freq": u(0.4, 2.2, (n, 2, 2)),
        "hill_phase": u(0.0, 2 * np.pi, (n, 2, 2)),
        "lake_xyrr": np.stack([u(0.2, 0.8, n), horizon + u(0.15, 0.22, n), u(0.12, 0.28, n),
                               np.where(rng.random(n) < 0.4, u(0.03, 0.06, n), 0.0)], -1),
        "tree_on": np.arange(_TREES) < rng.integers(0, _TREES, (n, 1)),
        "conifer": rng.random((n, _TREES)) < 0.6, "tree_x": u(0.03, 0.97, (n, _TREES)),
        "tree_h": tree_h, "tree_w": tree_h * u(0.22, 0.35, (n, _TREES)),
    }
    ground = _hill_line(layout, 1, layout["tree_x"])
    layout["tree_base"] = ground + 0.01 + depth * np.maximum(0.98 - ground, 0)
    # Paint far trees first: sort the slots by base, switched-off slots in front of the queue.
    order = np.argsort(np.where(layout["tree_on"], layout["tree_base"], -1.0), axis=1)
    for key in ("tree_on", "conifer", "tree_x", "tree_h", "tree_w", "tree_base"):
        layout[key] = np.take_along_axis(layout[key], order, 1)
    return {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in layout.items()}


def _style(rng, n, season):
    """Per-scene season colours `[n, 3, 1, 1]`, amounts `[n, 1, 1]` and the `brightness`
    `[n, 1, 1, 1]` already folded into the colours (kept for `scene_attributes`)."""
    brightness = rng.uniform(0.93, 1.07, (n, 1, 1, 1))
    style = {name: np.clip(np.array(rgb)[:, None, None] * brightness
                           * rng.normal(1.0, 0.02, (n, 3, 1, 1)), 0, 1.1)
             for name, rgb in _PALETTES[season].items()}
    style.update({name: rng.uniform(low, high, (n, 1, 1))
                  for name, (low, high) in _AMOUNTS[season].items()})
    style["brightness"] = brightness
    return {k: v.astype(np.float32) for k, v in style.items()}


def _hill_line(layout, k, x):
    """Ground line of hill `k` (0 far, 1 near) at positions `x` `[n, m]`, as `[n, m]`."""
    amp, freq, phase = (layout[key][:, k, :, None] for key in ("hill_amp", "hill_freq",
                                                                "hill_phase"))
    waves = (amp * np.sin(2 * np.pi * freq * x[:, None] + phase)).sum(1)
    return layout["horizon"][:, None] + _HILL_OFFSET[k] + waves


def _blend(target, alpha, value):
    target += alpha * (value - target)


def _below(line, y, size):
    """Antialiased coverage `[n, H, W]` of the pixels below `line` `[n, W]`."""
    return np.clip(y * size + 0.5 - line[:, None] * size, 0, 1)


def _grid(size):
    """Pixel centres in unit coordinates: x `(1, 1, W)`, y `(1, H, 1)`."""
    c = (np.arange(size, dtype=np.float32) + 0.5) / size
    return c[None, None, :], c[None, :, None]


def _labels(lay, size):
    """`scene_labels` of one chunk: each layer's coverage as `_render` paints it."""
    x, y = _grid(size)
    labels = np.full((len(lay["horizon"]), size, size), _SKY, np.uint8)
    for r in range(2):
        labels[_below(_ridge_line(lay["ridges"][:, r], x), y, size) > 0.5] = _MOUNTAIN
    for k in range(2):
        _, ground = _hill_cover(lay, k, x, y, size)
        labels[ground > 0.5] = _HILL
    lake, _ = _lake_cover(lay, ground, x, y, size)  # in the near hill
    labels[lake > 0.5] = _LAKE
    labels[_tree_paint(lay, x, y, size) > 0] = _TREE
    return labels


def _render(lay, sty, size, rng):
    n = len(lay["horizon"])
    x, y = _grid(size)
    # Channels first: broadcasting over a last axis of 3 would make NumPy's inner loops tiny.
    image = np.empty((n, 3, size, size), np.float32)
    sky = np.clip(y / lay["horizon"][:, None, None], 0, 1)[:, None]
    image[:] = sty["sky_top"] + sky * (sty["sky_low"] - sty["sky_top"])
    _sky_lights(image, lay, sty, x, y, size)
    # Shadow strength and texture grain of whatever layer is on top, applied once at the end.
    shade = np.zeros((n, size, size), np.float32)
    grain = np.zeros((n, size, size), np.float32)
    _terrain(image, shade, grain, lay, sty, x, y, size)
    image *= 1 + shade[:, None] * (sty["shadow"] - 1)
    _trees(image, grain, lay, sty, x, y, size)
    scene, row, col = np.nonzero(rng.random((n, size, size), dtype=np.float32) < sty["flakes"])
    image[scene, :, row, col] += 0.85 * (1 - image[scene, :, row, col])
    image *= sty["light"] * 255
    grain += 0.02  # plain pixel noise everywhere, on top of the texture
    grain *= rng.standard_normal((n, size, size), dtype=np.float32) * 255
    image += grain[:, None]
    image = np.rint(np.clip(image, 0, 255, out=image), out=image).astype(np.uint8)
    return image.transpose(0, 2, 3, 1)


def _sky_lights(image, lay, sty, x, y, size):
    sx, sy, radius = (lay["sun_xyr"][:, i, None, None] for i in range(3))
    distance2 = (x - sx) ** 2 + (y - sy) ** 2
    glow = np.exp(distance2 / (-16 * radius**2)) * (sty["glow"] * (radius > 0))
    disk = np.clip((radius - np.sqrt(distance2)) * size + 0.5, 0, 1)
    _blend(image, np.maximum(glow, disk)[:, None], sty["sun"])
    cloud = np.full(distance2.shape, np.inf, np.float32)
    for b in range(lay["blobs"].shape[1]):
        bx, by = (lay["blobs"][:, b, i, None, None] for i in range(2))
        r2 = np.maximum(lay["blob_radius"][:, b, None, None], 1e-4) ** 2
        np.minimum(cloud, (x - bx) ** 2 / r2 + ((y - by) / 0.6) ** 2 / r2, out=cloud)
    _blend(image, np.clip(3 * (1 - cloud), 0, 1)[:, None], sty["cloud"])


def _terrain(image, shade, grain, lay, sty, x, y, size):
    horizon = lay["horizon"][:, None, None]
    snowy = sty["snow_line"] > 0
    for r, haze in ((0, 0.3), (1, 0.1)):
        ridge = lay["ridges"][:, r]
        top = _ridge_line(ridge, x)  # (n, W)
        peak = ridge.min(1)[:, None, None]
        height = np.clip((y - peak) / (horizon - peak), 0, 1)  # 0 at the summit, 1 at the foot
        rock = sty["rock"] + height[:, None] * (sty["foot"] - sty["rock"])
        # Snow down to a wiggly line at a fixed altitude, plus a dusting along the ridge.
        line = sty["snow_line"] + 0.06 * np.sin(14 * np.pi * x + lay["snow_wiggle"][:, None, None])
        snow = snowy & ((height < line) | (y < top[:, None] + 1.5 / size))
        # Aerial perspective: the far ridge fades towards the horizon sky.
        rock, white = (c + haze * (sty["sky_low"] - c) for c in (rock, sty["snow"]))
        colour = np.where(snow[:, None], white, rock)
        _layer(image, shade, grain, _below(top, y, size), colour, top, size, sty["grain"])
    for k, name in ((0, "far_hill"), (1, "near_hill")):
        line, ground = _hill_cover(lay, k, x, y, size)
        colour = sty[name] * (1 - 0.25 * np.clip(y - horizon, 0, 1))[:, None]
        _layer(image, shade, grain, ground, colour, 3 * line, size, sty["grain"])
    lake, shine = _lake_cover(lay, ground, x, y, size)  # in the near hill
    _blend(image, lake[:, None],
           sty["lake"] + 0.4 * shine[:, None] * (sty["sky_low"] - sty["lake"]))
    shade[lake > 0.5] = 0.0
    grain[lake > 0.5] = 0.0


def _ridge_line(ridge, x):
    """Top edge `[n, W]` of a ridge with control points `ridge` `[n, _RIDGE_POINTS + 1]`,
    at the pixel columns of `x` `(1, 1, W)`."""
    positions = x[0, 0] * _RIDGE_POINTS
    left = np.minimum(positions.astype(int), _RIDGE_POINTS - 1)
    frac = (positions - left).astype(np.float32)
    return ridge[:, left] * (1 - frac) + ridge[:, left + 1] * frac


def _hill_cover(lay, k, x, y, size):
    """Ground line `[n, W]` of hill `k` (0 far, 1 near) and its coverage `[n, H, W]`."""
    line = _hill_line(lay, k, np.broadcast_to(x[0], (len(lay["horizon"]), x.shape[-1])))
    return line, _below(line, y, size)


def _lake_cover(lay, ground, x, y, size):
    """Lake coverage `[n, H, W]` (zero where there is no lake), inside the near hill's
    coverage `ground`, and the sky's reflection on it, 1 at the far shore."""
    lx, ly, rx, ry = (lay["lake_xyrr"][:, i, None, None] for i in range(4))
    has_lake, ry = ry > 0, np.maximum(ry, np.float32(1e-3))
    radius = np.sqrt(((x - lx) / rx) ** 2 + ((y - ly) / ry) ** 2)
    lake = ground * (has_lake * np.clip((1 - radius) * ry * size + 0.5, 0, 1))
    return lake, np.clip(1 - (y - ly + ry) / (2 * ry), 0, 1)


def _layer(image, shade, grain, alpha, colour, edge, size, texture):
    """Paints one terrain layer; faces where `edge` descends to the right are in shadow."""
    _blend(image, alpha[:, None], colour)
    covered = alpha > 0.5
    slope = np.gradient(edge, axis=1)[:, None] * size
    np.copyto(shade, np.clip(0.5 + slope, 0, 1), where=covered)
    np.copyto(grain, texture, where=covered)


def _trees(image, grain, lay, sty, x, y, size):
    paint = _tree_paint(lay, x, y, size)
    snow = sty["tree_snow"][..., None]
    conifer, leaves = sty["conifer"], sty["leaves"]
    table = np.stack([np.zeros_like(conifer), sty["trunk"], conifer, leaves,
                      conifer + snow * (sty["snow"] - conifer),
                      leaves + snow * (sty["snow"] - leaves)], 1)[..., 0, 0]  # (n, 6, 3)
    scene, row, col = np.nonzero(paint)
    image[scene, :, row, col] = table[scene, paint[scene, row, col]]
    grain[scene, row, col] = 0.0


def _tree_paint(lay, x, y, size):
    """What the trees paint, later trees over earlier ones, as int8 `[n, H, W]`: 0 nothing,
    1 trunk, 2/3 conifer/leaves, 4/5 the same snowy."""
    paint = np.zeros((len(lay["horizon"]), size, size), np.int8)
    for t in range(_TREES):
        tx, height, width, base = (lay[key][:, t, None, None]
                                   for key in ("tree_x", "tree_h", "tree_w", "tree_base"))
        on, conifer = lay["tree_on"][:, t, None, None], lay["conifer"][:, t, None, None]
        top, dx = base - height, np.abs(x - tx)
        # Crown half-width per row (negative: no crown in this row), compared with |x - tx|.
        along = (y - top) / (0.85 * height)  # 0 at the tip, 1 at the lowest branches
        tiers = (along * 3) % 1
        cone = np.where((along >= 0) & (along <= 1), width * along * (0.6 + 0.4 * tiers), _NO)
        centre, ry = top + 0.4 * height, 0.4 * height
        bulb = width * np.sqrt(np.clip(1 - ((y - centre) / ry) ** 2, 0, None))
        bulb = np.where(np.abs(y - centre) <= ry, bulb, _NO)
        reach = np.where(on, np.where(conifer, cone, bulb), _NO)
        label = np.where(conifer, 2, 3) + 2 * np.where(conifer, tiers < 0.4, y < centre)
        rows = on & (y >= top + 0.7 * height) & (y <= base)
        np.copyto(paint, 1, where=rows & (dx <= np.maximum(0.12 * width, 0.6 / size)))
        np.copyto(paint, label, where=dx <= reach, casting="unsafe")
    return paint
