"""Whether a process that left a lock or a temporary folder on this host still runs."""

import os


def process_alive(pid):
    """True if a process `pid` exists on this host (another user's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
