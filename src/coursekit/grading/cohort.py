"""Autograde every submission of an assignment on every core, and say what happened to each.

Each worker process loads nbgrader once and calls its Python API
(:meth:`nbgrader.apps.NbGraderAPI.autograde`) for one learner at a time, so a
cohort is graded by exactly the pipeline serial ``nbgrader autograde`` runs, and
the scores are the same. The workers share one SQLite gradebook: each submission is
written in one transaction (committed once its row exists and once at the end, instead
of nbgrader's commit per grade and comment; :mod:`coursekit.grading.warmgradebook`), the
gradebook-heavy steps read their rows in one query each
(:mod:`coursekit.grading.fewerqueries`), SQLite serialises the writes, and a write that
meets a lock is retried. A submission whose grading fails loses only its own grades.

Only nbgrader's ``Execute`` step changes. A check whose every code cell has the shape the
kit generates (clicked answers) is graded as data, with no learner kernel at all
(:mod:`coursekit.grading.dataanswers`); any other check runs each learner's kernel in a
sandbox with limits (:mod:`coursekit.grading.sandbox`).

Before grading, each submission is inspected (:mod:`coursekit.grading.inspection`), in the
worker, so the cohort's own process never imports nbgrader or nbformat. After
grading, the autograded notebook tells whether an answer ran out of time; the log tells
whether the kernel died. A bad submission never stops the run.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import GradingError
from . import sandbox
from .inspection import MAX_NOTEBOOK_BYTES, inspect_submission, submissions
from .sandbox import Limits
from .statuses import (
    ADDED_CODE,
    CHECKSUM,
    DELETED,
    DISK,
    DUPLICATED,
    EXPLAIN,
    FAILED,
    GRADEBOOK_LOCKED,
    GRADED,
    INVALID,
    KERNEL_DIED,
    MALFORMED,
    MARKDOWN,
    MEMORY,
    METADATA,
    MOVED,
    NOT_REACHED,
    OLD_FORMAT,
    OUTPUT_CUT,
    PROCESSES,
    STATUSES,
    STOPPED,
    TAMPERED,
    TIMED_OUT,
    UNEXPECTED_CODE,
    Outcome,
)
from .worker import grades_as_data, worker_main

__all__ = [
    "ADDED_CODE",
    "CHECKSUM",
    "DELETED",
    "DISK",
    "DUPLICATED",
    "EXPLAIN",
    "FAILED",
    "GRADED",
    "INVALID",
    "KERNEL_DIED",
    "MALFORMED",
    "MARKDOWN",
    "MAX_NOTEBOOK_BYTES",
    "MEMORY",
    "METADATA",
    "MOVED",
    "NOT_REACHED",
    "OLD_FORMAT",
    "OUTPUT_CUT",
    "PROCESSES",
    "STATUSES",
    "STOPPED",
    "TAMPERED",
    "TIMED_OUT",
    "UNEXPECTED_CODE",
    "Limits",
    "Outcome",
    "autograde_cohort",
    "grades_as_data",
    "inspect_submission",
    "render_table",
    "submissions",
]

_NBGRADER_SAYS = ("Please see the", "There was an error processing", "nbgrader update")


def _reason(log: str) -> str:
    """The line of nbgrader's log that says what went wrong (never "see the traceback")."""
    import re

    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b", ln)
              and "NbGraderException" not in ln]
    if errors:
        return errors[-1][:200]
    useful = [ln for ln in lines if not any(s in ln for s in _NBGRADER_SAYS)]
    return (useful[-1] if useful else "nbgrader stopped without saying why")[:200]


def _after(course: Path, assignment: str, outcome: Outcome, result: dict) -> Outcome:
    if result.get("score"):
        outcome.score, outcome.max_score = result["score"]
    for status, detail in result.get("events") or []:
        outcome.flag(status, detail)
    log = (result.get("log") or "") + (result.get("error") or "")
    if not result.get("success") and "database is locked" in log:
        # not the learner's doing: never explained away by what the inspection found
        outcome.flag(FAILED, GRADEBOOK_LOCKED)
    elif not result.get("success"):
        explained = set(outcome.flags) & {
            INVALID, OLD_FORMAT, MALFORMED, DUPLICATED, MOVED, MARKDOWN, METADATA, CHECKSUM, DELETED,
            TIMED_OUT, MEMORY, PROCESSES, DISK}
        if explained:
            outcome.detail = "; ".join(filter(None, [
                outcome.detail, "nbgrader could not score it, so no points were given"]))
        elif "DeadKernelError" in log or "Kernel died" in log:
            outcome.flag(KERNEL_DIED, "Python stopped while running an answer")
        else:
            outcome.flag(FAILED, _reason(log))
    return outcome


# -- the cohort --------------------------------------------------------------------------------

