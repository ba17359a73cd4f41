import numpy as np

from dlx_tf.data.synthetic import cifar
from dlx_tf.data.synthetic.cifar import (
    MAX_ATTRIBUTES,
    MOTIFS,
    SYNTHETIC_NOTE,
    synthetic_cifar,
    synthetic_cifar_with_attributes,
)

BIRD, HORSE = 2, 7


def _features(images):
    """4×4 block means (8×8×3 per image): the noise averages out, the layout stays."""
    return images.reshape(len(images), 8, 4, 8, 4, 3).mean((2, 4)).reshape(len(images), -1)


def test_images_are_seeded_balanced_uint8():
    images, labels = synthetic_cifar(205, seed=3)
    assert images.shape == (205, 32, 32, 3) and images.dtype == np.uint8
    assert labels.shape == (205,) and labels.dtype == np.int32
    assert np.bincount(labels).tolist() == [21] * 5 + [20] * 5
    assert labels[:10].tolist() != list(range(10))  # shuffled, not i % 10
    again, same = synthetic_cifar(205, seed=3)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, same)
    other, _ = synthetic_cifar(205, seed=4)
    assert not np.array_equal(images, other)
    assert images.min() < 30 and images.max() > 225  # the full range is used
    assert synthetic_cifar(0, seed=0)[0].shape == (0, 32, 32, 3)


def test_images_within_a_class_vary():
    images, labels = synthetic_cifar(200, seed=0)
    for label in range(10):
        blocks = _features(images[labels == label])
        distance = np.abs(blocks[:, None] - blocks[None]).mean(-1)
        assert distance[~np.eye(len(blocks), dtype=bool)].min() > 1.0, MOTIFS[label]


def test_nearest_class_mean_separates_held_out_images():
    train, train_labels = synthetic_cifar(600, seed=0)
    test, test_labels = synthetic_cifar(300, seed=1)
    features = _features(train)
    means = np.stack([features[train_labels == k].mean(0) for k in range(10)])
    distance = ((_features(test)[:, None] - means[None]) ** 2).sum(-1)
    accuracy = (distance.argmin(1) == test_labels).mean()
    assert accuracy > 0.9  # chance is 0.1; measured 0.99+


def test_bird_is_a_dark_shape_on_blue_sky_and_horse_brown_on_green_ground():
    images, labels = synthetic_cifar(400, seed=2)
    bird = images[labels == BIRD].astype(np.float32).mean(0)  # (32, 32, 3)
    horse = images[labels == HORSE].astype(np.float32).mean(0)
    assert np.abs(bird - horse).mean() > 20
    sky = bird[:4].reshape(-1, 3).mean(0)  # top rows: background only
    assert sky[2] > sky[0] + 40 and sky.mean() > 150
    assert bird[12:16, 14:18].mean() < sky.mean() - 50  # the body at the centre is dark
    ground = horse[-3:].reshape(-1, 3).mean(0)
    assert ground[1] > ground[0] + 40 and ground[1] > ground[2] + 40
    body = horse[15:18, 12:18].reshape(-1, 3).mean(0)  # brown: red over green over blue
    assert body[0] > body[1] + 15 > body[2] + 25


def test_the_synthetic_note_and_motifs_say_what_they_are():
    assert "synthetic" in SYNTHETIC_NOTE and len(MOTIFS) == 10
    assert MOTIFS[BIRD].startswith("bird:") and MOTIFS[HORSE].startswith("horse:")


def test_attributes_come_with_the_same_images_and_one_layout_per_class():
    images, labels, attributes, mask = synthetic_cifar_with_attributes(205, seed=3)
    plain_images, plain_labels = synthetic_cifar(205, seed=3)
    np.testing.assert_array_equal(images, plain_images)
    np.testing.assert_array_equal(labels, plain_labels)
    assert attributes.shape == mask.shape == (205, MAX_ATTRIBUTES)
    assert attributes.dtype == np.float32 and mask.dtype == bool
    used = mask.sum(1)
    for label in range(10):
        assert len(set(used[labels == label])) == 1, MOTIFS[label]
        assert mask[labels == label].all(0).sum() == used[labels == label][0]  # a prefix
    assert used.max() == MAX_ATTRIBUTES and (attributes[~mask] == 0).all()
    shift, scale = attributes[:, :2], attributes[:, 2]  # every motif starts with these
    assert np.abs(shift).max() <= 0.07 and 0.85 <= scale.min() and scale.max() <= 1.1
    assert np.array_equal(synthetic_cifar_with_attributes(205, seed=3)[2], attributes)


def test_every_recorded_draw_changes_the_image(monkeypatch):
    _, labels, _, mask = synthetic_cifar_with_attributes(10, seed=0)  # one image per class
    used = dict(zip(labels.tolist(), mask.sum(1).tolist()))
    record = cifar._Canvas._record

    def draw(motif, nudged=None):
        """One image of `motif` with entry `nudged` of its recorded draws moved by 0.05."""
        seen = []

        def nudge(canvas, value):
            start = sum(part.shape[1] for part in canvas.draws)
            value = value.copy()
            flat = value.reshape(-1)
            if nudged is not None and start <= nudged < start + flat.size:
                index = nudged - start
                flat[index] += 0.05 if flat[index] < 0.5 else -0.05
            seen.append(flat.size)
            return record(canvas, value)

        monkeypatch.setattr(cifar._Canvas, "_record", nudge)
        canvas = cifar._Canvas(np.random.default_rng(0), 1)
        motif(canvas)
        return canvas.image.copy(), sum(seen)

    for label, motif in enumerate(cifar._DRAW):
        image, count = draw(motif)
        assert count == used[label], MOTIFS[label]
        for entry in range(count):
            changed = np.abs(draw(motif, entry)[0] - image).max()
            assert changed > 1e-3, f"{MOTIFS[label]}: draw {entry} changes nothing"
