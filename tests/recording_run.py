"""A stand-in `Run` for callbacks: keeps what they draw and log through it."""

import matplotlib.pyplot as plt
import numpy as np


class RecordingRun:
    """Records `(name, suptitle, artifact)` of each saved figure (then closes it) and
    `(tag, images, step, description)` of each logged image batch."""

    def __init__(self):
        self.figures, self.images = [], []

    def save_figure(self, name, figure, artifact=True):
        self.figures.append((name, figure.get_suptitle(), artifact))
        plt.close(figure)

    def log_images(self, tag, images, step, description=None):
        self.images.append((tag, np.asarray(images), step, description))
