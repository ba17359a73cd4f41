"""Neural style transfer losses on feature maps: Gatys et al.'s content and Gram-matrix
style losses, total variation, and AdaIN's mean/std style loss.

Plain `keras.ops` functions. Feature maps are `(batch, height, width, channels)`, as
`VGG19Features` returns them; every loss returns one value per image, `(batch,)`, in
float32, so the caller chooses the reduction (a sum for one image being optimised, or
`tf.nn.compute_average_loss` under a `tf.distribute` strategy, docs/keras3_notes.md).
"""

from keras import ops

CONTENT_REDUCTIONS = ("half_sum", "mean")
ADAIN_DISTANCES = ("norm", "squared")


def _float32(x):
    return ops.cast(x, "float32")


def _spatial_size(features):
    return ops.cast(ops.shape(features)[1] * ops.shape(features)[2], "float32")


def gram_matrix(features):
    """The unnormalised Gram matrix `G_ij = Σ_k F_ik F_jk` of Gatys et al. 2015, eq. 3.

    `F` is the layer's `(positions, channels)` matrix per image. No division by the
    number of positions: the paper puts its normalisation in the loss (`style_loss`).

    Args:
        features: `(batch, height, width, channels)`.

    Returns:
        `(batch, channels, channels)`, symmetric.
    """
    features = _float32(features)
    flat = ops.reshape(features, (ops.shape(features)[0], -1, ops.shape(features)[-1]))
    return ops.einsum("bki,bkj->bij", flat, flat)  # (batch, channels, channels)


def style_loss(generated_features, style_grams, layer_weights):
    """Gatys et al.'s style loss `Σ_l w_l E_l`, eq. 5, with eq. 4's normalisation
    `E_l = 1 / (4 N_l² M_l²) Σ_ij (G^l_ij − A^l_ij)²`.

    https://arxiv.org/abs/1508.06576. `G` and `A` are the unnormalised Gram matrices of
    `gram_matrix`; `N_l` is the number of channels and `M_l` the number of positions
    (height × width) of the generated image's feature map. The paper assumes style and
    generated images of one size; with other sizes `A` scales with the style image's
    positions (many ports divide `G` by `M_l` instead, which changes the weighting).

    Args:
        generated_features: dict of layer name → `(batch, height, width, channels)`.
        style_grams: dict of layer name → `(batch or 1, channels, channels)`, the style
            image's `gram_matrix`.
        layer_weights: dict of layer name → `w_l`; the paper uses 1/5 on
            conv1_1 … conv5_1 (Fig. 2).

    Returns:
        `(batch,)`.

    Example:
    ```python
    grams = {name: gram_matrix(f) for name, f in vgg(style_image).items()}
    style_loss(vgg(image), grams, {name: 0.2 for name in grams})
    ```
    """
    total = 0.0
    for name, weight in layer_weights.items():
        features = generated_features[name]
        channels = ops.cast(ops.shape(features)[-1], "float32")
        positions = _spatial_size(features)
        squared = ops.sum(ops.square(gram_matrix(features) - _float32(style_grams[name])),
                          axis=(1, 2))  # (batch,)
        total = total + weight * squared / (4.0 * channels**2 * positions**2)
    return total


def content_loss(generated, target, reduction="half_sum"):
    """Squared error between feature maps, per image.

    `"half_sum"`: Gatys et al. 2015, eq. 1, `½ Σ (F − P)²`. `"mean"`: the mean squared
    error, what AdaIN's code minimises for its content loss (`MSECriterion` in
    `lib/ContentLossModule.lua` of AdaIN-style; Huang & Belongie 2017, eq. 11, writes the
    Euclidean distance `‖f(g(t)) − t‖₂`).

    Args:
        generated: `(batch, height, width, channels)`, the generated image's features.
        target: the content features, same shape.
        reduction: one of `CONTENT_REDUCTIONS`.

    Returns:
        `(batch,)`.
    """
    if reduction not in CONTENT_REDUCTIONS:
        raise ValueError(f"content_loss reduction: expected one of {CONTENT_REDUCTIONS}, "
                         f"got {reduction!r}")
    squared = ops.square(_float32(generated) - _float32(target))
    if reduction == "half_sum":
        return 0.5 * ops.sum(squared, axis=(1, 2, 3))
    return ops.mean(squared, axis=(1, 2, 3))


