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

import contextlib
import os
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradingError
from . import sandbox
from .sandbox import Limits

__all__ = [
    "EXPLAIN",
    "GRADED",
    "STATUSES",
    "Limits",
    "Outcome",
    "autograde_cohort",
    "inspect_submission",
    "render_table",
    "submissions",
]

GRADED = "graded"
STOPPED = "grading stopped"
INVALID = "not a notebook"
OLD_FORMAT = "old notebook format"
KERNEL_DIED = "kernel died"
FAILED = "failed"
DELETED = "test cell deleted"
DUPLICATED = "test cell duplicated"
MOVED = "test cell moved"
MARKDOWN = "test cell made markdown"
METADATA = "grading metadata edited"
CHECKSUM = "checksum edited"
TAMPERED = "test cell changed"
TIMED_OUT = sandbox.TIMED_OUT
MEMORY = sandbox.MEMORY
PROCESSES = sandbox.PROCESSES
DISK = sandbox.DISK
OUTPUT_CUT = sandbox.OUTPUT_CUT
NOT_REACHED = "not graded"
#: Every status, most serious first; a submission's status is the first that applies.
STATUSES = (STOPPED, NOT_REACHED, INVALID, OLD_FORMAT, KERNEL_DIED, FAILED, DELETED,
            DUPLICATED, MOVED, MARKDOWN, METADATA, CHECKSUM, TAMPERED, TIMED_OUT, MEMORY,
            PROCESSES, DISK, OUTPUT_CUT, GRADED)

#: For every status: what happened, in one sentence, and what to do next.
EXPLAIN = {
    STOPPED: ("The answer's code stopped or hung the grader, so this submission was not "
              "scored; no other learner was affected.",
              "Open the submission, look for code that stops processes, and grade it by hand."),
    NOT_REACHED: ("The batch ran out of its time before this submission was graded.",
                  "Run `coursekit grade autograde` again; graded learners are kept."),
    INVALID: ("The file handed in is not a notebook the grader can open.",
              "Ask the learner to hand in the .ipynb file again, exported from Jupyter."),
    OLD_FORMAT: ("The notebook is saved in an old format nbgrader cannot grade.",
                 "Open and save it in a current Jupyter (or run `nbgrader update` on a copy), "
                 "then grade again."),
    KERNEL_DIED: ("Python stopped while running an answer, so later answers were not run.",
                  "Look at the answer named in the details; grade the rest by hand."),
    FAILED: ("nbgrader could not grade this submission.",
             "Read the reason in the details; grade by hand if it is not yours to fix."),
    DELETED: ("A test cell was deleted, so nbgrader could not check that question.",
              "Give the learner a fresh copy of the check, or grade that question by hand."),
    DUPLICATED: ("A test cell appears more than once, which nbgrader cannot grade.",
                 "Delete the copies in the submission (keep the first) and grade again."),
    MOVED: ("A test cell was moved above the answer it checks, so it ran too early.",
            "Move the test cell back under its answer and grade again, or grade by hand."),
    MARKDOWN: ("A test cell was turned into a text cell, so its check never ran.",
               "Give the learner a fresh copy of the check, or grade that question by hand."),
    METADATA: ("The hidden grading settings of a cell (grade flag, points or id) were edited.",
               "Scores follow the source notebook, not the edit; check that question by hand."),
    CHECKSUM: ("A cell's checksum was edited, which only happens on purpose.",
               "Scores follow the source notebook; talk with the learner about it."),
    TAMPERED: ("A test cell's code was changed; the original test was run instead.",
               "The score is from the original test; talk with the learner about it."),
    TIMED_OUT: ("An answer ran out of time and was stopped.",
                "Check the answer named in the details; raise --seconds if it was honest."),
    MEMORY: ("An answer tried to use more memory than allowed and was stopped.",
             "Check the answer; raise --memory-mb if it was honest."),
    PROCESSES: ("An answer started more processes than allowed and was stopped.",
                "Check the answer; raise --processes if it was honest."),
    DISK: ("An answer wrote more to disk than allowed and was stopped.",
           "Check the answer; raise --disk-mb if it was honest."),
    OUTPUT_CUT: ("An answer printed more than is kept; the rest was cut from the files.",
                 "Nothing to do unless you need the full output."),
    GRADED: ("Graded.", ""),
}
_HIDDEN_BEGIN, _HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
#: A submitted notebook larger than this is not opened.
MAX_NOTEBOOK_BYTES = 50 * 1024 ** 2


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
        if detail and detail not in self.detail:
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


