"""Pegasus: a CIFAR-10 generator that draws a pegasus from what it learned of birds and
horses — a conditional DCGAN (Radford et al. 2015, https://arxiv.org/abs/1511.06434) and
ACAI (Berthelot et al. 2018, https://arxiv.org/abs/1807.07543), judged by a classifier
trained in the same run.

    python experiments/pegasus.py                          # smoke: synthetic CIFAR-like, CPU
    python experiments/pegasus.py --profile paper          # tfds cifar10, DCGAN + ACAI
    python experiments/pegasus.py --profile paper_wgan_gp  # WGAN-GP critic (Gulrajani 2017)
    python experiments/pegasus.py --profile paper_sngan    # spectral norm + hinge (Miyato 2018)
    python experiments/pegasus.py --profile paper --set classes=bird,horse

Smoke result (2 CPU cores, seed 0): see docs/pegasus.md.
"""

import dataclasses

from dlx_tf.data.cifar10 import load_cifar10
from dlx_tf.data.unpaired_images import to_unit_range
from dlx_tf.evaluation.sample_quality import SampleQuality
from dlx_tf.projects.pegasus import pegasus_setup
from dlx_tf.projects.pegasus.pegasus_curves import PEGASUS_CURVES
from dlx_tf.projects.pegasus.pegasus_exports import pegasus_exports
from dlx_tf.projects.pegasus.pegasus_monitor import PegasusMonitor
from dlx_tf.projects.pegasus.pegasus_report import report_pegasus
from dlx_tf.projects.pegasus.pegasus_search import best_pegasus_metrics, search_pegasus
from dlx_tf.ranges import NON_NEGATIVE, POSITIVE, RATE, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.joint import JointTrainer
from dlx_tf.training.launch import launch


@dataclasses.dataclass(frozen=True)
class PegasusConfig(ExperimentConfig):
    data: str = "cifar10"  # cifar10 (tfds) or synthetic
    classes: tuple[str, ...] = ()  # empty: all ten; e.g. bird,horse
    epochs: int = 100  # training epochs
    # Global: ACAI's and Gulrajani's 64 on one GPU (Radford used 128); 8 per core on a TPU
    # v2-8/v3-8. It must split into n_critic critic batches on every replica.
    batch_size: int = 64
    # Conditional DCGAN (Radford §3-4).
    latent_dim: int = 100  # the generator's noise vector
    embedding_dim: int = 32  # the generator's class embedding
    filters: int = 64  # ngf = ndf: the generator's last and the discriminator's first layer
    loss: str = "non_saturating"  # non_saturating | hinge | wgan_gp
    n_critic: int = 1  # critic batches per generator step (each 1/n_critic of the batch)
    gradient_penalty_weight: float = 10.0  # λ of WGAN-GP's penalty (loss=wgan_gp only)
    discriminator_normalization: str = "batch"  # batch | layer | none
    spectral_norm: bool = False  # on every discriminator layer (SN-GAN)
    gan_learning_rate: float = 2e-4  # Adam, generator and discriminator
    gan_beta_1: float = 0.5  # Adam, generator and discriminator
    gan_beta_2: float = 0.999  # Adam, generator and discriminator
    # ACAI (official code defaults for cifar10: depth 64, latent 16 at 4×4, λ 0.5, γ 0.2).
    acai_depth: int = 64  # channels of the first scale, doubled at each
    acai_latent: int = 16  # latent channels (at 4×4 with 3 scales)
    acai_scales: int = 3  # 2×2 poolings in the encoder, upsamplings in the decoder
    adversarial_weight: float = 0.5  # λ of ACAI's critic term (the baseline has 0)
    regularization: float = 0.2  # γ: the critic's real inputs are x̂ + γ(x - x̂)
    acai_learning_rate: float = 1e-4  # Adam, autoencoders and critics
    # The judge and the search.
    judge_filters: int = 32  # the judge classifier's first block (doubled in each of 3)
    judge_learning_rate: float = 1e-3  # Adam, the judge
    samples_per_class: int = 100  # generated per class for each epoch's quality metrics
    # Inception-v3 weights for realism/diversity on CIFAR-10 ("" = texture statistics).
    feature_weights: str = "imagenet"
    feature_images: int = 3000  # for the attribute net that scores synthetic runs
    feature_epochs: int = 15  # of that attribute net
    pegasus_candidates: int = 2048  # pegasi the search scores, half DCGAN, half ACAI
    test_images: int = 2000  # real test images for the metrics and the search
    synthetic_counts: tuple[int, ...] = (5000, 1000)  # train, test
    jit_compile: bool = False  # XLA-compile the train step (a TPU compiles with XLA anyway)

    RANGES = {**ExperimentConfig.RANGES, "latent_dim": POSITIVE, "embedding_dim": POSITIVE,
              "filters": POSITIVE, "n_critic": POSITIVE, "gradient_penalty_weight": NON_NEGATIVE,
              "gan_learning_rate": RATE, "gan_beta_1": within(0, 1, high_open=True),
              "gan_beta_2": within(0, 1, high_open=True), "acai_depth": POSITIVE,
              "acai_latent": POSITIVE, "acai_scales": POSITIVE,
              "adversarial_weight": NON_NEGATIVE, "regularization": NON_NEGATIVE,
              "acai_learning_rate": RATE, "judge_filters": POSITIVE, "judge_learning_rate": RATE,
              "samples_per_class": POSITIVE, "feature_images": POSITIVE,
              "feature_epochs": POSITIVE, "pegasus_candidates": POSITIVE,
              "test_images": POSITIVE, "synthetic_counts": POSITIVE}


