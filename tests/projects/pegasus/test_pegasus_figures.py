"""The final figures of a Pegasus run, saved through the run under their names."""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_layout import layout_problems

from dlx_tf.projects.pegasus.pegasus_figures import save_pegasus_figures
from dlx_tf.projects.pegasus.pegasus_search import Candidates
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from dlx_tf.viz.grids import plot_image_grid
from experiments.pegasus import PROFILES

STRIP_STEPS = 3


def _images(count, low=-1.0, high=1.0):
    return np.linspace(low, high, count * 32 * 32 * 3, dtype="float32").reshape(count, 32, 32, 3)


def _search():
    top = Candidates(_images(3), ["dcgan", "acai", "dcgan"],
                     ["DCGAN, condition 0.5 bird + 0.5 horse", "ACAI, latent 0.3 bird + 0.7 horse",
                      "DCGAN, slerp t=0.25 between two latents, 50/50 condition"],
                     ["dcgan latent 0", "acai bird 1", "dcgan pair 0"])
    best = {"description": top.descriptions[0], "score": 0.61, "p_bird": 0.4, "p_horse": 0.45,
            "realism": 0.8, "method": "dcgan"}
    strips = {"DCGAN: condition bird → horse, one latent": _images(STRIP_STEPS),
              "ACAI: latent interpolation bird → horse": _images(STRIP_STEPS, -0.5, 0.5)}
    return {"best": best, "top": top, "top_scores": np.asarray([0.61, 0.5, 0.4]),
            "strips": strips}


class _SamplesMonitor:
    """Stands in for `PegasusMonitor.figure`."""

    def figure(self, title, metrics):
        return plot_image_grid(np.zeros((2, 4, 4, 3)), ["bird", "horse"], title, columns=1)


class _RecordingRun:
    """A stand-in `Run` that keeps each saved figure's name and returns a path, or None as
    a worker other than the chief does."""

    def __init__(self, chief=True):
        self.chief = chief
        self.figures = {}
        self.metrics = {"generated_diversity": 0.5}

    def save_figure(self, name, figure, artifact=True):
        self.figures[name] = (figure, artifact)
        return f"/runs/pegasus/plots/{name}.png" if self.chief else None


@pytest.fixture(scope="module")
def networks():
    config = dataclasses.replace(PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4,
                                 acai_depth=2, acai_latent=3, judge_filters=2)
    networks = PegasusPlayers(config, num_classes=3).networks
    # Unbuilt: the diagram builds each network before tracing it, so layers count once.
    return networks


@pytest.fixture(scope="module")
def saved(networks):
    run = _RecordingRun()
    images = save_pegasus_figures(run, _search(), _SamplesMonitor(), networks, 6, "Pegasus, T")
    yield run, images
    plt.close("all")


def test_the_five_figures_are_saved_as_artifacts_under_their_names(saved):
    run, images = saved
    names = ["pegasus_best", "pegasus_top64", "interpolations", "class_samples",
             "model_diagram"]
    assert list(run.figures) == names
    assert all(artifact for _, artifact in run.figures.values())
    assert images == {caption: f"/runs/pegasus/plots/{name}.png" for caption, name in zip(
        ["best pegasus", "top 64 pegasi", "bird → horse interpolations", "class samples",
         "model diagram"], names)}


def test_the_figures_show_the_search(saved):
    run, _ = saved
    best = run.figures["pegasus_best"][0]
    assert best.get_suptitle() == "Pegasus, T: the best pegasus"
    assert best.axes[0].get_title() == ("DCGAN, condition 0.5 bird + 0.5 horse\nscore 0.610 "
                                        "(p_bird 0.40, p_horse 0.45)")
    np.testing.assert_allclose(best.axes[0].images[0].get_array(),
                               (_search()["top"].images[0] + 1) / 2, atol=1e-6)
    top = run.figures["pegasus_top64"][0]
    assert [axis.get_title() for axis in top.axes if axis.images] == [
        "dcgan 0.61", "acai 0.50", "dcgan 0.40"]
    strips = run.figures["interpolations"][0]
    assert len(strips.axes) == 2 * STRIP_STEPS  # one row per method, one column per step
    assert [row.get_suptitle() for row in strips.subfigs] == [
        "DCGAN: condition bird → horse, one latent", "ACAI: latent interpolation bird → horse"]
    # The title wraps to the figure's width.
    assert run.figures["class_samples"][0].get_suptitle().replace("\n", " ") == (
        "Pegasus, T: one row per class, after training")


def test_no_figure_cuts_off_or_overlaps_its_text(saved):
    for name, (figure, _) in saved[0].figures.items():
        assert layout_problems(figure) == [], name


def test_the_model_diagram_traces_every_network_with_its_parameters(saved, networks):
    diagram = saved[0].figures["model_diagram"][0]
    assert diagram.get_suptitle() == "Pegasus, T: the networks, as traced"
    headings = [text.get_text().split("\n") for text in diagram.axes[0].texts
                if text.get_text().endswith(" parameters")]
    assert [heading for heading, _ in headings] == [
        "DCGAN generator", "DCGAN discriminator", "ACAI encoder", "ACAI decoder", "ACAI critic",
        "judge classifier"]
    for (_, parameters), name in zip(headings, ["generator", "discriminator", "acai_encoder",
                                                "acai_decoder", "acai_critic", "judge"]):
        assert parameters == f"{networks[name].count_params():,} parameters", name


def test_off_the_chief_the_figures_have_no_paths(networks):
    images = save_pegasus_figures(_RecordingRun(chief=False), _search(), _SamplesMonitor(),
                                  networks, 6, "T")
    plt.close("all")
    assert len(images) == 5 and set(images.values()) == {None}