def _nbg(cell) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _is_test(cell) -> bool:
    nbg = _nbg(cell)
    return bool(nbg.get("grade")) and not nbg.get("solution") and cell.get("cell_type") == "code"


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _read_json(path: Path, outcome: Outcome) -> dict | None:
    """The submitted notebook as JSON, or ``None`` after flagging why it is not one."""
    import json

    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        outcome.flag(INVALID, f"{path.name} is {size // 1024 ** 2} MB, larger than any notebook "
                              f"this check produces ({MAX_NOTEBOOK_BYTES // 1024 ** 2} MB)")
        return None
    raw = path.read_bytes()
    if not raw.strip():
        outcome.flag(INVALID, f"{path.name} is empty")
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        outcome.flag(INVALID, f"{path.name} is not text (perhaps a PDF, zip or image renamed)")
        return None
    except json.JSONDecodeError as exc:
        outcome.flag(INVALID, f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                              "it may be cut short or edited in a text editor")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")),
                                                    list):
        outcome.flag(INVALID, f"{path.name} is JSON but not a notebook (it has no cells)")
        return None
    major = data.get("nbformat")
    if not isinstance(major, int):
        outcome.flag(INVALID, f"{path.name} does not say which notebook format it uses")
        return None
    if major < 4:
        outcome.flag(OLD_FORMAT, f"{path.name} uses notebook format {major}; nbgrader needs 4")
        return None
    if not isinstance(data.get("cells"), list) or not all(
            isinstance(c, dict) for c in data["cells"]):
        outcome.flag(INVALID, f"{path.name} has cells that are not notebook cells")
        return None
    old = sorted({_nbg(c).get("schema_version") for c in data["cells"]
                  if _nbg(c) and isinstance(_nbg(c).get("schema_version"), int)
                  and _nbg(c)["schema_version"] < 3})
    if old:
        outcome.flag(OLD_FORMAT, f"{path.name} has nbgrader metadata version {old[0]}; "
                                 "nbgrader needs 3")
        return None
    import nbformat

    try:
        nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as exc:
        outcome.flag(INVALID, f"{path.name} is not a valid notebook: "
                              f"{str(exc.message)[:160]}")
        return None
    return data


def _compare(name: str, source: dict, sub: dict, outcome: Outcome) -> None:
    """Flag every way the submission's grading cells differ from the source's."""
    from nbgrader.utils import compute_checksum

    src_cells, cells = source["cells"], sub["cells"]
    by_gid: dict[str, list[int]] = {}
    by_id = {c.get("id"): c for c in cells if c.get("id")}
    for i, c in enumerate(cells):
        gid = _nbg(c).get("grade_id")
        if gid:
            by_gid.setdefault(gid, []).append(i)
    src_gids = {_nbg(c).get("grade_id") for c in src_cells if _nbg(c).get("grade_id")}
    answer_of: dict[str, str] = {}
    last_answer = None
    for c in src_cells:
        nbg = _nbg(c)
        if nbg.get("solution"):
            last_answer = nbg.get("grade_id")
        elif _is_test(c) and last_answer:
            answer_of[nbg["grade_id"]] = last_answer
    for c in src_cells:
        if not _is_test(c):
            continue
        gid, want = _nbg(c)["grade_id"], _nbg(c)
        where = by_gid.get(gid, [])
        if not where:
            same = by_id.get(c.get("id"))
            if same is not None and _nbg(same) != {}:
                got = _nbg(same)
                if not got.get("grade"):
                    outcome.flag(METADATA, f"{gid}: its grade flag was removed")
                elif got.get("grade_id") != gid:
                    outcome.flag(METADATA, f"{gid}: its grade id was changed to "
                                           f"{str(got.get('grade_id'))[:40]!r}")
                else:
                    outcome.flag(METADATA, f"{gid}: its grading settings were changed")
            else:
                outcome.flag(DELETED, f"{gid} deleted")
            continue
        if len(where) > 1:
            outcome.flag(DUPLICATED, f"{gid} appears {len(where)} times")
        got_cell = cells[where[0]]
        got = _nbg(got_cell)
        if got_cell.get("cell_type") != "code":
            outcome.flag(MARKDOWN, f"{gid} is a {got_cell.get('cell_type')} cell")
            continue
        for key, label in (("grade", "grade flag"), ("solution", "answer flag"),
                           ("points", "points"), ("locked", "lock")):
            if got.get(key) != want.get(key):
                outcome.flag(METADATA, f"{gid}: {label} changed from {want.get(key)!r} to "
                                       f"{str(got.get(key))[:20]}")
        answer = answer_of.get(gid)
        if answer and by_gid.get(answer) and by_gid[answer][0] > where[0]:
            outcome.flag(MOVED, f"{gid} is above {answer}")
        if "checksum" in got:
            try:
                real = compute_checksum(_as_node(got_cell))
            except Exception:  # a cell too broken to checksum is reported as edited
                real = None
            if got.get("checksum") != real and _visible(_source(got_cell)) == _visible(
                    _source(c)):
                outcome.flag(CHECKSUM, f"{gid}: checksum does not match its code")
        if _visible(_source(got_cell)) != _visible(_source(c)):
            outcome.flag(TAMPERED, f"{gid} changed")
    extra = sorted(g for g in by_gid if g not in src_gids)
    for gid in extra[:3]:
        outcome.flag(METADATA, f"a cell claims the grade id {str(gid)[:40]!r}, which the check "
                               "does not have")
    del name