def total_variation_loss(images, squared=False):
    """Total variation of each image: differences between vertical and horizontal
    neighbours, summed over positions and channels.

    `squared=False`: `Σ |x[i+1, j] − x[i, j]| + |x[i, j+1] − x[i, j]|`, the anisotropic
    total variation of `tf.image.total_variation`. `squared=True`: the squares of the
    same differences (the β = 2 regulariser of Mahendran & Vedaldi 2015, eq. 5 without
    the square root, as in Johnson et al. 2016).

    Args:
        images: `(batch, height, width, channels)`.

    Returns:
        `(batch,)`.
    """
    images = _float32(images)
    vertical = images[:, 1:, :, :] - images[:, :-1, :, :]
    horizontal = images[:, :, 1:, :] - images[:, :, :-1, :]
    penalty = ops.square if squared else ops.abs
    return (ops.sum(penalty(vertical), axis=(1, 2, 3))
            + ops.sum(penalty(horizontal), axis=(1, 2, 3)))


def channel_statistics(features, epsilon=1e-5):
    """Per-image, per-channel mean and standard deviation, AdaIN's `μ(x)` and `σ(x)`.

    Huang & Belongie 2017, https://arxiv.org/abs/1703.06868, eqs. 5-6:
    `μ = 1/(HW) Σ x`, `σ = sqrt(1/(HW) Σ (x − μ)² + ε)` (biased variance; the PyTorch
    port pytorch-AdaIN uses the unbiased one, which differs by a factor HW/(HW − 1); the
    authors' Torch loss takes biased ones, with ε = 1e-6 for the generated image only).

    Args:
        features: `(batch, height, width, channels)`.
        epsilon: added to the variance, so σ > 0 and its gradient is finite.

    Returns:
        `(mean, std)`, each `(batch, channels)`.
    """
    features = _float32(features)
    mean = ops.mean(features, axis=(1, 2))
    variance = ops.mean(ops.square(features - mean[:, None, None, :]), axis=(1, 2))
    return mean, ops.sqrt(variance + epsilon)


def adain_style_loss(generated_features, style_features, distance="norm", epsilon=1e-5):
    """AdaIN's style loss `Σ_i ‖μ(φ_i(g)) − μ(φ_i(s))‖₂ + ‖σ(φ_i(g)) − σ(φ_i(s))‖₂`.

    Huang & Belongie 2017, https://arxiv.org/abs/1703.06868, eq. 12, summed over the
    layers given (the paper: relu1_1, relu2_1, relu3_1, relu4_1). `distance="norm"` is
    the equation's Euclidean norm over channels; `distance="squared"` is its square, what
    the authors' Torch code minimises (`lib/StyleINLossModule.lua` of AdaIN-style: an
    `MSECriterion` with `sizeAverage = false`, divided by the batch size). The PyTorch
    port's `mse_loss` is the squared distance divided by the number of channels.

    Args:
        generated_features: dict of layer name → `(batch, height, width, channels)`.
        style_features: dict with the same names → the style images' features,
            `(batch, height', width', channels)` (sizes may differ).
        distance: one of `ADAIN_DISTANCES`.
        epsilon: passed to `channel_statistics`.

    Returns:
        `(batch,)`.
    """
    if distance not in ADAIN_DISTANCES:
        raise ValueError(f"adain_style_loss distance: expected one of {ADAIN_DISTANCES}, "
                         f"got {distance!r}")

    def gap(a, b):  # (batch, channels) → (batch,)
        if distance == "norm":
            # The floor keeps the gradient of sqrt finite where the statistics match.
            return ops.sqrt(ops.maximum(ops.sum(ops.square(a - b), axis=-1), 1e-12))
        return ops.sum(ops.square(a - b), axis=-1)

    total = 0.0
    for name, generated in generated_features.items():
        generated_mean, generated_std = channel_statistics(generated, epsilon)
        style_mean, style_std = channel_statistics(style_features[name], epsilon)
        total = total + gap(generated_mean, style_mean) + gap(generated_std, style_std)
    return total
