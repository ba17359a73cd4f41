"""The sections of a Pegasus run's `plots/history.png`: what each player logs while it
trains, then what `PegasusMonitor` measures after every epoch (generated samples against
real test images, and the autoencoders on test images), each series named for what it is."""

from dlx_tf.viz.curves import Panel

_AUTOENCODERS = {"acai": "ACAI", "baseline": "baseline (λ = 0)"}
_TRAINING = "train"


def _both_autoencoders(title, key):
    """ACAI beside its λ = 0 baseline for `key` (with `{}` for the autoencoder's name)."""
    return Panel(title, {key.format(name): label for name, label in _AUTOENCODERS.items()})


def _alpha_by_critic(critic, critic_label):
    return Panel(f"α the {critic_label} critic sees in test interpolants (0: looks real)", {
        **{f"{name}_interpolation_alpha_by_{critic}_critic": label
           for name, label in _AUTOENCODERS.items()},
        "interpolation_true_alpha_mean": "true mean α"})


PEGASUS_CURVES = [
    ("Conditional DCGAN, while training", [
        Panel("Generator loss", {"dcgan_generator_loss": _TRAINING}),
        Panel("Discriminator loss", {"dcgan_discriminator_loss": _TRAINING}),
        Panel("Discriminator's mean score", {"dcgan_real_score": "real images",
                                             "dcgan_fake_score": "generated images"}),
        Panel("Gradient penalty (WGAN-GP)", {"dcgan_gradient_penalty": _TRAINING}),
    ]),
    ("Judge classifier on real images, while training", [
        Panel("Judge loss", {"judge_loss": _TRAINING}),
        Panel("Judge accuracy", {"judge_accuracy": _TRAINING}),
    ]),
    ("ACAI and its λ = 0 baseline, while training", [
        _both_autoencoders("Reconstruction loss", "{}_reconstruction_loss"),
        _both_autoencoders("Autoencoder's adversarial loss (critic's α² on its interpolants)",
                           "{}_autoencoder_adversarial_loss"),
        _both_autoencoders("Critic loss (α regression)", "{}_critic_loss"),
        _both_autoencoders("Critic loss on blended reconstructions", "{}_critic_real_loss"),
        _both_autoencoders("Latent probe loss", "{}_probe_loss"),
        _both_autoencoders("Latent probe accuracy", "{}_probe_accuracy"),
    ]),
    ("Evaluated after every epoch: generated samples against real test images", [
        Panel("KID (lower: closer to the real images)",
              {"generated_kid": "KID", "generated_kid_std": "its std over subsets"}),
        Panel("Precision and recall", {"generated_precision": "precision",
                                       "generated_recall": "recall"}),
        Panel("Diversity within class (1: as varied as the data)",
              {"generated_diversity": "generated samples"}),
        Panel("Judge accuracy on generated samples", {"generated_judge_accuracy":
                                                      "generated samples"}),
    ]),
    ("Evaluated after every epoch: the autoencoders on test images", [
        _both_autoencoders("Test reconstruction MSE", "test_{}_reconstruction_mse"),
        _alpha_by_critic("acai", "ACAI"),
        _alpha_by_critic("baseline", "baseline"),
    ]),
]