def _as_node(cell: dict):
    from nbformat import from_dict

    node = from_dict(cell)
    # A notebook file stores source as a list of lines; nbgrader checksums the joined text.
    node["source"] = _source(cell)
    return node


def inspect_submission(course: Path, assignment: str, student: str,
                       outcome: Outcome | None = None) -> Outcome:
    """Check a submission against the source before grading: that it is a notebook nbgrader
    can read, and every way its test cells and grading metadata were changed. Reads files
    only; runs nothing the learner wrote."""
    import json

    outcome = outcome or Outcome(student)
    course = Path(course)
    for source_path in sorted((course / "source" / assignment).glob("*.ipynb")):
        sub_path = course / "submitted" / student / assignment / source_path.name
        if not sub_path.is_file() or sub_path.is_symlink():
            outcome.flag(DELETED, f"{source_path.name} is missing")
            continue
        try:
            data = _read_json(sub_path, outcome)
        except OSError as exc:
            outcome.flag(INVALID, f"{source_path.name} cannot be read ({exc.strerror})")
            continue
        if data is None:
            continue
        source = json.loads(source_path.read_text(encoding="utf-8"))
        _compare(source_path.name, source, data, outcome)
    return outcome


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
    for status, detail in result.get("events") or []:
        outcome.flag(status, detail)
    log = (result.get("log") or "") + (result.get("error") or "")
    if not result.get("success"):
        explained = set(outcome.flags) & {
            INVALID, OLD_FORMAT, DUPLICATED, MOVED, MARKDOWN, METADATA, CHECKSUM, DELETED,
            TIMED_OUT, MEMORY, PROCESSES, DISK}
        if explained:
            outcome.detail = "; ".join(filter(None, [
                outcome.detail, "nbgrader could not score it, so no points were given"]))
        elif "DeadKernelError" in log or "Kernel died" in log:
            outcome.flag(KERNEL_DIED, "Python stopped while running an answer")
        else:
            outcome.flag(FAILED, _reason(log))
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


def _init_worker(course: str, sandboxed: bool = True, limits: dict | None = None) -> None:
    global _API
    import logging

    from nbgrader.apps import NbGraderAPI
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import Execute

    os.chdir(course)
    cfg = _load_config(Path(course))
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    # nbgrader's gradebook triggers SQLAlchemy autoflush warnings on every submission;
    # they say nothing about the submission, and facilitators would only see noise.
    warnings.filterwarnings("ignore", message=r".*not in session, add operation along")
    # nbgrader's own pipeline, with its Execute step replaced by the sandboxed one
    executor = sandbox.sandboxed_execute_class()
    steps = list(cfg.Autograde.get("autograde_preprocessors") or
                 Autograde.class_traits()["autograde_preprocessors"].default())
    steps = [executor if step is Execute or step == "nbgrader.preprocessors.Execute" else step
             for step in steps]
    if executor not in steps:
        steps.insert(0, executor)
    cfg.Autograde.autograde_preprocessors = steps
    cfg.SandboxedExecute.limits = dict(limits or Limits().as_dict())
    cfg.SandboxedExecute.use_sandbox = sandboxed
    _API = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


