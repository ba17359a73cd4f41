"""Pegasus: a CIFAR-10 generator that draws a pegasus from what it learned of birds and
horses — a conditional DCGAN (Radford et al. 2015, https://arxiv.org/abs/1511.06434) and
ACAI (Berthelot et al. 2018, https://arxiv.org/abs/1807.07543), judged by a classifier
trained in the same run.

    python experiments/pegasus.py                          # smoke: synthetic CIFAR-like, CPU
    python experiments/pegasus.py --profile paper          # tfds cifar10, DCGAN + ACAI
    python experiments/pegasus.py --profile paper_wgan_gp  # WGAN-GP critic (Gulrajani 2017)
    python experiments/pegasus.py --profile paper_sngan    # spectral norm + hinge (Miyato 2018)
    python experiments/pegasus.py --profile paper --set classes=bird,horse

Smoke result (2 CPU cores, seed 0): see README "Pegasus".
"""

import dataclasses
import os

import keras
import numpy as np

from dlx_tf.data.cifar10 import BIRD, HORSE, load_cifar10
from dlx_tf.data.unpaired_images import from_unit_range, to_unit_range
from dlx_tf.errors import UsageError
from dlx_tf.export.image_generator import (
    conditional_generator_endpoints,
    interpolator_endpoints,
)
from dlx_tf.losses.adversarial import ADVERSARIAL_LOSSES
from dlx_tf.models.dcgan import (
    ACAICritic,
    ACAIDecoder,
    ACAIEncoder,
    DCGANDiscriminator,
    DCGANGenerator,
    JudgeClassifier,
    pegasus_search,
)
from dlx_tf.models.dcgan.acai import ACAI
from dlx_tf.models.dcgan.dcgan import DCGAN
from dlx_tf.models.dcgan.pegasus_monitor import PegasusMonitor
from dlx_tf.models.dcgan.pegasus_report import write_design_report
from dlx_tf.training.classifier_trainer import ClassifierTrainer
from dlx_tf.training.job import ExperimentConfig, ExportSpec, Job
from dlx_tf.training.joint import JointTrainer
from dlx_tf.training.run_record import parameter_counts
from dlx_tf.training.runner import run_experiment
from dlx_tf.viz.grids import plot_image_grid
from dlx_tf.viz.model_diagram import plot_model_diagram, trace_layers


@dataclasses.dataclass(frozen=True)
class PegasusConfig(ExperimentConfig):
    data: str = "cifar10"
    classes: tuple[str, ...] = ()  # empty: all ten; e.g. bird,horse
    epochs: int = 100
    batch_size: int = 64  # ACAI's and Gulrajani's batch (Radford used 128)
    # Conditional DCGAN (Radford §3-4).
    latent_dim: int = 100
    embedding_dim: int = 32
    filters: int = 64
    loss: str = "non_saturating"  # non_saturating | hinge | wgan_gp
    n_critic: int = 1  # critic batches per generator step (each 1/n_critic of the batch)
    gradient_penalty_weight: float = 10.0
    discriminator_normalization: str = "batch"  # batch | layer | none
    spectral_norm: bool = False
    gan_learning_rate: float = 2e-4
    gan_beta_1: float = 0.5
    gan_beta_2: float = 0.999
    # ACAI (official code defaults for cifar10: depth 64, latent 16 at 4×4, λ 0.5, γ 0.2).
    acai_depth: int = 64
    acai_latent: int = 16
    acai_scales: int = 3
    adversarial_weight: float = 0.5
    regularization: float = 0.2
    acai_learning_rate: float = 1e-4
    # The judge and the search.
    judge_filters: int = 32
    judge_learning_rate: float = 1e-3
    samples_per_class: int = 100
    pegasus_candidates: int = 2048
    test_images: int = 2000
    synthetic_counts: tuple[int, ...] = (5000, 1000)  # train, test


