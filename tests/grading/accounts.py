"""Acting as another OS account in a test (root only): the exchange's permission tests."""

from __future__ import annotations

import os
from collections.abc import Callable

NOBODY = 65534


def run_as(uid: int, job: Callable[[], bool]) -> int:
    """Run ``job()`` in a child process under ``uid``; its exit code (0: job returned True,
    1: False, 2: it raised PermissionError, 3: anything else)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os._exit(0 if job() else 1)
        except PermissionError:
            os._exit(2)
        except BaseException:
            os._exit(3)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
