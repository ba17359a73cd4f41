"""CycleGAN summer↔winter (Zhu et al. 2017, https://arxiv.org/abs/1703.10593), as the
paper and its official code configure it.

    python experiments/cyclegan.py                     # smoke: synthetic seasons, 32², ~3 min
    python experiments/cyclegan.py --profile paper     # tfds cycle_gan/summer2winter_yosemite
    python experiments/cyclegan.py --profile paper --data horse2zebra
    python experiments/cyclegan.py --profile paper --data /path/with/trainA_trainB_testA_testB
    python experiments/cyclegan.py --profile paper --set generator=ganilla   # GANILLA (2020)
    python experiments/cyclegan.py --set compare_generators=resnet,ganilla,unet  # ~8 min

Smoke result (2 CPU cores, seed 0): see docs/cyclegan.md. The translation score (share of
translated test images a separately trained domain classifier puts in the target domain)
rises from near 0 at initialisation, and the test cycle L1 falls.
"""

import dataclasses

import numpy as np

from dlx_tf.data.image_files import MAX_PIXELS
from dlx_tf.data.unpaired_images import from_unit_range, load_unpaired
from dlx_tf.export.image_translator import TRANSLATOR_LIMITS, image_translator_endpoints
from dlx_tf.projects.cyclegan import cyclegan_setup as setup
from dlx_tf.projects.cyclegan.generator_comparison import report_comparison
from dlx_tf.projects.cyclegan.translation_evaluation import (
    TranslationEvaluation,
    train_domain_classifier,
)
from dlx_tf.projects.cyclegan.translation_monitor import TranslationMonitor
from dlx_tf.ranges import NON_NEGATIVE, POSITIVE, RATE, at_least, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class CycleGANConfig(ExperimentConfig):
    # A tfds cycle_gan pair (summer2winter_yosemite, horse2zebra), a folder of trainA/ trainB/
    # testA/ testB/, or synthetic.
    data: str = "summer2winter_yosemite"
    epochs: int = 200  # n_epochs + n_epochs_decay (§7.1: 100 constant + 100 decaying)
    decay_epochs: int = 100  # the last epochs, over which the learning rate falls linearly to 0
    # Global: the paper's 1 image per step on one GPU. It cannot split over a TPU v2-8/v3-8's
    # 8 cores: there --set batch_size=8, 1 per core (as instance norm sees it), 8 per update.
    batch_size: int = 1
    load_size: int = 286  # resize, then random crop and flip (§7.1, official resize_and_crop)
    crop_size: int = 256  # training crop side; test images are resized to it
    filters: int = 64  # ngf = ndf
    # The generators: resnet (the paper's), ganilla (Hicsonmez et al. 2020, GANILLA's
    # ResNet-18 + FPN; crops a multiple of 16, at least 32) or unet (pix2pix's U-Net with
    # instance norm and no dropout, as the official code's --netG unet_256).
    generator: str = "resnet"
    # One run per generator named here, on the same data, judge and feature space, and a
    # comparison table; empty: one run of `generator`.
    compare_generators: tuple[str, ...] = ()
    residual_blocks: int = 9  # resnet generator only: 9 for 256², 6 for 128² (appendix 7.2)
    unet_downsamplings: int = 8  # unet generator only: 8 halves 256² to 1×1 (unet_256)
    discriminator_layers: int = 3  # 70×70 PatchGAN
    learning_rate: float = 2e-4  # Adam, all four networks, until the decay
    beta_1: float = 0.5  # Adam
    cycle_weight: float = 10.0  # λ of the cycle-consistency L1 (§4)
    identity_weight: float = 0.5  # the identity L1 weighs identity_weight · λ; 0 drops it
    pool_size: int = 50  # generated images each discriminator's history pool holds (§4)
    test_images: int = 0  # test images per domain for metrics (0: all)
    classifier_images: int = 500  # real training images per domain for the domain classifier
    classifier_epochs: int = 4  # of the domain classifier behind the translation score
    # Inception-v3 weights for realism/diversity on real data ("" = texture statistics).
    feature_weights: str = "imagenet"
    feature_images: int = 1500  # per season, for the attribute net that scores synthetic runs
    feature_epochs: int = 15  # of that attribute net
    synthetic_counts: tuple[int, ...] = (600, 600, 100, 100)  # trainA, trainB, testA, testB
    max_image_pixels: int = MAX_PIXELS  # larger images in a folder are skipped and reported
    # What one request to the exported translators may hold; larger ones are refused.
    serving_pixels_per_image: int = TRANSLATOR_LIMITS["pixels_per_image"]
    serving_batch: int = TRANSLATOR_LIMITS["batch"]  # images per request to the export, at most
    serving_bytes_per_image: int = TRANSLATOR_LIMITS["bytes_per_image"]  # PNG/JPEG requests
    jit_compile: bool = False  # XLA-compile the train step (a TPU compiles with XLA anyway)

    RANGES = {**ExperimentConfig.RANGES, "decay_epochs": NON_NEGATIVE, "load_size": POSITIVE,
              "crop_size": at_least(16), "filters": POSITIVE, "residual_blocks": POSITIVE,
              "unet_downsamplings": POSITIVE,
              "discriminator_layers": POSITIVE, "learning_rate": RATE,
              "beta_1": within(0, 1, high_open=True), "cycle_weight": NON_NEGATIVE,
              "identity_weight": NON_NEGATIVE, "pool_size": NON_NEGATIVE,
              "test_images": NON_NEGATIVE, "classifier_images": POSITIVE,
              "classifier_epochs": POSITIVE, "feature_images": POSITIVE,
              "feature_epochs": POSITIVE, "synthetic_counts": POSITIVE,
              "max_image_pixels": POSITIVE, "serving_pixels_per_image": at_least(64),
              "serving_batch": POSITIVE, "serving_bytes_per_image": POSITIVE}

    def __post_init__(self):
        super().__post_init__()
        for name in (self.generator, *self.compare_generators):
            setup.check_generator(name)