PAPER = PegasusConfig()
PROFILES = {
    "paper": PAPER,
    # Gulrajani et al. 2017, Algorithm 1: λ 10, n_critic 5, Adam 1e-4 β (0, 0.9); no batch
    # norm in the critic (§4), layer norm instead. 5 critic batches of 64 per step.
    "paper_wgan_gp": dataclasses.replace(
        PAPER, loss="wgan_gp", n_critic=5, batch_size=320, discriminator_normalization="layer",
        gan_learning_rate=1e-4, gan_beta_1=0.0, gan_beta_2=0.9),
    # Miyato et al. 2018: spectral norm on every D layer, no batch norm, hinge loss.
    "paper_sngan": dataclasses.replace(
        PAPER, loss="hinge", spectral_norm=True, discriminator_normalization="none"),
    # Small networks and few steps for 2 CPU cores; higher learning rates so that 200
    # steps show learning (the paper profiles keep the papers' rates).
    "smoke": dataclasses.replace(
        PAPER, data="synthetic", epochs=5, batch_size=32, latent_dim=32, embedding_dim=16,
        filters=16, gan_learning_rate=5e-4, acai_depth=8, acai_latent=8,
        acai_learning_rate=1e-3, judge_filters=8, samples_per_class=20,
        pegasus_candidates=512, test_images=400, synthetic_counts=(1280, 400)),
}


def build(config, env):
    _validate(config, env.strategy.num_replicas_in_sync)
    data = load_cifar10(config.data, classes=config.classes or None, seed=config.seed,
                        synthetic_counts=config.synthetic_counts)
    info = data.info
    names = info["class_names"]
    test_images, test_labels = _arrays(data.test, config.test_images)

    trainers = players(config, len(names))
    dcgan, acai, baseline = trainers["dcgan"], trainers["acai"], trainers["baseline"]
    generator, discriminator = dcgan.generator, dcgan.discriminator
    judge = JudgeClassifier(num_classes=len(names), filters=config.judge_filters, name="judge")
    judge_trainer = ClassifierTrainer(judge, name="judge_trainer")
    judge_trainer.compile(keras.optimizers.Adam(config.judge_learning_rate))
    joint = JointTrainer(dict(trainers, judge=judge_trainer), name="pegasus")
    joint.compile()

    synthetic = " (synthetic data)" if info["synthetic"] else ""
    title = f"Pegasus, {info['source'].split(' (')[0]}{synthetic}"
    autoencoders = {"acai": acai, "baseline": baseline}
    monitor = PegasusMonitor(
        generator, judge, autoencoders, test_images, names,
        plots_dir=env.plots_dir if env.is_chief else None,
        tensorboard_dir=os.path.join(env.run_dir, "tensorboard", "samples") if env.is_chief
        else None,
        title=title, per_class=config.samples_per_class, seed=config.seed)
    submodels = {"generator": generator, "discriminator": discriminator,
                 "acai_encoder": acai.encoder, "acai_decoder": acai.decoder,
                 "acai_critic": acai.critic, "baseline_encoder": baseline.encoder,
                 "baseline_decoder": baseline.decoder, "baseline_critic": baseline.critic,
                 "judge": judge}
    search, final_metrics = {}, {}

    def evaluate(metrics):
        judge_logits = pegasus_search.batched_call(lambda x: judge(x, training=False), test_images)
        metrics = {"judge_test_accuracy": float(np.mean(judge_logits.argmax(1) == test_labels))}
        search.update(_search_pegasus(config, generator, discriminator, autoencoders, judge,
                                      test_images, test_labels))
        best = search["best"]
        metrics.update(pegasus_best_score=best["score"], pegasus_best_p_bird=best["p_bird"],
                       pegasus_best_p_horse=best["p_horse"],
                       pegasus_best_from_acai=float(best["method"] == "acai"))
        final_metrics.update(metrics, **monitor.measure())
        return metrics

    def plots():
        images = _draw_pegasus(env.plots_dir, search, title)
        images["class samples"] = os.path.join(env.plots_dir, "class_samples.png")
        monitor.draw(images["class samples"], f"{title}: one row per class, after training")
        images["model diagram"] = _draw_diagram(env.plots_dir, submodels, config, title)
        design = os.path.join(env.run_dir, "design.md")
        write_design_report(
            design, title=title, config=dataclasses.asdict(config), data_info=info,
            parameter_counts=parameter_counts(submodels), metrics=final_metrics,
            best=search["best"], images=images)
        return dict(images, design=design)

    def exports(metrics):
        suffix = "synthetic_cifar" if info["synthetic"] else "cifar10"
        rng = np.random.default_rng(config.seed)
        half = pegasus_search.mixture(len(names), {BIRD: np.full(2, 0.5), HORSE: np.full(2, 0.5)})
        uint8 = np.asarray(from_unit_range(test_images[:4]))
        return [
            ExportSpec(f"pegasus_dcgan_{suffix}", [generator],
                       conditional_generator_endpoints(generator, config.latent_dim, len(names)),
                       {"latents": rng.standard_normal((2, config.latent_dim)).astype("float32"),
                        "class_mixture": half}),
            ExportSpec(f"pegasus_acai_{suffix}", [acai.encoder, acai.decoder],
                       interpolator_endpoints(acai.interpolate, 32, 32),
                       {"images_a": uint8[:2], "images_b": uint8[2:4],
                        "alpha": np.asarray([0.25, 0.5], "float32")}),
        ]

    return Job(
        model=joint,
        train_data=data.train.map(lambda image, label: (to_unit_range(image), label)),
        data_info=info,
        shuffle_buffer=10_000,
        submodels=submodels,
        callbacks=[monitor],
        evaluate=evaluate,
        plots=plots,
        exports=exports,
    )


