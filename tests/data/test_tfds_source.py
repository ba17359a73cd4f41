"""tfds names and downloads for every loader: typos, an unreachable download host, and
prepared or mocked datasets that never touch the network."""

import socket
import time

import numpy as np
import pytest
import tensorflow_datasets as tfds

from dlx_tf.data.digits import load_digits
from dlx_tf.data.tfds_source import tfds_builder
from dlx_tf.errors import DataError


class TinyDigits(tfds.core.GeneratorBasedBuilder):
    """28×28×1 digits generated in place: a tfds dataset that prepares offline."""

    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self, supervised_keys=("image", "label"),
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(28, 28, 1)),
                "label": tfds.features.ClassLabel(num_classes=10)}))

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples(20), "test": self._generate_examples(5)}

    def _generate_examples(self, count):
        for i in range(count):
            yield i, {"image": np.full((28, 28, 1), i, np.uint8), "label": i % 10}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty tfds data folder in place of ~/tensorflow_datasets."""
    monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(address, *args, **kwargs):
        raise AssertionError(f"probed the network: {address}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mistyped_config_or_a_malformed_name_is_one_line():
    with pytest.raises(DataError, match=r"^--data imdb_reviews/plain_txt: tfds imdb_reviews has "
                                        r"no config plain_txt \(did you mean plain_text\?\) "
                                        r"\(configs: plain_text\)$"):
        tfds_builder("imdb_reviews/plain_txt", also="synthetic")
    with pytest.raises(DataError, match=r"^--data a b: not a tfds name \(expected "
                                        r"name\[/config\]\[:version\]\); --data also accepts x$"):
        tfds_builder("a b", also="x")


def test_an_unreachable_download_host_fails_in_seconds_naming_the_ways_around(
        data_dir, monkeypatch):
    # Every download goes through a proxy nothing listens on: offline, wherever this runs.
    port = closed_port()
    for variable in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("no_proxy", "")
    start = time.monotonic()
    with pytest.raises(DataError) as error:
        load_digits("mnist")
    assert time.monotonic() - start < 20  # tfds alone retries for ~3.5 minutes
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(
        f"--data mnist: tfds mnist/3.0.1 is not prepared in {data_dir / 'mnist' / '3.0.1'} and "
        f"the proxy 127.0.0.1:{port} to storage.googleapis.com cannot be reached (")
    assert message.endswith(
        f"); run `tfds build mnist` on a machine online and copy its {data_dir} folder here "
        "(TFDS_DATA_DIR names another), or use local data: --data also accepts synthetic")
    assert not list(data_dir.glob("**/incomplete*"))


def test_a_prepared_dataset_loads_without_touching_the_network(data_dir, no_network):
    TinyDigits(data_dir=str(data_dir)).download_and_prepare()
    digits = load_digits("tiny_digits")
    assert digits.info["source"] == "tfds:tiny_digits"
    assert [digits.info[f"{split}_examples"] for split in ("train", "validation", "test")] == [
        18, 2, 5]
    test = [(int(image[0, 0, 0]), int(label)) for image, label in digits.test]
    assert sorted(test) == [(i, i % 10) for i in range(5)]  # what TinyDigits wrote


def test_mocked_tfds_data_never_probe_the_network(no_network):
    with tfds.testing.mock_data(num_examples=4):
        digits = load_digits("tfds:mnist")
    assert digits.info["train_examples"] == 4