# Every player trains on every batch: how far each profile is from each paper's budget
# (78.1k steps at 64 here; 200k WGAN-GP iterations, 2^24 ACAI images) is in docs/pegasus.md.
PAPER = PegasusConfig()
PROFILES = {
    "paper": PAPER,
    # Gulrajani et al. 2017, Algorithm 1: λ 10, n_critic 5, Adam 1e-4 β (0, 0.9); no batch
    # norm in the critic (§4), layer norm instead. 5 critic batches of 64 per step, so
    # 100 epochs are 15.6k generator iterations of the official 200k (--set epochs=1280).
    # On a TPU v2-8/v3-8 the 320 are 40 per core, 8 per critic batch.
    "paper_wgan_gp": dataclasses.replace(
        PAPER, loss="wgan_gp", n_critic=5, batch_size=320, discriminator_normalization="layer",
        gan_learning_rate=1e-4, gan_beta_1=0.0, gan_beta_2=0.9),
    # Miyato et al. 2018: spectral norm on every D layer, no batch norm, hinge loss.
    "paper_sngan": dataclasses.replace(
        PAPER, loss="hinge", spectral_norm=True, discriminator_normalization="none"),
    # Small networks and few steps for 2 CPU cores, at the paper's latent size and rate:
    # a 32-d latent or a 5e-4 rate made the generator ignore its latent within 200 steps
    # (within-class diversity 0.2-0.5 of the data's, falling as training went on).
    "smoke": dataclasses.replace(
        PAPER, data="synthetic", epochs=10, batch_size=32, embedding_dim=16, filters=16,
        acai_depth=8, acai_latent=8, acai_learning_rate=1e-3, judge_filters=8,
        samples_per_class=20, pegasus_candidates=512, test_images=400,
        synthetic_counts=(1280, 400), feature_weights=""),
}


def main(config, run):
    pegasus_setup.check_config(config, run.strategy.num_replicas_in_sync)
    data = load_cifar10(config.data, classes=config.classes or None, seed=config.seed,
                        synthetic_counts=config.synthetic_counts)
    space = pegasus_setup.feature_space(data.info, config)
    run.describe_data(data.info, quality_features=space)
    test_images, test_labels = pegasus_setup.unit_arrays(data.test, config.test_images)
    title = run.label(f"Pegasus, {data.info['source'].split(' (')[0]}")
    with run.scope():
        players = pegasus_setup.PegasusPlayers(config, len(data.info["class_names"]))
        joint = JointTrainer(players.trainers, name="pegasus")
        joint.compile(jit_compile=config.jit_compile)
        monitor = PegasusMonitor(
            players.generator, players.judge, players.autoencoders,
            SampleQuality(space, test_images, test_labels), test_images,
            data.info["class_names"], title=title, classes=data.info["classes"],
            per_class=config.samples_per_class, seed=config.seed, test_labels=test_labels)
        at_init = monitor.measure()  # before `run.fit` restores a resumed run's checkpoint
    run.describe_models(players.networks)
    run.fit(joint, data.train.map(lambda image, label: (to_unit_range(image), label)),
            callbacks=[monitor], curves=PEGASUS_CURVES)

    run.log({f"{name}_at_init": value for name, value in at_init.items()})
    run.log({"judge_test_accuracy": pegasus_setup.accuracy(players.judge, test_images,
                                                           test_labels)})
    search = search_pegasus(players, test_images, test_labels, config.pegasus_candidates,
                            config.seed, space)
    run.log(best_pegasus_metrics(search))
    report_pegasus(run, search, monitor, players, title)
    run.save_models(players.networks)
    for model_name, export in pegasus_exports(players, test_images, config.seed,
                                              data.info["synthetic"]):
        run.export(model_name, **export)


if __name__ == "__main__":
    launch("pegasus", PROFILES, main, description=__doc__)
