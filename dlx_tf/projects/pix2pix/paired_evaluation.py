"""What a pix2pix run measures on its test pairs (label map → scene).

- Paired content: L1, PSNR and SSIM of each output against its ground-truth scene (pix2pix
  reports none of them for its main results, because L1 and PSNR favour blurry averages;
  SSIM after pooling is the one to read, see `paired_content`).
- Realism and diversity of the outputs against the real test scenes (KID, precision,
  recall, diversity) in a feature space that was not trained on the generator's outputs.
- The FCN-score (pix2pix §4.2, Tables 1–2): a segmentation network trained on real
  scenes labels each output, and its labels are compared with the input label map. A
  realistic scene of the wrong layout, or a right layout in unreal colours, scores low.

Each number comes with its bounds: the real scenes' own FCN-score (what a perfect
generator reaches), and four generators that learned nothing: uniform noise, one constant
colour, the label map copied, and one real scene for every input (mode collapse).
"""

import numpy as np

from dlx_tf.evaluation.batched import batched_call
from dlx_tf.evaluation.content_preservation import paired_content
from dlx_tf.evaluation.sample_quality import SampleQuality
from dlx_tf.evaluation.segmentation import label_agreement

# Logged after every epoch; the rest only at the end.
EPOCH_METRICS = ("l1", "psnr", "ssim", "kid", "fcn_pixel_accuracy", "fcn_class_iou")
_GENERATOR_BATCH = 16
_JUDGE_BATCH = 64


class PairedEvaluation:
    """Scores a label map → scene generator on fixed test pairs.

    Args:
        space: the `FeatureSpace` for realism and diversity.
        inputs: float32 `[n, h, w, 3]` in [-1, 1], what the generator is given (label
            maps drawn as flat colours).
        targets: float32 `[n, h, w, 3]` in [-1, 1], the real scenes it should give.
        labels: integer class ids `[n, h, w]` of the inputs, for the FCN-score; None
            without a judge.
        judge: a trained `SegmentationJudge` (per-pixel class logits), or None to skip the
            FCN-score.
        num_classes: classes of `labels`; by default the judge's.
        held_out: optional float32 real scenes not in `targets` (other layouts), whose
            realism against `targets` is the bound a generator can reach.

    Example:
    ```python
    evaluation = PairedEvaluation(space, label_maps, scenes, labels, judge)
    evaluation.measure(generator)  # {"test_ssim": ..., "test_fcn_class_iou": ..., ...}
    evaluation.baselines()  # {"baseline_noise_ssim": ..., ...}
    ```
    """

    def __init__(self, space, inputs, targets, labels=None, judge=None, num_classes=None,
                 held_out=None):
        if np.shape(inputs) != np.shape(targets) or np.ndim(targets) != 4:
            raise ValueError(f"inputs and targets must be [n, h, w, 3] pairs of one shape; "
                             f"got {np.shape(inputs)} and {np.shape(targets)}")
        if judge is not None and np.shape(labels) != np.shape(targets)[:3]:
            raise ValueError(f"a judge needs labels [n, h, w] of the targets "
                             f"{np.shape(targets)[:3]}; got {np.shape(labels)}")
        self.inputs = np.asarray(inputs, np.float32)
        self.targets = np.asarray(targets, np.float32)
        self.labels = None if labels is None else np.asarray(labels)
        self.judge = judge
        if num_classes is None and judge is not None:
            num_classes = judge.num_classes
        self.num_classes = num_classes
        self.held_out = held_out
        self.quality = SampleQuality(space, self.targets)
        self.feature_space = self.quality.describe()

    def measure(self, generator):
        """`test_<metric>` of `generator`'s outputs for the test inputs. It is called
        directly in batches (`generator(batch, training=False)`, never `predict`), so this
        is safe on every worker."""
        outputs = batched_call(lambda batch: generator(batch, training=False), self.inputs,
                               batch_size=_GENERATOR_BATCH)
        return _named(self._score(outputs), "test")

    def real_bounds(self):
        """The real test scenes' own FCN-score (`real_fcn_*`, what a perfect generator
        reaches; below 1 where the judge errs) and, with `held_out` scenes, their realism
        and diversity (`real_kid`, ...)."""
        bounds = {}
        if self.judge is not None:
            bounds.update(self._fcn(self.targets))
        if self.held_out is not None:
            bounds.update(self.quality(self.held_out))
        return _named(bounds, "real")

    def baselines(self, seed=0):
        """The same measures for four generators that learned nothing, as
        `baseline_<name>_<metric>`: `noise` (uniform in [-1, 1]), `constant` (the targets'
        mean colour everywhere), `input_copy` (the label map itself) and `one_image` (the
        first real target for every input: mode collapse). A trained generator should beat
        all four on SSIM, KID and the FCN-score."""
        rng = np.random.default_rng(seed)
        shape = self.targets.shape
        fakes = {
            "noise": rng.uniform(-1, 1, shape).astype(np.float32),
            "constant": np.broadcast_to(self.targets.mean(axis=(0, 1, 2)), shape),
            "input_copy": self.inputs,
            "one_image": np.broadcast_to(self.targets[:1], shape),
        }
        metrics = {}
        for name, outputs in fakes.items():
            metrics.update(_named(self._score(np.ascontiguousarray(outputs)),
                                  f"baseline_{name}"))
        return metrics

    def epoch_metrics(self, generator):
        """`EPOCH_METRICS` of `measure`, for the per-epoch history."""
        metrics = self.measure(generator)
        return {f"test_{name}": metrics[f"test_{name}"] for name in EPOCH_METRICS
                if f"test_{name}" in metrics}

    def _score(self, outputs):
        """Paired content, realism, diversity and (with a judge) the FCN-score."""
        scores = {**paired_content(outputs, self.targets), **self.quality(outputs)}
        if self.judge is not None:
            scores.update(self._fcn(outputs))
        return scores

    def _fcn(self, images):
        """The judge's labels of `images` against the input label maps."""
        predicted = batched_call(lambda batch: np.argmax(self.judge(batch, training=False), -1),
                                 images, batch_size=_JUDGE_BATCH)
        return {f"fcn_{name}": value for name, value
                in label_agreement(predicted, self.labels, self.num_classes).items()}


def _named(scores, prefix):
    return {f"{prefix}_{name}": value for name, value in scores.items()}
