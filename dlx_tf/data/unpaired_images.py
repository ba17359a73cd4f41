"""Unpaired two-domain images for CycleGAN: tfds `cycle_gan/<pair>`, a folder laid out as
`trainA/ trainB/ testA/ testB/`, or the offline synthetic seasons.

Train images come resized to `load_size`, test images to `crop_size`; the random
crop and flip of training (`random_jitter`) belongs to the training pipeline, which
draws stateless seeds for it.
"""

import dataclasses
import os
import re

import tensorflow as tf

from dlx_tf.data.image_files import MAX_PIXELS, decode_rgb, readable_images, resize_square
from dlx_tf.data.synthetic.seasons import generate_scenes
from dlx_tf.data.tfds_source import prepared, tfds_builder
from dlx_tf.errors import DataError, UsageError

SPLITS = ("trainA", "trainB", "testA", "testB")
LAYOUT = "trainA/ trainB/ testA/ testB/ folders of JPEG/PNG files"


@dataclasses.dataclass(frozen=True)
class UnpairedImages:
    """Unbatched uint8 RGB datasets: train `[load_size, load_size, 3]`, test
    `[crop_size, crop_size, 3]`, and `info` (source, synthetic, domain names, counts,
    skipped files). Where the data know them (the synthetic seasons), `answers_a` holds
    each test A image as it looks in domain B, and `answers_b` each test B image in A;
    None for real, unpaired data."""

    train_a: tf.data.Dataset
    train_b: tf.data.Dataset
    test_a: tf.data.Dataset
    test_b: tf.data.Dataset
    info: dict
    answers_a: tf.data.Dataset | None = None
    answers_b: tf.data.Dataset | None = None


def load_unpaired(source, load_size, crop_size, seed=0, synthetic_counts=(600, 600, 100, 100),
                  max_pixels=MAX_PIXELS):
    """Loads `synthetic` (generated offline, seeded), a tfds `cycle_gan` config such as
    `summer2winter_yosemite`, `cycle_gan/horse2zebra` or `tfds:cycle_gan/horse2zebra`, or a
    directory with the layout `trainA/ trainB/ testA/ testB/`, whose images of more than
    `max_pixels` pixels are skipped and reported before they are decoded."""
    if crop_size > load_size:
        raise UsageError(f"crop_size {crop_size} is larger than load_size {load_size}")
    sizes = (load_size, load_size, crop_size, crop_size)
    if source == "synthetic":
        return _synthetic(sizes, seed, synthetic_counts)
    if not source.startswith("tfds:") and os.path.isdir(os.path.expanduser(source)):
        return _from_directory(source, sizes, max_pixels)
    name = source.removeprefix("tfds:")
    if source.startswith("tfds:") or re.fullmatch(r"(cycle_gan/)?[\w.:-]+", name):
        return _from_tfds(name, sizes)
    raise DataError(f"--data {source}: no such directory (expected {LAYOUT}), and not a "
                    "tfds cycle_gan config")


def random_jitter(image, crop_size, seed):
    """The CycleGAN `resize_and_crop` train transform after its resize: a random
    `crop_size` square crop and a random horizontal flip of one uint8 `[H, W, C]` image,
    from a `[2]` int64 stateless seed."""
    crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    size = [crop_size, crop_size, image.shape[-1] or tf.shape(image)[-1]]
    image = tf.image.stateless_random_crop(image, size, crop_seed)
    return tf.image.stateless_random_flip_left_right(image, flip_seed)


def to_unit_range(image):
    """uint8 `[0, 255]` to float32 `[-1, 1]`."""
    return tf.cast(image, tf.float32) / 127.5 - 1.0


def from_unit_range(image):
    """float `[-1, 1]` to uint8, rounded and clipped."""
    image = (tf.cast(image, tf.float32) + 1.0) * 127.5
    return tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)