def _grade_one(assignment: str, student: str, force: bool, retries: int = 4) -> dict:
    start = time.perf_counter()
    result: dict = {}
    for attempt in range(retries):
        sandbox.EVENTS.clear()
        try:
            result = dict(_API.autograde(assignment, student, force=force, create=True))
        except Exception as exc:  # never let one learner stop the cohort
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        text = (result.get("log") or "") + (result.get("error") or "")
        if result.get("success") or "database is locked" not in text:
            break
        time.sleep(0.5 * (attempt + 1))
    result["events"] = list(dict.fromkeys(sandbox.EVENTS))
    result["seconds"] = time.perf_counter() - start
    return result


def _worker_main(course: str, sandboxed: bool, limits: dict, conn, tmp: str | None = None) -> None:
    """One grading process: grade the learners it is sent, one at a time, until told to stop.

    Its temporary files (each sandbox's folder) go under ``tmp``, which the cohort removes
    even when it has to kill this process."""
    if tmp:
        import tempfile

        tempfile.tempdir = tmp
    _init_worker(course, sandboxed, limits)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(_grade_one(*task))


# -- the cohort --------------------------------------------------------------------------------

def _scores(course: Path, assignment: str, outcomes: Iterable[Outcome]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    cfg = _load_config(course)
    db_url = cfg.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        for o in outcomes:
            if o.status in (STOPPED, NOT_REACHED):
                continue
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
        ctx.set_forkserver_preload(["nbgrader.apps", "nbgrader.coursedir",
                                    "nbgrader.converters", "nbclient", "jupyter_client",
                                    __name__])
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

    def __init__(self, ctx, course: str, sandboxed: bool, limits: Limits):
        import tempfile

        parent, child = ctx.Pipe()
        self.conn = parent
        # short: the kernel's IPC socket paths live under it and have a length limit
        self.tmp = tempfile.mkdtemp(prefix="ckw-")
        self.proc = ctx.Process(target=_worker_main, daemon=True,
                                args=(course, sandboxed, limits.as_dict(), child, self.tmp))
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


def autograde_cohort(course: Path, assignment: str, *, students: list[str] | None = None,
                     workers: int | None = None, force: bool = True,
                     progress: Callable[[Outcome], None] | None = None,
                     limits: Limits | None = None, sandboxed: bool | None = None,
                     allow_unsandboxed: bool = False) -> list[Outcome]:
    """Autograde every submission of ``assignment`` in ``course`` with ``workers`` processes
    (default: every core), each learner's code in its own sandbox within ``limits``.

    ``sandboxed=None`` checks that bubblewrap works here and raises
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
    if sandboxed is None:
        sandboxed = sandbox.check_sandbox(allow_unsandboxed)
    students = submissions(course, assignment) if students is None else list(students)
    outcomes = {s: Outcome(s) for s in students}
    workers = max(1, min(workers or os.cpu_count() or 1, len(students) or 1))
    queue = deque(students)
    ctx = _mp_context()
    per = limits.deadline()
    batch_end = time.monotonic() + 60 + per * math.ceil(len(students) / workers) * 1.5
    slots = [_Slot(ctx, str(course), sandboxed, limits) for _ in range(workers)]
    for s in students:  # while the workers start up
        inspect_submission(course, assignment, s, outcomes[s])

    def done(slot: _Slot, status: str | None = None, detail: str = "",
             result: dict | None = None) -> None:
        o = outcomes[slot.student]
        o.seconds = time.monotonic() - slot.started
        if result is not None:
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
                        slots[i] = slot = _Slot(ctx, str(course), sandboxed, limits)
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
                slots[i] = _Slot(ctx, str(course), sandboxed, limits)  # a fresh worker
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
    _scores(course, assignment, outcomes.values())
    return [outcomes[s] for s in students]


def render_table(outcomes: list[Outcome], title: str = "Autograding",
                 written: dict[str, int] | None = None):
    """A :class:`rich.table.Table` with one row per learner (status in words, not colour).

    ``written``: written answers each learner has awaiting marking (a column when given)."""
    from rich.table import Table

    table = Table(title=title)
    columns = [("learner", {}), ("status", {}), ("score", {"justify": "right"}),
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