def _mp_context():
    """Workers forked from a server that has nbgrader imported already (POSIX), so each
    starts in milliseconds instead of importing nbgrader anew; spawned elsewhere."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([
            "coursekit.grading.leanworker", "nbgrader.apps", "nbgrader.coursedir",
            "nbgrader.converters", "nbgrader.preprocessors", "sqlalchemy.dialects.sqlite",
            "nbclient", "jupyter_client", "nh3", "coursekit.grading.inert",
            "coursekit.grading.dataanswers", "coursekit.grading.warmgradebook",
            "coursekit.grading.fewerqueries", "coursekit.grading.worker", __name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _kill_tree(pid: int) -> None:
    """Kill a worker and everything it started (a sandbox dies with its worker anyway;
    without the sandbox a kernel would otherwise outlive it)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(procs, timeout=5)


class _Slot:
    """One worker process and the learner it is grading."""

    def __init__(self, ctx, course: str, sandboxed: bool, limits: Limits, as_data: bool):
        import tempfile

        parent, child = ctx.Pipe()
        self.conn = parent
        # short: the kernel's IPC socket paths live under it and have a length limit
        self.tmp = tempfile.mkdtemp(prefix="ckw-")
        self.proc = ctx.Process(target=worker_main, daemon=True,
                                args=(course, sandboxed, limits.as_dict(), child, self.tmp,
                                      as_data))
        self.proc.start()
        child.close()
        self.student: str | None = None
        self.started = 0.0
        self.stopped_since: float | None = None

    def stopped(self) -> bool:
        """Whether the worker is stopped (SIGSTOP) rather than working."""
        import psutil

        try:
            return psutil.Process(self.proc.pid).status() == psutil.STATUS_STOPPED
        except psutil.Error:
            return False

    def kill(self) -> None:
        _kill_tree(self.proc.pid)
        self.proc.join(5)
        self.conn.close()
        self.remove_files()

    def remove_files(self) -> None:
        """Remove the worker's temporary folder (a killed worker could not)."""
        import shutil

        shutil.rmtree(self.tmp, ignore_errors=True)


#: How long grading waits at the start for another program to let go of the gradebook.
LOCK_WAIT_SECONDS = 10.0