PROFILES = {
    "paper": CycleGANConfig(),
    # 64² scenes: at 32² a few thousand steps leave translations that hide the layout in
    # noise (CycleGAN's steganography); at 64² ~1.5k steps keep ridges and trees. Adam at
    # 2.5× the paper's rate makes up for the short schedule.
    "smoke": CycleGANConfig(
        data="synthetic", epochs=12, decay_epochs=6, batch_size=4, load_size=72,
        crop_size=64, filters=8, residual_blocks=3, unet_downsamplings=6, learning_rate=5e-4,
        test_images=100,
        synthetic_counts=(512, 512, 100, 100), feature_weights=""),
}


def main(config, run):
    data = load_unpaired(config.data, config.load_size, config.crop_size, seed=config.seed,
                         synthetic_counts=config.synthetic_counts,
                         max_pixels=config.max_image_pixels)
    pair, items = setup.pair_name(data.info), setup.training_images_a(data)
    space = setup.feature_space(data, config)
    data_info = dict(data.info, pair=pair, train_examples=int(items.cardinality()))
    run.describe_data(data_info, quality_features=space)
    test_a, test_b, answers_a, answers_b = (
        None if images is None else setup.as_unit_array(images, config.test_images)
        for images in (data.test_a, data.test_b, data.answers_a, data.answers_b))
    classifier = train_domain_classifier(
        setup.as_unit_array(data.train_a, config.classifier_images, config.crop_size),
        setup.as_unit_array(data.train_b, config.classifier_images, config.crop_size),
        seed=config.seed, epochs=config.classifier_epochs)
    evaluation = TranslationEvaluation(classifier, space, test_a, test_b, answers_a, answers_b)
    if not config.compare_generators:
        translate(config, run, data, items, evaluation)
        return
    # The same data, judge and feature space for every generator.
    for point in run.sweep("generator", config.compare_generators):
        point.describe_data(data_info, quality_features=space)
        translate(point.config, point, data, items, evaluation)
    report_comparison(run, config.compare_generators)


def translate(config, run, data, items, evaluation):
    """Trains, measures, saves and exports the CycleGAN of `config.generator`."""
    with run.scope():
        gan = setup.build_cyclegan(config, int(items.cardinality()) // config.batch_size)
        # Before any training (`run.fit` restores a resumed run's checkpoint); the first
        # call builds the generators, so it belongs in the scope.
        at_init = evaluation.measure(gan)
    networks = {"generator_a2b": gan.generator_a2b, "generator_b2a": gan.generator_b2a,
                "discriminator_a": gan.discriminator_a, "discriminator_b": gan.discriminator_b,
                "domain_classifier": evaluation.classifier}
    run.describe_models(networks)

    title = run.label(f"{data.info['domain_a']} ↔ {data.info['domain_b']}, "
                      f"{config.generator} generators")
    monitor = TranslationMonitor(gan, evaluation, title=title)
    run.fit(gan, items, callbacks=[monitor], shuffle_buffer=int(items.cardinality()),
            augment=setup.PairJitter(config.crop_size, setup.as_uint8_array(data.train_b)))
    run.log(evaluation.measure(gan))
    run.log({f"{name}_at_init": value for name, value in at_init.items()})
    run.log(evaluation.baselines(config.seed))
    run.log({"domain_classifier_test_accuracy": evaluation.domain_accuracy()})
    run.save_figure("translations", monitor.figure(f"{title}, after training", run.metrics))
    run.save_models(networks)

    warmup = {"images": np.asarray(from_unit_range(evaluation.test["a2b"][:2]))}
    limits = {"pixels_per_image": config.serving_pixels_per_image, "batch": config.serving_batch,
              "bytes_per_image": config.serving_bytes_per_image}
    for direction, generator in (("a2b", gan.generator_a2b), ("b2a", gan.generator_b2a)):
        run.export(setup.export_name(config.generator, setup.pair_name(data.info), direction),
                   resources=[generator],
                   endpoints=image_translator_endpoints(generator, limits=limits),
                   warmup_inputs=warmup, limits=limits)


if __name__ == "__main__":
    launch("cyclegan", PROFILES, main, description=__doc__)
