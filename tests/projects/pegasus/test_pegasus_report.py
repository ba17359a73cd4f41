"""A Pegasus run's `design.md`: networks, losses, results and figures, from the run itself."""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from dlx_tf.projects.pegasus.pegasus_report import report_pegasus, write_design_report
from dlx_tf.projects.pegasus.pegasus_search import Candidates
from dlx_tf.projects.pegasus.pegasus_setup import PegasusPlayers
from dlx_tf.viz.grids import plot_image_grid
from experiments.pegasus import PROFILES

BEST = {"description": "ACAI, latent 0.4 bird + 0.6 horse", "score": 0.4321, "p_bird": 0.41,
        "p_horse": 0.38, "realism": 0.9, "method": "acai"}
DATA_INFO = {"source": "synthetic CIFAR-like (generated)", "synthetic": True,
             "train_examples": 96, "test_examples": 24, "classes": ["bird", "horse", "cat"],
             "quality_features": {"name": "synthetic_attributes",
                                  "description": "a CNN trained on the generator's draws"}}


def _write(path, config=None, images=None, metrics=None):
    write_design_report(
        str(path), title="Pegasus, synthetic",
        config=dataclasses.asdict(config or PROFILES["smoke"]), data_info=DATA_INFO,
        parameter_counts={"generator": {"params": 12345}, "judge": {"params": 678}},
        metrics=metrics or {"judge_test_accuracy": 0.8125}, best=BEST,
        images=images or {})
    return path.read_text()


def test_the_report_names_the_data_networks_losses_and_results(tmp_path):
    text = _write(tmp_path / "design.md", metrics={
        "judge_test_accuracy": 0.8125, "pegasus_best_score": 0.4321, "epochs_run": 5,
        "test_song_confusion_matrix": [[1, 0], [0, 1]]})
    assert text.startswith("# Pegasus, synthetic: design\n")
    assert "**synthetic**, not CIFAR-10 photographs." in text
    assert "- 96 training and 24 test images, classes ['bird', 'horse', 'cat']." in text
    assert "| generator | 12,345 | conditional DCGAN generator: latent + class mixture" in text
    assert "| judge | 678 | judge classifier on real images" in text
    assert "non-saturating GAN loss" in text and "n_critic 1;" in text
    assert "Adam lr 0.0002, β (0.5, 0.999)" in text
    assert "hybrid × realism" in text  # the rule, from the search's docstring
    # Only float metrics go in the results table, sorted by name.
    assert "| judge_test_accuracy | 0.8125 |\n| pegasus_best_score | 0.4321 |\n" in text
    assert "epochs_run" not in text and "confusion" not in text
    assert ("Best pegasus: ACAI, latent 0.4 bird + 0.6 horse — score 0.432 (p_bird 0.41, "
            "p_horse 0.38, realism 0.90).") in text


@pytest.mark.parametrize("loss, penalty", [("wgan_gp", True), ("hinge", False)])
def test_the_gradient_penalty_weight_appears_only_for_wgan_gp(tmp_path, loss, penalty):
    config = dataclasses.replace(PROFILES["smoke"], loss=loss, gradient_penalty_weight=7.5)
    text = _write(tmp_path / "design.md", config=config)
    assert ("λ 7.5;" in text) == penalty


def test_figures_with_paths_are_linked_relative_to_the_report(tmp_path):
    images = {"best pegasus": str(tmp_path / "plots" / "pegasus_best.png"),
              "model diagram": None,  # as on a worker other than the chief
              "class samples": str(tmp_path / "plots" / "class_samples.png")}
    text = _write(tmp_path / "design.md", images=images)
    links = [line for line in text.splitlines() if line.startswith("![")]
    assert links == ["![best pegasus](plots/pegasus_best.png)",
                     "![class samples](plots/class_samples.png)"]


def test_the_report_is_replaced_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "design.md"
    path.write_text("STALE REPORT\n")
    text = _write(path)
    assert text.startswith("# Pegasus, synthetic: design\n") and "STALE" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.md"]


class _ReportingRun:
    """A stand-in `Run` with the record, metrics, figures and artifacts `report_pegasus`
    uses; figures are only counted."""

    def __init__(self, folder, config):
        self.folder = folder
        self.record = {"config": dataclasses.asdict(config), "data": DATA_INFO,
                       "models": {"generator": {"params": 99}}}
        self.metrics = {"pegasus_best_score": 0.4321}
        self.figures = []

    def save_figure(self, name, figure, artifact=True):
        self.figures.append(name)
        plt.close(figure)
        return str(self.folder / "plots" / f"{name}.png")

    def artifact(self, name, filename):
        return str(self.folder / filename)


def test_report_pegasus_saves_the_figures_and_links_them_in_design_md(tmp_path):
    config = dataclasses.replace(PROFILES["smoke"], latent_dim=6, embedding_dim=3, filters=4,
                                 acai_depth=2, acai_latent=3, judge_filters=2)
    players = PegasusPlayers(config, num_classes=3)
    images = np.zeros((2, 32, 32, 3), "float32")
    search = {"best": BEST, "top": Candidates(images, ["acai", "dcgan"], ["a", "b"], ["x", "y"]),
              "top_scores": np.asarray([0.4321, 0.2]), "strips": {"ACAI": images}}

    class _Monitor:
        def figure(self, title, metrics):
            return plot_image_grid(images, ["bird", "horse"], title)

    run = _ReportingRun(tmp_path, config)
    report_pegasus(run, search, _Monitor(), players, "Pegasus, synthetic")
    assert run.figures == ["pegasus_best", "pegasus_top64", "interpolations", "class_samples",
                           "model_diagram"]
    text = (tmp_path / "design.md").read_text()
    assert "| generator | 99 |" in text and "| pegasus_best_score | 0.4321 |" in text
    assert "- Feature space: a CNN trained on the generator's draws." in text
    assert [line for line in text.splitlines() if line.startswith("![")] == [
        f"![{caption}](plots/{name}.png)" for caption, name in zip(
            ["best pegasus", "top 64 pegasi", "bird → horse interpolations", "class samples",
             "model diagram"], run.figures)]
