import os

import pytest

from dlx_tf.atomic_files import write_atomically


def _write_text(text):
    def write(path):
        with open(path, "w") as file:
            file.write(text)
    return write


def _write_folder(text):
    def write(path):
        os.makedirs(path)
        _write_text(text)(os.path.join(path, "weights.txt"))
    return write


def test_a_file_is_written_then_replaced_whole(tmp_path):
    path = str(tmp_path / "model.keras")
    write_atomically(path, _write_text("first"))
    write_atomically(path, _write_text("second"))
    assert open(path).read() == "second"
    assert os.listdir(tmp_path) == ["model.keras"]


def test_a_folder_is_replaced_and_a_killed_write_s_leftover_is_cleared(tmp_path):
    path = str(tmp_path / "preset")
    write_atomically(path, _write_folder("first"))
    os.makedirs(tmp_path / ".preset.tmp")  # a process killed while writing left this
    write_atomically(path, _write_folder("second"))
    assert open(os.path.join(path, "weights.txt")).read() == "second"
    assert os.listdir(tmp_path) == ["preset"]


def test_a_failed_write_leaves_the_old_version_in_place(tmp_path):
    path = str(tmp_path / "model.keras")
    write_atomically(path, _write_text("good"))

    def crash(temporary):
        _write_text("half")(temporary)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, crash)
    assert open(path).read() == "good"
