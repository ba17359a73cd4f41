import numpy as np
import pytest
from figure_layout import layout_problems

from dlx_tf.viz.curves import plt
from dlx_tf.viz.grids import plot_image_grid, plot_image_rows, tile_images


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_tiles_fill_rows_in_order_and_pad_the_last_with_black():
    images = np.arange(1, 6, dtype="float32")[:, None, None, None] * np.ones((5, 2, 3, 1))
    grid = tile_images(images, columns=2)
    assert grid.shape == (3 * 2, 2 * 3, 1)
    blocks = [grid[row * 2:(row + 1) * 2, column * 3:(column + 1) * 3]
              for row in range(3) for column in range(2)]
    assert [float(block.mean()) for block in blocks] == [1, 2, 3, 4, 5, 0]


def test_a_one_image_grid_widens_for_its_caption_and_wraps_its_title():
    figure = plot_image_grid(np.zeros((1, 8, 8, 3)), [
        "DCGAN, condition 0.5 bird + 0.5 horse\nscore 0.610 (p_bird 0.40, p_horse 0.45)"],
        "Pegasus, synthetic (synthetic data): the best pegasus", columns=1)
    assert layout_problems(figure) == []


def test_a_grid_of_many_captioned_images_keeps_its_text_apart():
    captions = [f"synthetic automobile {i}" if i % 8 == 0 else f"{i}" for i in range(40)]
    figure = plot_image_grid(np.zeros((40, 8, 8)), captions, "One row per class\nKID 0.334")
    assert [axis.get_title() for axis in figure.axes[:40]] == captions
    assert layout_problems(figure) == []


def test_each_row_is_titled_above_its_images():
    rows = {"DCGAN: slerp between two latents, 50/50 condition": np.zeros((3, 8, 8, 3)),
            "plain autoencoder: latent interpolation bird → horse": np.ones((2, 8, 8, 3))}
    figure = plot_image_rows(rows, "bird → horse, one row per method")
    assert [part.get_suptitle() for part in figure.subfigs] == list(rows)
    assert [[len(axis.images) for axis in part.axes] for part in figure.subfigs] == [
        [1, 1, 1], [1, 1, 0]]
    assert layout_problems(figure) == []
