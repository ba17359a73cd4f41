"""Feature spaces for realism and diversity metrics of generated images (KID,
precision/recall, ...), none of them trained only to tell the domains or classes apart.

A domain or class judge gives confident labels to blobs and noise, so metrics in its
space can read "learned" over garbage. Each space here also sees what varies within a
domain:
- `attribute_feature_space`, for synthetic data: a small CNN trained on the real images
  to predict their class and every attribute the generator drew for them.
- `inception_feature_space`, for real data: Inception-v3 pool features with ImageNet
  weights, the space KID and FID were defined in.
- `texture_statistics_space`, for real data without ImageNet weights: colour moments and
  oriented filter energies, with no training at all.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from dlx_tf.errors import UsageError
from dlx_tf.evaluation.attribute_net import AttributeNet

BATCH_SIZE = 128  # images embedded at once
INCEPTION_SIZE = 299
# What Keras downloads for weights="imagenet" (include_top=False), to fetch by hand offline.
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
_TRAIN_BATCH = 64
_LEARNING_RATE = 2e-3
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601 grey
_TEXTURE_SCALES = 3


class FeatureSpace:
    """Maps float32 images in [-1, 1] `[n, h, w, 3]` to features `[n, d]`, embedding
    `BATCH_SIZE` images at a time so thousands fit in memory.

    Args:
        name: short name for run.json keys and figure captions.
        description: one sentence for run.json and the README: what the features are and
            where their weights came from.
        embed: function from a NumPy batch `[b, h, w, 3]` to NumPy features `[b, d]`.
        network: the Keras model behind the features, if any.

    Example:
    ```python
    space = texture_statistics_space()
    features = space(images)  # (n, 26)
    metrics[f"kid_{space.name}"] = kernel_inception_distance(space(real), features)[0]
    ```
    """

    def __init__(self, name, description, embed, network=None):
        self.name = name
        self.description = description
        self.embed = embed
        self.network = network

    def __call__(self, images):
        images = _unit_images(images)
        # An empty request embeds one empty batch, so it still has the features' width.
        return np.concatenate([self.embed(images[start:start + BATCH_SIZE])
                               for start in range(0, max(len(images), 1), BATCH_SIZE)])


def attribute_feature_space(images, labels, attributes, attribute_mask=None, *, seed,
                            epochs=15, image_size=None, name="synthetic_attributes"):
    """Trains an `AttributeNet` on real images of a synthetic generator and returns its
    128-d feature layer as a `FeatureSpace` (`network` is the trained net).

    The net classifies `labels` and regresses each attribute standardised within each
    class, so it learns what varies inside a class; masked-out attributes and those
    constant within a class take no part. Weights and batch order follow `seed`, so the
    same call gives the same features. 3,000 32×32 images train in about 10 s on 2 CPU
    cores.

    Args:
        images: float32 `[n, h, w, 3]` in [-1, 1], of any size.
        labels: integer classes `[n]`, e.g. the season of a scene or a CIFAR class.
        attributes: float `[n, k]`, what the generator drew for each image.
        attribute_mask: bool `[n, k]`, False where an attribute does not apply to an
            image; None when all apply.
        seed: seed of the initial weights and the batch order.
        epochs: passes over the images.
        image_size: if set, every image (for training and later to embed) is first resized
            to `image_size`×`image_size` with antialiasing: layouts and palettes stay,
            and the net trains as fast as on small images.
        name: the space's name.

    Example:
    ```python
    images, labels, attributes, mask = synthetic_cifar_with_attributes(3000, seed=0)
    space = attribute_feature_space(images / 127.5 - 1, labels, attributes, mask, seed=0)
    space(generated)  # (n, 128)
    ```
    """
    def resized(batch):
        if image_size is None:
            return batch
        return tf.image.resize(batch, (image_size, image_size), antialias=True).numpy()

    images = resized(_unit_images(images))
    labels = np.asarray(labels, np.int32)
    attributes = np.asarray(attributes, np.float32)
    used = (np.ones(attributes.shape, bool) if attribute_mask is None
            else np.asarray(attribute_mask, bool))
    if not len(images) == len(labels) == len(attributes) or used.shape != attributes.shape:
        raise ValueError(f"images {images.shape}, labels {labels.shape}, attributes "
                         f"{attributes.shape} and mask {used.shape} must agree in length")
    targets, used = _standardise_within_classes(attributes, used, labels)
    net = AttributeNet(num_classes=int(labels.max()) + 1, num_attributes=attributes.shape[1],
                       seed=seed)
    net.compile(optimizer=keras.optimizers.Adam(_LEARNING_RATE), loss={
        "class_logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "attributes": _MaskedSquaredError(),
    })
    y = {"class_logits": labels, "attributes": np.concatenate([targets, used], 1)}
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        # Our own shuffle: fit's would draw from TensorFlow's global seed.
        order = rng.permutation(len(images))
        net.fit(images[order], {key: value[order] for key, value in y.items()},
                batch_size=_TRAIN_BATCH, epochs=1, shuffle=False, verbose=0)

    def embed(batch):
        return keras.ops.convert_to_numpy(net(resized(batch))["features"])

    size = "" if image_size is None else f" (resized to {image_size}×{image_size})"
    description = (f"{net.feature_dim}-d feature layer of a small CNN (AttributeNet, seed "
                   f"{seed}) trained for {epochs} epochs on {len(images)} real images{size} "
                   f"to predict their {net.num_classes} classes and "
                   f"{int(used.any(0).sum())} attributes the synthetic generator drew for them")
    return FeatureSpace(name, description, embed, network=net)


def inception_feature_space(weights):
    """2048-d average-pool features of Inception-v3 (Szegedy et al. 2016,
    https://arxiv.org/abs/1512.00567), the network KID and FID are defined with.

    Images are resized to 299×299 bilinearly without antialiasing (which only matters for
    images larger than 299) and fed in [-1, 1], the range Inception-v3 was trained on.

    Args:
        weights: `"imagenet"` (Keras downloads them once into `~/.keras/models`), the
            path of a weights file such as Keras' `INCEPTION_WEIGHTS_FILE` fetched by
            hand, or None for random weights (tests only: the features mean nothing).

    Raises:
        UsageError: the file is missing or unreadable, or the download failed.
    """
    if weights is None:
        name, source = "inception_v3_random", "random weights (a test space, meaningless)"
    elif weights == "imagenet":
        name, source = "inception_v3_imagenet", "ImageNet weights downloaded by Keras"
    else:
        weights = os.path.abspath(os.path.expanduser(str(weights)))
        if not os.path.isfile(weights):
            raise UsageError(f"Inception-v3 weights file {weights} does not exist (pass "
                             f"'imagenet' to download, or a local {INCEPTION_WEIGHTS_FILE})")
        name, source = "inception_v3_imagenet", f"the weights in {weights}"
    # Keras reports a failed download as a bare Exception.
    failures = Exception if weights == "imagenet" else (OSError, ValueError)
    try:
        network = keras.applications.InceptionV3(
            include_top=False, weights=weights, pooling="avg",
            input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))
    except failures as error:
        if weights == "imagenet":
            raise UsageError(
                f"could not download Inception-v3's ImageNet weights ({error}); fetch "
                f"{INCEPTION_WEIGHTS_FILE} from the keras-applications storage where the "
                "internet is reachable and pass its local path as the weights") from error
        raise UsageError(f"could not load Inception-v3 weights from {weights}: {error}") \
            from error

    def embed(batch):
        resized = keras.ops.image.resize(batch, (INCEPTION_SIZE, INCEPTION_SIZE),
                                         interpolation="bilinear", antialias=False)
        return keras.ops.convert_to_numpy(network(resized, training=False))  # (b, 2048)

    description = (f"2048-d average-pool features of Inception-v3 with {source}, images "
                   "resized to 299×299 bilinearly without antialiasing")
    return FeatureSpace(name, description, embed, network=network)


def texture_statistics_space():
    """Hand-made statistics that need no training and no download: the offline fallback
    for real data when no ImageNet weights are given. Deterministic.

    Per image, 26 numbers: the mean and standard deviation of R, G, B and grey (8), and at
    3 scales (halving the grey image between them) the root-mean-square response of 6
    small filters (18): first differences along x, y and both diagonals (edges) and
    second differences along x and y (lines), an odd and even Gabor-like pair at the
    finest frequency of each scale. Images need at least 12 pixels a side.
    """
    description = ("colour moments and oriented edge and line filter energies at 3 scales "
                   "(26 numbers, no training): the offline fallback for real data without "
                   "ImageNet weights")
    return FeatureSpace("texture_statistics", description, _texture_statistics)


# Registered: the trained net keeps its compile config, and a saved copy must load.
@keras.saving.register_keras_serializable(package="dlx_tf")
class _MaskedSquaredError(keras.losses.Loss):
    """Mean squared error over the attributes in use. Keras hands a loss one target, so
    `y_true` is the standardised targets and the mask side by side, `[batch, 2k]`."""

    def call(self, y_true, y_pred):
        target, used = keras.ops.split(y_true, 2, axis=-1)
        error = keras.ops.sum(used * (y_pred - target) ** 2, axis=-1)
        return error / keras.ops.maximum(keras.ops.sum(used, axis=-1), 1.0)


def _standardise_within_classes(attributes, used, labels):
    """Each attribute standardised over the images of each class that use it, so the net
    learns what varies inside a class (the softmax head learns the rest). An attribute
    constant within a class teaches nothing there and is dropped from `used`."""
    targets = np.zeros(attributes.shape, np.float32)
    used = used.copy()
    for label in np.unique(labels):
        rows = labels == label
        values, mask = attributes[rows], used[rows]
        count = np.maximum(mask.sum(0), 1)
        mean = (values * mask).sum(0) / count
        std = np.sqrt((((values - mean) * mask) ** 2).sum(0) / count)
        mask &= std > 1e-6
        targets[rows] = np.where(mask, (values - mean) / np.maximum(std, 1e-6), 0.0)
        used[rows] = mask
    return targets, used


def _texture_statistics(images):
    grey = images @ _LUMA  # (b, h, w)
    if min(grey.shape[1:]) < 3 * 2 ** (_TEXTURE_SCALES - 1):
        raise ValueError(f"texture statistics need images of at least "
                         f"{3 * 2 ** (_TEXTURE_SCALES - 1)} pixels a side; got {images.shape}")
    channels = np.concatenate([images, grey[..., None]], -1)  # (b, h, w, 4)
    statistics = [channels.mean((1, 2)), channels.std((1, 2))]
    for scale in range(_TEXTURE_SCALES):
        if scale:  # 2×2 means, an odd last row or column dropped
            b, h, w = grey.shape
            grey = grey[:, :h // 2 * 2, :w // 2 * 2].reshape(b, h // 2, 2, w // 2, 2).mean((2, 4))
        responses = (  # edges along x, y and both diagonals, then lines along x and y
            grey[:, :, 1:] - grey[:, :, :-1],
            grey[:, 1:] - grey[:, :-1],
            grey[:, 1:, 1:] - grey[:, :-1, :-1],
            grey[:, 1:, :-1] - grey[:, :-1, 1:],
            grey[:, :, 2:] - 2 * grey[:, :, 1:-1] + grey[:, :, :-2],
            grey[:, 2:] - 2 * grey[:, 1:-1] + grey[:, :-2],
        )
        statistics.append(np.stack([np.sqrt((r**2).mean((1, 2))) for r in responses], 1))
    return np.concatenate(statistics, 1)  # (b, 26)


def _unit_images(images):
    """Float32 `[n, h, w, 3]` in [-1, 1], or a ValueError that says what came instead."""
    array = np.asarray(images)
    if array.ndim != 4 or array.shape[-1] != 3:
        raise ValueError(f"expected images [n, height, width, 3]; got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"expected float images in [-1, 1]; got {array.dtype} (uint8 images "
                         "map through images / 127.5 - 1)")
    array = array.astype(np.float32, copy=False)
    if array.size and (array.min() < -1.001 or array.max() > 1.001):
        raise ValueError(f"expected images in [-1, 1]; got values in [{array.min():.3g}, "
                         f"{array.max():.3g}]")
    return array
