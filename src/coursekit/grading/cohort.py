"""Autograde every submission of an assignment on every core, and say what happened to each.

Each worker process loads nbgrader once and calls its Python API
(:meth:`nbgrader.apps.NbGraderAPI.autograde`) for one learner at a time, so a
cohort is graded by exactly the code serial ``nbgrader autograde`` runs, and
the scores are the same. The workers share one SQLite gradebook: their writes are
short, SQLite serialises them, and a write that meets a lock is retried.

Before grading, each submission is inspected for what plain nbgrader lets pass
silently: a notebook that is not valid JSON, test cells the learner deleted (nbgrader
leaves those questions ungraded) and test cells changed from the released version
(nbgrader restores them, but the facilitator should know). After grading, the
autograded notebook tells whether an answer ran out of time; the log tells whether
the kernel died. A bad submission never stops the run.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradingError

__all__ = [
    "GRADED",
    "STATUSES",
    "Outcome",
    "autograde_cohort",
    "inspect_submission",
    "render_table",
    "submissions",
]

GRADED = "graded"
TIMED_OUT = "timed out"
INVALID = "invalid notebook"
DELETED = "cells deleted"
TAMPERED = "tampered"
KERNEL_DIED = "kernel died"
FAILED = "failed"
#: Every status, most serious first; a submission's status is the first that applies.
STATUSES = (INVALID, KERNEL_DIED, FAILED, DELETED, TAMPERED, TIMED_OUT, GRADED)

_HIDDEN_BEGIN, _HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


@dataclass
class Outcome:
    """What happened to one learner's submission."""

    student: str
    status: str = GRADED
    flags: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0
    detail: str = ""

    def flag(self, status: str, detail: str = "") -> None:
        if status not in self.flags:
            self.flags.append(status)
        if detail:
            self.detail = "; ".join(filter(None, [self.detail, detail]))
        self.status = min(self.flags, key=STATUSES.index)


# -- inspection (no nbgrader needed) -----------------------------------------------------------

def submissions(course: Path, assignment: str) -> list[str]:
    """The learners who submitted ``assignment``, sorted."""
    root = Path(course) / "submitted"
    return sorted(p.parent.name for p in root.glob(f"*/{assignment}") if p.is_dir())


def _visible(source: str) -> str:
    """A test cell's source without its hidden-test region (what the learner received)."""
    out, hidden = [], False
    for line in source.split("\n"):
        if _HIDDEN_BEGIN in line:
            hidden = True
        elif _HIDDEN_END in line:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out).strip()


def _test_cells(nb) -> dict[str, str]:
    cells = {}
    for cell in nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if nbg.get("grade") and not nbg.get("solution") and cell.cell_type == "code":
            cells[nbg.get("grade_id", "")] = cell.source
    return cells


def inspect_submission(course: Path, assignment: str, student: str,
                       outcome: Outcome | None = None) -> Outcome:
    """Check a submission against the source before grading: readable, no test cell
    deleted or changed."""
    import nbformat

    outcome = outcome or Outcome(student)
    course = Path(course)
    for source_path in sorted((course / "source" / assignment).glob("*.ipynb")):
        sub_path = course / "submitted" / student / assignment / source_path.name
        if not sub_path.is_file():
            outcome.flag(DELETED, f"{source_path.name} is missing")
            continue
        try:
            submitted = nbformat.read(sub_path, as_version=4)
        except Exception as exc:
            outcome.flag(INVALID, f"{source_path.name} cannot be read ({type(exc).__name__})")
            continue
        expected = _test_cells(nbformat.read(source_path, as_version=4))
        got = _test_cells(submitted)
        missing = sorted(set(expected) - set(got))
        if missing:
            outcome.flag(DELETED, "deleted: " + ", ".join(missing))
        changed = sorted(gid for gid in set(expected) & set(got)
                         if _visible(got[gid]) != _visible(expected[gid]))
        if changed:
            outcome.flag(TAMPERED, "changed: " + ", ".join(changed))
    return outcome