def _validate(config, replicas):
    if config.loss not in ADVERSARIAL_LOSSES:
        raise UsageError(f"--set loss={config.loss}: expected one of {ADVERSARIAL_LOSSES}")
    if config.discriminator_normalization not in ("batch", "layer", "none"):
        raise UsageError(f"--set discriminator_normalization={config.discriminator_normalization}"
                         ": expected batch, layer or none")
    if config.batch_size % (config.n_critic * replicas):
        raise UsageError(f"batch_size {config.batch_size} must split into n_critic "
                         f"{config.n_critic} critic batches on each of {replicas} replicas")


def players(config, num_classes):
    """The compiled conditional DCGAN, ACAI and its plain-autoencoder baseline."""
    generator = DCGANGenerator(latent_dim=config.latent_dim, num_classes=num_classes,
                               embedding_dim=config.embedding_dim, filters=config.filters,
                               name="generator")
    discriminator = DCGANDiscriminator(
        num_classes=num_classes, filters=config.filters, spectral_norm=config.spectral_norm,
        normalization=None if config.discriminator_normalization == "none"
        else config.discriminator_normalization, name="discriminator")
    dcgan = DCGAN(generator, discriminator, loss=config.loss, n_critic=config.n_critic,
                  gradient_penalty_weight=config.gradient_penalty_weight, seed=config.seed,
                  name="dcgan")
    dcgan.compile(*[keras.optimizers.Adam(config.gan_learning_rate, beta_1=config.gan_beta_1,
                                          beta_2=config.gan_beta_2) for _ in range(2)])
    return {"dcgan": dcgan,
            "acai": _acai(config, num_classes, "acai", config.adversarial_weight),
            # The paper's plain autoencoder: the same model with λ = 0.
            "baseline": _acai(config, num_classes, "baseline", 0.0)}


def _acai(config, num_classes, name, adversarial_weight):
    def encoder(role):
        return ACAIEncoder(depth=config.acai_depth, latent=config.acai_latent,
                           scales=config.acai_scales, name=f"{name}_{role}")

    model = ACAI(encoder("encoder"),
                 ACAIDecoder(depth=config.acai_depth, scales=config.acai_scales,
                             name=f"{name}_decoder"),
                 ACAICritic(depth=config.acai_depth, latent=config.acai_latent,
                            scales=config.acai_scales, name=f"{name}_critic"),
                 num_classes=num_classes, adversarial_weight=adversarial_weight,
                 regularization=config.regularization, seed=config.seed, name=name)
    model.compile(*[keras.optimizers.Adam(config.acai_learning_rate) for _ in range(3)])
    return model


def _arrays(images, limit):
    """float32 images in [-1, 1] and int labels, the first `limit` of a dataset."""
    batches = [(np.asarray(to_unit_range(x)), np.asarray(y))
               for x, y in images.take(limit).batch(512)]
    return (np.concatenate([x for x, _ in batches]),
            np.concatenate([y for _, y in batches]))


