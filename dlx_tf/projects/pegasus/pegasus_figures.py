"""The figures of a Pegasus run: the best pegasus, the top 64, bird → horse strips and the
networks as traced."""

import numpy as np

from dlx_tf.viz.grids import plot_image_grid, plot_image_rows
from dlx_tf.viz.model_diagram import plot_model_diagram, trace_layers


def save_pegasus_figures(run, search, monitor, networks, latent_dim, title):
    """Saves every final figure through `run`; returns `{caption: path}` for the report
    (paths are None off the chief)."""
    return {caption: run.save_figure(name, figure) for caption, name, figure in (
        ("best pegasus", "pegasus_best", best_pegasus_figure(search, title)),
        ("top 64 pegasi", "pegasus_top64", top_pegasi_figure(search, title)),
        ("bird → horse interpolations", "interpolations", interpolation_figure(search, title)),
        ("class samples", "class_samples",
         monitor.figure(f"{title}: one row per class, after training", run.metrics)),
        ("model diagram", "model_diagram", model_diagram_figure(networks, latent_dim, title)))}


def best_pegasus_figure(search, title):
    best = search["best"]
    caption = (f"{best['description']}\nscore {best['score']:.3f} (p_bird "
               f"{best['p_bird']:.2f}, p_horse {best['p_horse']:.2f})")
    return plot_image_grid([_unit(search["top"].images[0])], [caption],
                           f"{title}: the best pegasus", columns=1)


def top_pegasi_figure(search, title):
    top = search["top"]
    captions = [f"{method} {score:.2f}" for method, score in zip(top.methods,
                                                                   search["top_scores"])]
    return plot_image_grid(_unit(top.images), captions,
                           f"{title}: the {len(top.images)} best distinct candidates (of up to"
                           " 64), one per source first")


def interpolation_figure(search, title):
    return plot_image_rows({name: _unit(strip) for name, strip in search["strips"].items()},
                           f"{title}: bird → horse, one row per method")


def model_diagram_figure(submodels, latent_dim, title):
    """Every network of the run traced on one zero input; `submodels` as
    `pegasus_setup.submodels` names them."""
    latents = np.zeros((1, latent_dim), "float32")
    one_hot = np.eye(submodels["generator"].num_classes, dtype="float32")[:1]
    image = np.zeros((1, 32, 32, 3), "float32")
    latent_map = np.asarray(submodels["acai_encoder"](image))
    networks = [
        ("DCGAN generator", f"latent {latent_dim} + class mixture",
         trace_layers(submodels["generator"], (latents, one_hot))),
        ("DCGAN discriminator", "image 32×32×3 + class mixture",
         trace_layers(submodels["discriminator"], (image, one_hot))),
        ("ACAI encoder", "image 32×32×3", trace_layers(submodels["acai_encoder"], image)),
        ("ACAI decoder", "latent " + "×".join(map(str, latent_map.shape[1:])),
         trace_layers(submodels["acai_decoder"], latent_map)),
        ("ACAI critic", "image (a decoded mix)", trace_layers(submodels["acai_critic"], image)),
        ("judge classifier", "image 32×32×3", trace_layers(submodels["judge"], image)),
    ]
    return plot_model_diagram(networks, f"{title}: the networks, as traced")


def _unit(images):
    return np.clip((np.asarray(images) + 1) / 2, 0, 1)
