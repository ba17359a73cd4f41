"""`launch` checks what it can before the experiment's `main` loads any data."""

import pytest
from two_player import TwoPlayerConfig

from dlx_tf.training.launch import launch


def test_a_batch_that_does_not_split_over_the_replicas_stops_before_main(
        tmp_path, capsys, two_replicas):
    def main(config, run):
        raise AssertionError("main ran")

    argv = ["--cpu-devices", "2", "--strategy", "mirrored", "--set", "batch_size=5",
            "--output-dir", str(tmp_path / "run"), "--no-export"]
    with pytest.raises(SystemExit) as exit_info:
        launch("two_player", {"smoke": TwoPlayerConfig()}, main, argv=argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "error: batch_size 5 does not split evenly over 2 replicas: use --set batch_size=4 "
        "(2 per replica) or --set batch_size=6 (3 per replica)\n")
    assert not (tmp_path / "run").exists()
