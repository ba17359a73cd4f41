import json
import os
import socket
import subprocess
import sys

import pytest

from dlx_tf.errors import UsageError
from dlx_tf.training.run_lock import RunLock


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_held_folder_is_refused_naming_the_holder(tmp_path):
    first = RunLock(tmp_path / "run")
    first.acquire()
    holder = json.loads((tmp_path / "run.lock").read_text())
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    with pytest.raises(UsageError, match=rf"run is in use by the run of pid {os.getpid()} on "
                                         r"this host since .*: wait for it to end or pick "
                                         r"another --output-dir$"):
        RunLock(tmp_path / "run").acquire()
    first.release()
    assert not (tmp_path / "run.lock").exists()
    RunLock(tmp_path / "run").acquire()


@pytest.mark.parametrize("left", [
    lambda: json.dumps({"pid": _dead_pid(), "host": socket.gethostname(), "started": "t"}),
    lambda: "",  # killed between creating the file and writing it
])
def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_message(tmp_path, capsys, left):
    (tmp_path / "run.lock").write_text(left())
    RunLock(tmp_path / "run").acquire()
    assert "warning: taking over" in capsys.readouterr().out
    assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()


def test_a_lock_from_another_host_is_refused_since_its_owner_cannot_be_checked(tmp_path):
    (tmp_path / "run.lock").write_text(json.dumps({"pid": 1, "host": "elsewhere",
                                                   "started": "t"}))
    with pytest.raises(UsageError, match="pid 1 on host elsewhere .*delete the lock if that "
                                         "run is no longer alive"):
        RunLock(tmp_path / "run").acquire()