def _after(course: Path, assignment: str, outcome: Outcome, result: dict) -> Outcome:
    log = (result.get("log") or "") + (result.get("error") or "")
    if not result.get("success"):
        if "DeadKernelError" in log or "Kernel died" in log:
            outcome.flag(KERNEL_DIED, "the kernel stopped while running an answer")
        elif INVALID not in outcome.flags:
            last = [line for line in log.strip().splitlines() if line.strip()][-1:]
            outcome.flag(FAILED, last[0].strip()[:200] if last else "nbgrader failed")
    for path in (Path(course) / "autograded" / outcome.student / assignment).glob("*.ipynb"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if '"CellTimeoutError"' in text:
            outcome.flag(TIMED_OUT, f"an answer in {path.name} ran out of time")
    return outcome


# -- the worker processes ----------------------------------------------------------------------

_API = None


def _load_config(course: Path):
    from traitlets.config.loader import Config, PyFileConfigLoader

    cfg = Config()
    if (course / "nbgrader_config.py").is_file():
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    cfg.CourseDirectory.root = str(course)
    return cfg


def _init_worker(course: str) -> None:
    global _API
    import logging

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    os.chdir(course)
    cfg = _load_config(Path(course))
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    # nbgrader's gradebook triggers SQLAlchemy autoflush warnings on every submission;
    # they say nothing about the submission, and facilitators would only see noise.
    warnings.filterwarnings("ignore", message=r".*not in session, add operation along")
    _API = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def _grade_one(assignment: str, student: str, force: bool, retries: int = 4) -> dict:
    start = time.perf_counter()
    result: dict = {}
    for attempt in range(retries):
        try:
            result = dict(_API.autograde(assignment, student, force=force, create=True))
        except Exception as exc:  # never let one learner stop the cohort
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        text = (result.get("log") or "") + (result.get("error") or "")
        if result.get("success") or "database is locked" not in text:
            break
        time.sleep(0.5 * (attempt + 1))
    result["seconds"] = time.perf_counter() - start
    return result


# -- the cohort --------------------------------------------------------------------------------

def _scores(course: Path, assignment: str, outcomes: Iterable[Outcome]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    cfg = _load_config(course)
    db_url = cfg.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        for o in outcomes:
            try:
                sub = gb.find_submission(assignment, o.student)
            except MissingEntry:
                continue
            o.score, o.max_score = sub.score, sub.max_score


def _mp_context():
    """Workers forked from a server that has nbgrader imported already (POSIX), so each
    starts in milliseconds instead of importing nbgrader anew; spawned elsewhere."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["nbgrader.apps", "nbgrader.coursedir", __name__])
        return ctx
    return multiprocessing.get_context("spawn")


def autograde_cohort(course: Path, assignment: str, *, students: list[str] | None = None,
                     workers: int | None = None, force: bool = True,
                     progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Autograde every submission of ``assignment`` in ``course`` with ``workers`` processes
    (default: every core). Returns one :class:`Outcome` per learner, in name order."""
    course = Path(course).resolve()
    if not (course / "source" / assignment).is_dir():
        raise GradingError(f"{course / 'source' / assignment} does not exist; run "
                           "`coursekit grade generate` and check the assignment name")
    students = submissions(course, assignment) if students is None else list(students)
    outcomes = {s: Outcome(s) for s in students}
    workers = max(1, min(workers or os.cpu_count() or 1, len(students) or 1))
    pending = list(students)
    inspected = False
    while pending:
        with ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_init_worker,
                                 initargs=(str(course),)) as pool:
            futures = {pool.submit(_grade_one, assignment, s, force): s for s in pending}
            if not inspected:  # while the workers start up and grade, not before
                for s in students:
                    inspect_submission(course, assignment, s, outcomes[s])
                inspected = True
            broken = []
            for future in as_completed(futures):
                student = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a worker process died: grade the rest anew
                    broken.append(student)
                    outcomes[student].detail = f"worker stopped ({type(exc).__name__})"
                    continue
                outcomes[student].seconds = result.get("seconds", 0.0)
                _after(course, assignment, outcomes[student], result)
                if progress:
                    progress(outcomes[student])
        if len(broken) == len(pending):  # no progress at all: report, do not loop
            for s in broken:
                outcomes[s].flag(FAILED, "the grading process stopped")
                if progress:
                    progress(outcomes[s])
            break
        pending = broken
    _scores(course, assignment, outcomes.values())
    return [outcomes[s] for s in students]


def render_table(outcomes: list[Outcome], title: str = "Autograding"):
    """A :class:`rich.table.Table` with one row per learner (status in words, not colour)."""
    from rich.table import Table

    table = Table(title=title)
    for name, kw in [("learner", {}), ("status", {}), ("score", {"justify": "right"}),
                     ("seconds", {"justify": "right"}), ("details", {"overflow": "fold"})]:
        table.add_column(name, **kw)
    style = {GRADED: "green", TIMED_OUT: "yellow", TAMPERED: "yellow"}
    for o in outcomes:
        score = "-" if o.score is None else f"{o.score:g} / {o.max_score:g}"
        status = ", ".join(sorted(o.flags, key=STATUSES.index)) or GRADED
        table.add_row(o.student, f"[{style.get(o.status, 'red')}]{status}[/]", score,
                      f"{o.seconds:.1f}", o.detail)
    return table