def _search_pegasus(config, generator, discriminator, autoencoders, judge, test_images,
                    test_labels):
    birds, horses = test_images[test_labels == BIRD], test_images[test_labels == HORSE]
    if not len(birds) or not len(horses):
        raise UsageError("the pegasus needs birds (class 2) and horses (class 7) in the data; "
                         f"the test images hold classes {sorted(set(test_labels.tolist()))}")
    acai = autoencoders["acai"]
    half = config.pegasus_candidates // 2
    candidates = (pegasus_search.dcgan_candidates(generator, half, config.seed, BIRD, HORSE)
                  + pegasus_search.acai_candidates(acai, birds, horses, half, config.seed))
    scores = pegasus_search.score_candidates(candidates.images, judge, discriminator,
                                             acai.critic, BIRD, HORSE)
    order = np.argsort(-scores["score"], kind="stable")
    best = {key: float(values[order[0]]) for key, values in scores.items()}
    best.update(method=candidates.methods[order[0]], description=candidates.descriptions[order[0]])
    strips = pegasus_search.interpolation_strips(
        generator, {"ACAI": acai, "plain autoencoder": autoencoders["baseline"]}, birds[0],
        horses[0], steps=9, seed=config.seed, bird=BIRD, horse=HORSE)
    top = pegasus_search.diverse_top(order, candidates.groups, 64)
    return {"top": candidates.take(top), "top_scores": scores["score"][top], "best": best,
            "strips": strips}


def _draw_pegasus(plots_dir, search, title):
    top, best = search["top"], search["best"]
    paths = {"best pegasus": os.path.join(plots_dir, "pegasus_best.png"),
             "top 64 pegasi": os.path.join(plots_dir, "pegasus_top64.png"),
             "bird → horse interpolations": os.path.join(plots_dir, "interpolations.png")}
    plot_image_grid([_unit(top.images[0])], [f"{best['description']}\nscore {best['score']:.3f}"
                                             f" (p_bird {best['p_bird']:.2f}, p_horse "
                                             f"{best['p_horse']:.2f})"],
                    paths["best pegasus"], f"{title}: the best pegasus", columns=1)
    plot_image_grid(_unit(top.images),
                    [f"{m} {s:.2f}" for m, s in zip(top.methods, search["top_scores"])],
                    paths["top 64 pegasi"],
                    f"{title}: the 64 best candidates, one per source first")
    strips = search["strips"]
    steps = len(next(iter(strips.values())))
    captions = [name if column == 0 else "" for name in strips for column in range(steps)]
    plot_image_grid(_unit(np.concatenate(list(strips.values()))), captions,
                    paths["bird → horse interpolations"],
                    f"{title}: bird → horse, one row per method", columns=steps)
    return paths


def _draw_diagram(plots_dir, submodels, config, title):
    latents = np.zeros((1, config.latent_dim), "float32")
    one_hot = np.eye(submodels["generator"].num_classes, dtype="float32")[:1]
    image = np.zeros((1, 32, 32, 3), "float32")
    latent_map = np.asarray(submodels["acai_encoder"](image))
    networks = [
        ("DCGAN generator", f"latent {config.latent_dim} + class mixture",
         trace_layers(submodels["generator"], (latents, one_hot))),
        ("DCGAN discriminator", "image 32×32×3 + class mixture",
         trace_layers(submodels["discriminator"], (image, one_hot))),
        ("ACAI encoder", "image 32×32×3", trace_layers(submodels["acai_encoder"], image)),
        ("ACAI decoder", "latent " + "×".join(map(str, latent_map.shape[1:])),
         trace_layers(submodels["acai_decoder"], latent_map)),
        ("ACAI critic", "image (a decoded mix)", trace_layers(submodels["acai_critic"], image)),
        ("judge classifier", "image 32×32×3", trace_layers(submodels["judge"], image)),
    ]
    path = os.path.join(plots_dir, "model_diagram.png")
    plot_model_diagram(networks, path, f"{title}: the networks, as traced")
    return path


def _unit(images):
    return np.clip((np.asarray(images) + 1) / 2, 0, 1)


if __name__ == "__main__":
    run_experiment("pegasus", PROFILES, build, description=__doc__)
