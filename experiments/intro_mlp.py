"""Intro MLP: a fully connected digit classifier, the living example of the run contract.

    python experiments/intro_mlp.py                    # smoke: offline synthetic digits, ~1 min
    python experiments/intro_mlp.py --profile paper    # tfds mnist (downloads once), 20 epochs

Smoke result (2 CPU cores, seed 0): see docs/intro_mlp.md; expect test accuracy above
0.9 on held-out synthetic digits (chance 0.1) after 5 epochs.
"""

import dataclasses

import keras

from dlx_tf.data.digits import first_examples, load_digits
from dlx_tf.export.image_classifier import IMAGE_CLASSIFIER_LIMITS, image_classifier_endpoints
from dlx_tf.models.mlp import MLPClassifier
from dlx_tf.ranges import POSITIVE, RATE, within
from dlx_tf.training.config import ExperimentConfig
from dlx_tf.training.launch import launch
from dlx_tf.viz.grids import plot_image_grid, tile_images


@dataclasses.dataclass(frozen=True)
class IntroMLPConfig(ExperimentConfig):
    data: str = "mnist"  # a tfds dataset of 28×28×1 images (mnist, fashion_mnist) or synthetic
    epochs: int = 20
    batch_size: int = 128  # the global batch: 16 per core on a TPU v2-8/v3-8
    hidden_units: tuple[int, ...] = (256, 128)  # width of each hidden ReLU layer
    dropout: float = 0.2  # after each hidden layer
    learning_rate: float = 1e-3  # Adam
    jit_compile: bool = False  # XLA-compile the train step (a TPU compiles with XLA anyway)

    RANGES = {**ExperimentConfig.RANGES, "hidden_units": POSITIVE,
              "dropout": within(0, 1, high_open=True), "learning_rate": RATE}


PROFILES = {
    "paper": IntroMLPConfig(),
    "smoke": IntroMLPConfig(data="synthetic", epochs=5, hidden_units=(128, 64)),
}


def main(config, run):
    digits = load_digits(config.data, seed=config.seed)
    run.describe_data(digits.info)
    with run.scope():
        model = MLPClassifier(num_classes=digits.info["num_classes"],
                              hidden_units=config.hidden_units, dropout=config.dropout,
                              name="mlp_classifier")
        model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
                      jit_compile=config.jit_compile)
    run.describe_models({"mlp_classifier": model})
    run.fit(model, digits.train, validation_data=digits.validation, test_data=digits.test)

    images, labels = first_examples(digits.train, 32)
    run.save_figure("inputs", plot_image_grid(images, [f"label {y}" for y in labels],
                                              run.label("Training inputs")))
    run.log_images("inputs", tile_images(images, 8)[None], step=0,
                   description=run.label("Training inputs, row by row") + "; labels "
                   + " ".join(map(str, labels)))
    test_images, test_labels = first_examples(digits.test, 32)
    predicted = keras.ops.argmax(model(test_images), axis=-1)
    captions = [f"{p} (true {t})" for p, t in zip(predicted, test_labels)]
    run.save_figure("test_predictions", plot_image_grid(
        test_images, captions, run.label("Test predictions: predicted (true)")))
    run.log_images("test_predictions", tile_images(test_images, 8)[None], step=config.epochs,
                   description="Row by row, predicted (true): " + ", ".join(captions))
    run.save_models({"mlp_classifier": model})
    run.export("intro_mlp", resources=[model],
               endpoints=image_classifier_endpoints(model, 28, 28, 1),
               warmup_inputs={"images": test_images[:4, ..., 0]}, limits=IMAGE_CLASSIFIER_LIMITS)


if __name__ == "__main__":
    launch("intro_mlp", PROFILES, main, description=__doc__)
