"""pix2pix (Isola et al. 2017, https://arxiv.org/abs/1611.07004): paired image-to-image
translation with a U-Net and a conditional PatchGAN, as the paper and its official code
configure it.

    python experiments/pix2pix.py                     # smoke: synthetic label maps → scenes
    python experiments/pix2pix.py --profile paper     # datasets/facades, labels → photos
    python experiments/pix2pix.py --profile paper --data datasets/maps --set direction=AtoB

Smoke result (2 CPU cores, seed 0): see docs/pix2pix.md. Against the ground-truth scenes
the test L1 falls and PSNR/SSIM rise far from their values at initialisation, and the
FCN-score (a segmentation network trained on real scenes labels the outputs) climbs
toward its value on the real scenes.
"""

import dataclasses

import numpy as np

from dlx_tf.data.image_files import MAX_PIXELS
from dlx_tf.data.paired_images import load_paired
from dlx_tf.data.unpaired_images import from_unit_range
from dlx_tf.export.image_translator import TRANSLATOR_LIMITS, image_translator_endpoints
from dlx_tf.projects.cyclegan.cyclegan_setup import feature_space
from dlx_tf.projects.pix2pix import pix2pix_setup as setup
from dlx_tf.projects.pix2pix.paired_evaluation import PairedEvaluation
from dlx_tf.projects.pix2pix.paired_monitor import PairedMonitor
from dlx_tf.ranges import NON_NEGATIVE, POSITIVE, RATE, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class Pix2PixConfig(ExperimentConfig):
    # A folder in the official format (train/ val/ test/ of side-by-side A|B images, e.g.
    # facades, maps, cityscapes, edges2shoes as datasets/download_pix2pix_dataset.sh leaves
    # them), or synthetic. No tfds dataset holds these pairs.
    data: str = "datasets/facades"
    direction: str = "BtoA"  # which half is the input; facades keeps its labels in B
    epochs: int = 200  # niter + niter_decay (100 constant + 100 decaying, official defaults)
    decay_epochs: int = 100  # the last epochs, over which the learning rate falls linearly to 0
    batch_size: int = 1  # §4: batch 1 for facades (instance-norm-like batch norm)
    load_size: int = 286  # resize, then random 256 crop and flip, the same for both halves
    crop_size: int = 256  # training crop side; test images are resized to it
    filters: int = 64  # ngf = ndf
    downsamplings: int = 8  # U-Net depth: unet_256 halves 256 eight times to 1×1
    dropout: float = 0.5  # in the three innermost decoder blocks, at test time too (§3.3)
    discriminator_layers: int = 3  # 70×70 PatchGAN
    learning_rate: float = 2e-4  # Adam, both networks, until the decay
    beta_1: float = 0.5  # Adam
    l1_weight: float = 100.0  # λ of the L1 term (§4: λ = 100)
    test_images: int = 0  # test pairs for metrics (0: all)
    judge_images: int = 1000  # real synthetic scenes the FCN-score's segmentation net trains on
    judge_epochs: int = 10  # of that segmentation net
    # Inception-v3 weights for realism/diversity on real data ("" = texture statistics).
    feature_weights: str = "imagenet"
    feature_images: int = 1500  # per season, for the attribute net that scores synthetic runs
    feature_epochs: int = 15  # of that attribute net
    synthetic_counts: tuple[int, ...] = (400, 100)  # train, test pairs
    max_image_pixels: int = MAX_PIXELS  # larger images in a folder are skipped and reported
    # What one request to the exported translator may hold; larger ones are refused.
    serving_pixels_per_image: int = TRANSLATOR_LIMITS["pixels_per_image"]
    serving_batch: int = TRANSLATOR_LIMITS["batch"]  # images per request to the export, at most
    serving_bytes_per_image: int = TRANSLATOR_LIMITS["bytes_per_image"]  # PNG/JPEG requests
    jit_compile: bool = False  # XLA-compile the train step (a TPU compiles with XLA anyway)

    RANGES = {**ExperimentConfig.RANGES, "decay_epochs": NON_NEGATIVE, "load_size": POSITIVE,
              "crop_size": at_least(16),
              "filters": POSITIVE, "downsamplings": at_least(5),
              "dropout": within(0, 1, high_open=True), "discriminator_layers": POSITIVE,
              "learning_rate": RATE, "beta_1": within(0, 1, high_open=True),
              "l1_weight": NON_NEGATIVE, "test_images": NON_NEGATIVE,
              "judge_images": POSITIVE, "judge_epochs": POSITIVE,
              "feature_images": POSITIVE, "feature_epochs": POSITIVE,
              "synthetic_counts": POSITIVE, "max_image_pixels": POSITIVE,
              "serving_pixels_per_image": at_least(64), "serving_batch": POSITIVE,
              "serving_bytes_per_image": POSITIVE}


PROFILES = {
    "paper": Pix2PixConfig(),
    # 64² pairs: a U-Net of 6 downsamplings reaches 1×1 as unet_256 does at 256².
    "smoke": Pix2PixConfig(
        data="synthetic", direction="AtoB", epochs=16, decay_epochs=6, batch_size=4,
        load_size=72, crop_size=64, filters=16, downsamplings=6, test_images=100,
        feature_weights=""),
}


def main(config, run):
    data = load_paired(config.data, config.load_size, config.crop_size, config.direction,
                       seed=config.seed, synthetic_counts=config.synthetic_counts,
                       max_pixels=config.max_image_pixels)
    space = feature_space(data, config)
    train_examples = int(data.train.cardinality())
    run.describe_data(dict(data.info, train_examples=train_examples), quality_features=space)
    inputs, targets = setup.evaluation_arrays(data.test, config.test_images)
    labels = None if data.test_labels is None else data.test_labels[:len(inputs)]
    judge, judge_scenes = setup.segmentation_judge(data, config)
    evaluation = PairedEvaluation(space, inputs, targets, labels=labels, judge=judge,
                                  held_out=None if judge is None else judge_scenes[:len(inputs)])
    with run.scope():
        gan = setup.build_pix2pix(config, train_examples // config.batch_size)
        at_init = evaluation.measure(gan.generator)  # builds the generator
    networks = {"generator": gan.generator, "discriminator": gan.discriminator}
    if judge is not None:
        networks["segmentation_judge"] = judge
    run.describe_models(networks)

    title = run.label(f"{data.info['input_domain']} → {data.info['target_domain']}")
    monitor = PairedMonitor(gan.generator, evaluation, title=title)
    run.fit(gan, data.train, callbacks=[monitor], shuffle_buffer=train_examples,
            augment=setup.PairJitter(config.crop_size))
    run.log(evaluation.measure(gan.generator))
    run.log({f"{name}_at_init": value for name, value in at_init.items()})
    run.log(monitor.bounds)  # the real scenes' own scores
    run.log(evaluation.baselines(config.seed))
    run.save_figure("translations", monitor.figure(f"{title}, after training", run.metrics))
    run.save_models(networks)

    limits = {"pixels_per_image": config.serving_pixels_per_image, "batch": config.serving_batch,
              "bytes_per_image": config.serving_bytes_per_image}
    run.export(setup.export_name(data.info), resources=[gan.generator],
               endpoints=image_translator_endpoints(gan.generator, limits=limits),
               warmup_inputs={"images": np.asarray(from_unit_range(inputs[:2]))},
               limits=limits)


if __name__ == "__main__":
    launch("pix2pix", PROFILES, main, description=__doc__)
