"""Paired images for pix2pix (Isola et al. 2017, https://arxiv.org/abs/1611.07004): a
folder in the official pix2pix format, or the offline synthetic labels→scenes pairs.

The official format (facades, maps, cityscapes, edges2shoes, ...) is `<root>/train/`,
optional `<root>/val/` and `<root>/test/`, each holding JPEG/PNG images with A on the
left half and B on the right. As the official `AlignedDataset`, each image is split at
`width // 2` and both halves resized with bicubic interpolation: train pairs to
`load_size`, test and val pairs to `crop_size`. The random crop and flip of training
(`paired_jitter`, the same for both halves) belongs to the training pipeline.
"""

import dataclasses
import os

import numpy as np
import tensorflow as tf

from dlx_tf.data.image_files import MAX_PIXELS, decode_rgb, readable_images, resize_square
from dlx_tf.data.synthetic.seasons import (
    LABEL_CLASSES,
    generate_scenes,
    label_images,
    scene_labels,
)
from dlx_tf.data.unpaired_images import domain_names, random_jitter
from dlx_tf.errors import DataError, UsageError

DIRECTIONS = ("AtoB", "BtoA")
LAYOUT = ("train/ [val/] test/ folders of JPEG/PNG images with A on the left half and B on "
          "the right (the official pix2pix format)")
# Halves of the official pix2pix datasets, left (A) and right (B); `x2y` names say so.
_KNOWN_DOMAINS = {"facades": ("photo", "labels"), "cityscapes": ("photo", "labels"),
                  "maps": ("aerial", "map")}


@dataclasses.dataclass(frozen=True)
class PairedImages:
    """Unbatched `(input, target)` pairs of uint8 RGB images: train `[load_size, load_size,
    3]`, test and val `[crop_size, crop_size, 3]`, and `info` (`pair_info`). `test_labels`
    holds the uint8 class ids `[test, crop_size, crop_size]` of the test pairs where the
    data know them (the synthetic scenes, classes `info["label_classes"]`); `val` is None
    without a separate val/ folder (a lone val/ folder is the test split)."""

    train: tf.data.Dataset
    test: tf.data.Dataset
    info: dict
    test_labels: np.ndarray | None = None
    val: tf.data.Dataset | None = None


def load_paired(source, load_size, crop_size, direction="AtoB", seed=0,
                synthetic_counts=(400, 100), max_pixels=MAX_PIXELS):
    """Loads `synthetic` (labels→scenes, generated offline and seeded; `synthetic_counts`
    train and test pairs) or a folder in the official pix2pix format, whose images of
    more than `max_pixels` pixels, of odd width or unreadable are skipped and reported.
    `direction` "AtoB" makes A the input and B the target, "BtoA" the reverse."""
    if direction not in DIRECTIONS:
        raise UsageError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if crop_size > load_size:
        raise UsageError(f"crop_size {crop_size} is larger than load_size {load_size}")
    if source == "synthetic":
        return _synthetic(load_size, crop_size, direction, seed, synthetic_counts)
    if os.path.isdir(os.path.expanduser(source)):
        return _from_directory(source, load_size, crop_size, direction, max_pixels)
    raise DataError(f"--data {source}: no such directory, and no tfds dataset ships "
                    f"pix2pix's A|B pairs (expected synthetic, or a folder of {LAYOUT})")


def paired_jitter(inputs, targets, crop_size, seed):
    """The same random `crop_size` crop and horizontal flip of both uint8 `[H, W, 3]`
    halves of a pair, from one `[2]` int64 stateless seed: `(inputs, targets)`."""
    both = random_jitter(tf.concat([inputs, targets], -1), crop_size, seed)  # (crop, crop, 6)
    return both[..., :3], both[..., 3:]


def pair_info(source, synthetic, direction, domains, counts, skipped=()):
    """The `info` of a `PairedImages`: source, synthetic, direction, the domain names of A
    and B and of the input and target, `train`/`val`/`test` counts, skipped files."""
    inputs, targets = domains if direction == "AtoB" else domains[::-1]
    return {
        "source": source,
        "synthetic": synthetic,
        "direction": direction,
        "domain_a": domains[0],
        "domain_b": domains[1],
        "input_domain": inputs,
        "target_domain": targets,
        **{split: int(counts.get(split, 0)) for split in ("train", "val", "test")},
        "skipped_files": list(skipped),
    }


def _ordered(a, b, direction):
    return (a, b) if direction == "AtoB" else (b, a)


def _synthetic(load_size, crop_size, direction, seed, counts):
    splits, labels = [], []
    for offset, (count, size) in enumerate(zip(counts, (load_size, crop_size))):
        # Separate seeds per split: no scene layout is shared between train and test.
        split_seed = seed * 2 + offset
        labels.append(scene_labels(count, size, split_seed))
        scenes = generate_scenes(count, size, "summer", split_seed)
        splits.append(tf.data.Dataset.from_tensor_slices(
            _ordered(label_images(labels[-1]), scenes, direction)))
    source = ("synthetic labels→scenes (procedural summer scenes and their class maps, "
              "dlx_tf.data.synthetic.seasons)")
    info = pair_info(source, True, direction, ("labels", "scenes"),
                     {"train": counts[0], "test": counts[1]})
    info["label_classes"] = list(LABEL_CLASSES)
    return PairedImages(splits[0], splits[1], info, test_labels=labels[1])


def _from_directory(root, load_size, crop_size, direction, max_pixels):
    folder = os.path.abspath(os.path.expanduser(root))
    skipped, paths = [], {}
    for split in ("train", "val", "test"):
        if os.path.isdir(os.path.join(folder, split)):
            paths[split] = readable_images(os.path.join(folder, split), skipped, max_pixels,
                                            _odd_width)
    test_from = "val" if "val" in paths and "test" not in paths else "test"
    if "test" not in paths and "val" in paths:
        print(f"{folder} has no test/ folder: its val/ pairs are the test split")
        paths["test"] = paths.pop("val")
    for split, place in (("train", "train"), ("test", test_from), ("val", "val")):
        if split not in paths and split != "val":
            raise DataError(f"--data {root}: missing folder {os.path.join(folder, place)} "
                            f"(expected {LAYOUT})")
        if split in paths and not paths[split]:
            raise DataError(f"--data {root}: no readable A|B image in "
                            f"{os.path.join(folder, place)} (expected {LAYOUT})")
    sizes = {"train": load_size, "val": crop_size, "test": crop_size}
    splits = {split: tf.data.Dataset.from_tensor_slices(files).map(
        lambda path, s=sizes[split]: _ordered(*_halves(path, s), direction),
        num_parallel_calls=tf.data.AUTOTUNE) for split, files in paths.items()}
    name = os.path.basename(os.path.normpath(folder))
    info = pair_info(folder, False, direction, _KNOWN_DOMAINS.get(name.lower(), domain_names(name)),
                     {split: len(files) for split, files in paths.items()}, skipped)
    info["test_from"] = test_from
    return PairedImages(splits["train"], splits["test"], info, val=splits.get("val"))


def _odd_width(width, height):
    if width % 2:
        return f"width {width} is odd (expected A|B side by side, an even width)"
    return None


def _halves(path, size):
    """The A (left) and B (right) halves of an A|B image, each resized to `size`²."""
    image = decode_rgb(tf.io.read_file(path))
    half = tf.shape(image)[1] // 2
    return (resize_square(image[:, :half], size, "bicubic"),
            resize_square(image[:, half:], size, "bicubic"))