def _wait_for_gradebook(db: Path, seconds: float | None = None) -> None:
    """Raise :class:`GradingError`, before anything is graded, when another program keeps
    the gradebook locked for ``seconds`` (a database tool left in a transaction, say):
    otherwise every learner would wait through the retries and fail one by one. A lock
    taken later, while grading, is still met per learner (:data:`GRADEBOOK_LOCKED`)."""
    import sqlite3

    if not db.is_file():
        return  # nbgrader creates it
    wait = LOCK_WAIT_SECONDS if seconds is None else seconds
    try:
        con = sqlite3.connect(db, timeout=wait, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")  # waits up to `wait` for a writer to finish
            con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise GradingError(f"the gradebook {db} cannot be opened ({exc}); nothing was "
                               "graded. Check that the file is a gradebook and can be "
                               "written, then run the command again") from exc
        raise GradingError(
            f"the gradebook {db} stayed locked by another program for {wait:g} s (a "
            "Formgrader saving a grade, another grading command or a database tool); "
            "nothing was graded and every earlier grade is unchanged. Close that program "
            "and run the command again") from exc


def autograde_cohort(course: Path, assignment: str, *, students: list[str] | None = None,
                     workers: int | None = None, force: bool = True,
                     progress: Callable[[Outcome], None] | None = None,
                     limits: Limits | None = None, sandboxed: bool | None = None,
                     allow_unsandboxed: bool = False,
                     as_data: bool | None = None) -> list[Outcome]:
    """Autograde every submission of ``assignment`` in ``course`` with ``workers`` processes
    (default: every core).

    A check of clicked answers only is graded as data, running no learner code
    (``as_data=None``: whenever :func:`grades_as_data` says the check allows it;
    ``False`` forces the sandboxed path). Any other check runs each learner's code in its
    own sandbox within ``limits``: ``sandboxed=None`` checks that bubblewrap works here and raises
    :class:`~coursekit.grading.sandbox.SandboxUnavailable` when it does not, unless
    ``allow_unsandboxed`` (the facilitator accepted the risk). Returns one
    :class:`Outcome` per learner, in name order. The batch always finishes: a worker that
    dies, stops or hangs costs only its own learner and is replaced, and the batch as a
    whole has a deadline derived from the limits."""
    import math
    from collections import deque
    from multiprocessing.connection import wait

    course = Path(course).resolve()
    if not (course / "source" / assignment).is_dir():
        raise GradingError(f"{course / 'source' / assignment} does not exist; run "
                           "`coursekit grade generate` and check the assignment name")
    limits = limits or Limits()
    if as_data is None:
        as_data = grades_as_data(course, assignment)
    elif as_data and not grades_as_data(course, assignment):
        raise GradingError(f"{assignment} holds code questions, so it cannot be graded as "
                           "data; grade it in the sandbox")
    if as_data:
        sandboxed = False  # no learner code runs at all
    elif sandboxed is None:
        sandboxed = sandbox.check_sandbox(allow_unsandboxed)
    students = submissions(course, assignment) if students is None else list(students)
    if students:
        _wait_for_gradebook(course / "gradebook.db")
    outcomes = {s: Outcome(s) for s in students}
    workers = max(1, min(workers or os.cpu_count() or 1, len(students) or 1))
    queue = deque(students)
    ctx = _mp_context()
    per = limits.deadline()
    batch_end = time.monotonic() + 60 + per * math.ceil(len(students) / workers) * 1.5
    slots = [_Slot(ctx, str(course), sandboxed, limits, as_data) for _ in range(workers)]

    def done(slot: _Slot, status: str | None = None, detail: str = "",
             result: dict | None = None) -> None:
        o = outcomes[slot.student]
        o.seconds = time.monotonic() - slot.started
        if result is not None:
            for status, detail in result.get("inspected") or []:
                o.flag(status, detail)
            _after(course, assignment, o, result)
        else:
            o.flag(status, detail)
        slot.student = None
        if progress:
            progress(o)

    try:
        while queue or any(s.student for s in slots):
            for i, slot in enumerate(slots):
                if slot.student is None and queue:
                    if not slot.proc.is_alive():
                        slot.kill()
                        slots[i] = slot = _Slot(ctx, str(course), sandboxed, limits, as_data)
                    slot.student, slot.started, slot.stopped_since = (
                        queue.popleft(), time.monotonic(), None)
                    with contextlib.suppress(OSError):  # a dead worker: noticed below
                        slot.conn.send((assignment, slot.student, force))
            busy = [s for s in slots if s.student]
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=0.5)
            now = time.monotonic()
            for i, slot in enumerate(slots):
                if slot.student is None:
                    continue
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        done(slot, result=result)
                        continue
                if slot.proc.sentinel in ready or not slot.proc.is_alive():
                    slot.kill()
                    done(slot, STOPPED, "its grading process was killed")
                elif slot.stopped():
                    slot.stopped_since = slot.stopped_since or now
                    if now - slot.stopped_since > 2:
                        slot.kill()
                        done(slot, STOPPED, "its grading process was stopped")
                    continue
                elif now - slot.started > per:
                    slot.kill()
                    done(slot, STOPPED, f"its grading did not finish within {per:g} s")
                else:
                    continue
                slots[i] = _Slot(ctx, str(course), sandboxed, limits, as_data)  # a fresh worker
            if now > batch_end:
                for slot in slots:
                    if slot.student:
                        slot.kill()
                        done(slot, NOT_REACHED, "the batch ran past its deadline")
                while queue:
                    o = outcomes[queue.popleft()]
                    o.flag(NOT_REACHED, "the batch ran past its deadline")
                    if progress:
                        progress(o)
                break
    finally:
        for slot in slots:
            if slot.proc.is_alive():
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
        for slot in slots:
            slot.proc.join(10)
            if slot.proc.is_alive():
                slot.kill()
            slot.remove_files()
    return [outcomes[s] for s in students]


def render_table(outcomes: list[Outcome], title: str = "Autograding",
                 written: dict[str, int] | None = None):
    """A :class:`rich.table.Table` with one row per learner (status in words, not colour).

    ``written``: written answers each learner has awaiting marking (a column when given)."""
    from rich.table import Table

    table = Table(title=title)
    # A status is read as one phrase ("grading stopped"); the details column folds instead.
    columns = [("learner", {}), ("status", {"no_wrap": True}), ("score", {"justify": "right"}),
               ("seconds", {"justify": "right"}), ("details", {"overflow": "fold"})]
    if written is not None:
        columns.insert(3, ("written to mark", {"justify": "right"}))
    for name, kw in columns:
        table.add_column(name, **kw)
    from rich.markup import escape

    style = {GRADED: "green", TIMED_OUT: "yellow", TAMPERED: "yellow", OUTPUT_CUT: "yellow"}
    for o in outcomes:
        score = "-" if o.score is None else f"{o.score:g} / {o.max_score:g}"
        status = ", ".join(sorted(o.flags, key=STATUSES.index)) or GRADED
        cells = [o.student, f"[{style.get(o.status, 'red')}]{status}[/]", score,
                 f"{o.seconds:.1f}", escape(o.detail)]
        if written is not None:
            cells.insert(3, str(written.get(o.student, 0)))
        table.add_row(*cells)
    return table
