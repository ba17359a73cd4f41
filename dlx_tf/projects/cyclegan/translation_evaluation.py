"""What a CycleGAN run measures on its test images, in each direction.

- Cycle consistency, and the translation score: the share of translated images that a
  domain classifier (trained on real images of both domains) puts in the target domain.
  The score alone reads "learned" over blobs and noise, which such a classifier labels
  confidently, so it is never reported alone:
- realism against the target domain's real test images (KID, precision, recall) and
  diversity, in a feature space that was not trained to tell the two domains apart;
- content preservation: against the known answer where the data have one (the synthetic
  seasons draw each test layout in both seasons), and the input's edge structure always.
"""

import keras
import numpy as np

from dlx_tf.evaluation.batched import batched_call
from dlx_tf.evaluation.content_preservation import paired_content, structure_similarity
from dlx_tf.evaluation.sample_quality import SampleQuality
from dlx_tf.projects.cyclegan.domain_classifier import DomainClassifier

DIRECTIONS = ("a2b", "b2a")
# Logged after every epoch (averaged over the directions); the rest only at the end.
EPOCH_METRICS = ("cycle_l1", "translation_score", "kid", "precision", "recall", "diversity",
                 "structure_ssim", "content_ssim")


class TranslationEvaluation:
    """Scores both generators of a `CycleGAN` on fixed test images.

    Args:
        classifier: a trained `DomainClassifier` (logit of "domain B").
        space: the `FeatureSpace` for realism and diversity.
        test_a, test_b: float32 real test images in [-1, 1].
        answers_a, answers_b: where known, what translating `test_a` (into B) and `test_b`
            (into A) should give, image for image; None for unpaired data.

    Example:
    ```python
    evaluation = TranslationEvaluation(classifier, space, test_a, test_b)
    evaluation.measure(gan)  # {"test_kid": ..., "test_kid_a2b": ..., ...}
    ```
    """

    def __init__(self, classifier, space, test_a, test_b, answers_a=None, answers_b=None):
        self.classifier = classifier
        self.test = {"a2b": test_a, "b2a": test_b}
        # Outputs of A → B are judged against real B, and the other way round.
        self.quality = {"a2b": SampleQuality(space, test_b), "b2a": SampleQuality(space, test_a)}
        self.answers = {"a2b": answers_a, "b2a": answers_b}
        self.feature_space = self.quality["a2b"].describe()

    def measure(self, gan, per_direction=True):
        """`test_<metric>` averaged over both directions and, with `per_direction`, also
        `test_<metric>_a2b` and `test_<metric>_b2a`. Models are called directly (never
        `predict`), so this is safe on every worker."""
        generators = {"a2b": (gan.generator_a2b, gan.generator_b2a),
                      "b2a": (gan.generator_b2a, gan.generator_a2b)}
        scores = {}
        for direction, (forward, backward) in generators.items():
            outputs, cycled = translate(forward, backward, self.test[direction])
            scores[direction] = {
                "cycle_l1": float(np.abs(cycled - self.test[direction]).mean()),
                **self._score(direction, outputs)}
        return _named(scores, "test", per_direction)

    def baselines(self, seed=0):
        """The same measures for two translations that learned nothing: the input copied
        unchanged (`baseline_identity_*`) and uniform noise (`baseline_noise_*`), averaged
        over both directions. A trained model should beat both on realism; the copy keeps
        every edge, so only realism and the judge tell it apart."""
        rng = np.random.default_rng(seed)
        metrics = {}
        for name, make in (("identity", lambda images: images),
                           ("noise", lambda images: rng.uniform(
                               -1, 1, images.shape).astype(np.float32))):
            scores = {d: self._score(d, make(self.test[d])) for d in DIRECTIONS}
            metrics.update(_named(scores, f"baseline_{name}", per_direction=False))
        return metrics

    def epoch_metrics(self, gan):
        """The averages of `EPOCH_METRICS`, for the per-epoch history."""
        metrics = self.measure(gan, per_direction=False)
        return {f"test_{name}": metrics[f"test_{name}"] for name in EPOCH_METRICS
                if f"test_{name}" in metrics}

    def domain_accuracy(self):
        """The classifier's own accuracy on the real test images of both domains."""
        correct = np.concatenate([_logits(self.classifier, self.test["a2b"]) <= 0,
                                  _logits(self.classifier, self.test["b2a"]) > 0])
        return float(correct.mean())


    def _score(self, direction, outputs):
        """Judge, realism, diversity and content of `outputs`, the translations of
        `self.test[direction]`."""
        inputs = self.test[direction]
        logits = _logits(self.classifier, outputs)
        scores = {
            "translation_score": float(np.mean(logits > 0 if direction == "a2b"
                                               else logits <= 0)),
            **self.quality[direction](outputs),
            "structure_ssim": structure_similarity(inputs, outputs),
        }
        if self.answers[direction] is not None:
            scores.update({f"content_{name}": value for name, value
                           in paired_content(outputs, self.answers[direction]).items()})
        return scores


def _named(scores, prefix, per_direction):
    """`{direction: {metric: value}}` as `<prefix>_<metric>` (the mean over directions)
    and, with `per_direction`, `<prefix>_<metric>_<direction>`."""
    metrics = {f"{prefix}_{name}": float(np.mean([scores[d][name] for d in DIRECTIONS]))
               for name in scores[DIRECTIONS[0]]}
    if per_direction:
        metrics.update({f"{prefix}_{name}_{direction}": value
                        for direction in DIRECTIONS for name, value in scores[direction].items()})
    return metrics


def train_domain_classifier(images_a, images_b, seed, epochs=4, batch_size=32):
    """Fits a `DomainClassifier` on real images (float32 in [-1, 1]): A → 0, B → 1."""
    images = np.concatenate([images_a, images_b])
    labels = np.concatenate([np.zeros(len(images_a)), np.ones(len(images_b))]).astype("float32")
    order = np.random.default_rng(seed).permutation(len(images))
    classifier = DomainClassifier(name="domain_classifier")
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3),
                       loss=keras.losses.BinaryCrossentropy(from_logits=True))
    classifier.fit(images[order], labels[order], batch_size=batch_size, epochs=epochs, verbose=0,
                   shuffle=False)
    return classifier


def translate(forward, backward, images, batch_size=16):
    """`(forward(images), backward(forward(images)))` as numpy, in batches."""
    fakes = batched_call(lambda x: forward(x, training=False), images, batch_size=batch_size)
    cycled = batched_call(lambda x: backward(x, training=False), fakes, batch_size=batch_size)
    return fakes, cycled


def _logits(classifier, images, batch_size=64):
    return batched_call(classifier, images, batch_size=batch_size)
