"""One process per run folder: `<folder>.lock` holds the owner's pid, host and start time.

The lock sits beside the folder, not in it, because starting over moves the folder aside.
A lock left by a process that has died on this host is taken over with a message; a live
owner, or one on another host whose life cannot be checked, is a `UsageError` naming it.
"""

import json
import os
import socket

from dlx_tf.errors import UsageError
from dlx_tf.processes import process_alive
from dlx_tf.training.run_record import utc_now


class RunLock:
    """Held from `acquire()` until `release()` by this process.

    Args:
        folder: the run folder the lock is for.
    """

    def __init__(self, folder):
        self.folder = str(folder).rstrip("/")
        self.path = f"{self.folder}.lock"
        self._held = False

    def acquire(self):
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": utc_now()}
        parent = os.path.dirname(os.path.abspath(self.path))  # Run has created it
        while True:
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                self._take_over_if_stale(owner["host"])
                continue
            except OSError as error:
                raise UsageError(f"--output-dir {self.folder}: cannot write in {parent} "
                                 f"({error.strerror})") from None
            with os.fdopen(descriptor, "w") as f:
                json.dump(owner, f)
            self._held = True
            return

    def release(self):
        if self._held:
            self._held = False
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass

    def _take_over_if_stale(self, host):
        try:
            with open(self.path) as f:
                holder = json.load(f)
            pid, holder_host = int(holder["pid"]), str(holder["host"])
        except (OSError, ValueError, KeyError, TypeError):
            holder, pid, holder_host = None, None, host  # written halfway by a killed process
        if holder is not None and (holder_host != host or process_alive(pid)):
            where = "this host" if holder_host == host else f"host {holder_host}"
            raise UsageError(
                f"{self.folder} is in use by the run of pid {pid} on {where} since "
                f"{holder.get('started')} ({self.path}): wait for it to end or pick another "
                "--output-dir" + ("" if holder_host == host else
                                  "; delete the lock if that run is no longer alive"))
        left_by = f"pid {pid}, no longer running" if pid else "a process killed while writing it"
        print(f"warning: taking over {self.path}, left by {left_by}")
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass

