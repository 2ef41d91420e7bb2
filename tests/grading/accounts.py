"""Acting as another OS account in a test (root only): the exchange's permission tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def open_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder every account can enter (pytest's own are the owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