def _synthetic(sizes, seed, counts):
    seasons = ("summer", "winter") * 2
    splits = []
    for offset, (count, size, season) in enumerate(zip(counts, sizes, seasons)):
        # Separate seeds per split: no scene layout is shared between splits or domains.
        images = generate_scenes(count, size, season, seed=seed * 4 + offset)
        splits.append(tf.data.Dataset.from_tensor_slices(images))
    # A seed draws the same layouts in either season: the test splits' known answers.
    answers = [tf.data.Dataset.from_tensor_slices(
        generate_scenes(counts[offset], sizes[offset], seasons[offset - 1], seed=seed * 4 + offset))
        for offset in (2, 3)]
    source = "synthetic seasons (procedural scenes, dlx_tf.data.synthetic.seasons)"
    return UnpairedImages(*splits, info=_info(source, True, ("summer", "winter"), counts),
                          answers_a=answers[0], answers_b=answers[1])


def _from_tfds(name, sizes):
    import tensorflow_datasets as tfds

    dataset, _, config = name.rpartition("/")
    configs = [c.name for c in tfds.builder_cls("cycle_gan").BUILDER_CONFIGS]
    if dataset not in ("", "cycle_gan") or config.partition(":")[0] not in configs:
        raise DataError(f"--data {name}: not a tfds cycle_gan config (expected one of "
                        f"{', '.join(configs)}, or a directory of {LAYOUT})")
    also = f"synthetic or a folder of {LAYOUT}"
    builder = prepared(tfds_builder(f"cycle_gan/{config}", also), name, also)
    splits = [_counted(ds).map(lambda example, s=size: resize_square(example["image"], s),
                               num_parallel_calls=tf.data.AUTOTUNE)
              for ds, size in zip(builder.as_dataset(split=list(SPLITS)), sizes)]
    counts = [int(ds.cardinality()) for ds in splits]
    source = f"tfds:cycle_gan/{config}"
    return UnpairedImages(*splits, info=_info(source, False, domain_names(config), counts))


def _counted(dataset):
    if dataset.cardinality() >= 0:
        return dataset
    # Without split metadata tfds cannot say how many; count once so epochs can be planned.
    count = dataset.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1)
    return dataset.apply(tf.data.experimental.assert_cardinality(count))


def _from_directory(root, sizes, max_pixels):
    folder = os.path.expanduser(root)
    missing = [f"{split}/" for split in SPLITS if not os.path.isdir(os.path.join(folder, split))]
    if missing:
        raise DataError(f"--data {root}: missing folder {', '.join(missing)} (expected {LAYOUT})")
    splits, counts, skipped = [], [], []
    for split, size in zip(SPLITS, sizes):
        paths = readable_images(os.path.join(folder, split), skipped, max_pixels)
        if not paths:
            raise DataError(f"--data {root}: {split}/ holds no readable JPEG/PNG image "
                            f"(expected {LAYOUT})")
        dataset = tf.data.Dataset.from_tensor_slices(paths)
        splits.append(dataset.map(
            lambda path, s=size: resize_square(decode_rgb(tf.io.read_file(path)), s),
            num_parallel_calls=tf.data.AUTOTUNE))
        counts.append(len(paths))
    name = os.path.basename(os.path.normpath(os.path.abspath(folder)))
    info = _info(os.path.abspath(folder), False, domain_names(name), counts, skipped)
    return UnpairedImages(*splits, info=info)


def domain_names(name):
    """`summer2winter_yosemite` names its domains `summer` and `winter`; others are A and B."""
    match = re.fullmatch(r"([a-z]+)2([a-z]+)(_\w+)?", name.lower())
    return match.groups()[:2] if match else ("A", "B")


def _info(source, synthetic, domains, counts, skipped=()):
    return {
        "source": source,
        "synthetic": synthetic,
        "domain_a": domains[0],
        "domain_b": domains[1],
        **{key: int(count) for key, count in zip(("train_a", "train_b", "test_a", "test_b"),
                                                  counts)},
        "skipped_files": list(skipped),
    }
