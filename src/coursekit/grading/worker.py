"""One grading process of :func:`coursekit.grading.cohort.autograde_cohort`.

:func:`worker_main` loads nbgrader once (:func:`init_worker`: nbgrader's own autograde
pipeline with its ``Execute`` step replaced, clicked answers graded as data or the learner's
kernel in the sandbox, and the gradebook-heavy steps batched), then grades the learners it
is sent one at a time (:func:`grade_one`): the submission is inspected, autograded in one
gradebook transaction, retried while another process holds the gradebook's lock, and what
happened is sent back as plain data for the cohort's own process to turn into an outcome.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

from . import sandbox
from .inspection import inspect_submission
from .sandbox import Limits
from .statuses import INVALID, Outcome

__all__ = ["grade_one", "grades_as_data", "init_worker", "worker_main"]

_API = None


def _load_config(course: Path):
    from traitlets.config.loader import Config, PyFileConfigLoader

    cfg = Config()
    if (course / "nbgrader_config.py").is_file():
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    cfg.CourseDirectory.root = str(course)
    return cfg


class _CachedSchemas:
    """``jsonschema`` for nbgrader's metadata checks, each schema compiled once per process
    instead of checked once per cell (a third of the time of grading a notebook as data).

    nbgrader loads its schema anew for every validator, so schemas are recognised by their
    content. A cell that passes the compiled check (:mod:`fastjsonschema`) is valid; one that
    fails is checked again by :mod:`jsonschema` itself, so the same error is raised, as by
    :func:`jsonschema.validate`."""

    def __init__(self, module):
        self._module, self._validators, self._by_id = module, {}, {}

    def _compiled(self, schema):
        import json

        entry = self._by_id.get(id(schema))
        if entry is None or entry[0] is not schema:
            text = json.dumps(schema, sort_keys=True)
            if text not in self._validators:
                import fastjsonschema

                cls = self._module.validators.validator_for(schema)
                cls.check_schema(schema)
                self._validators[text] = (cls(schema), fastjsonschema.compile(schema))
            entry = self._by_id[id(schema)] = (schema, *self._validators[text])
        return entry[1], entry[2]

    def validate(self, instance, schema):
        slow, fast = self._compiled(schema)
        try:
            fast(instance)
            return
        except Exception:  # the reference validator decides, and says why
            pass
        error = self._module.exceptions.best_match(slow.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(self._module, name)


def init_worker(course: str, sandboxed: bool = True, limits: dict | None = None,
                 as_data: bool = False) -> None:
    global _API
    import logging

    from nbgrader.apps import NbGraderAPI
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.nbgraderformat import common
    from nbgrader.preprocessors import Execute

    from .warmgradebook import warm

    if not isinstance(common.jsonschema, _CachedSchemas):
        common.jsonschema = _CachedSchemas(common.jsonschema)
    warm()  # one engine per gradebook for the worker's life, not nine per submission
    os.chdir(course)
    cfg = _load_config(Path(course))
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    # nbgrader's gradebook triggers SQLAlchemy autoflush warnings on every submission;
    # they say nothing about the submission, and facilitators would only see noise.
    warnings.filterwarnings("ignore", message=r".*not in session, add operation along")
    # nbgrader's own pipeline, with its Execute step replaced: clicked answers graded as
    # data, or the learner's kernel in the sandbox
    if as_data:
        from .dataanswers import grade_as_data_class

        executor = grade_as_data_class()
        cfg.GradeAsData.key_folder = str(Path(course) / "source")
    else:
        executor = sandbox.sandboxed_execute_class()
    steps = list(cfg.Autograde.get("autograde_preprocessors") or
                 Autograde.class_traits()["autograde_preprocessors"].default())
    steps = [executor if step is Execute or step == "nbgrader.preprocessors.Execute" else step
             for step in steps]
    if executor not in steps:
        steps.insert(0, executor)
    # nbgrader's two gradebook-heavy steps, their lookups read in one query each
    from nbgrader.preprocessors import OverwriteCells, SaveAutoGrades

    from .fewerqueries import (
        OneCopyNotebookExporter,
        OneQueryOverwriteCells,
        OneQuerySaveAutoGrades,
    )

    swap = {OverwriteCells: OneQueryOverwriteCells, SaveAutoGrades: OneQuerySaveAutoGrades,
            "nbgrader.preprocessors.OverwriteCells": OneQueryOverwriteCells,
            "nbgrader.preprocessors.SaveAutoGrades": OneQuerySaveAutoGrades}
    cfg.Autograde.autograde_preprocessors = [swap.get(step, step) for step in steps]
    sanitize = list(cfg.Autograde.get("sanitize_preprocessors") or
                    Autograde.class_traits()["sanitize_preprocessors"].default())
    cfg.Autograde.sanitize_preprocessors = [swap.get(step, step) for step in sanitize]
    # the notebook copied once per pass, not twice; validated after the last step of each
    # pass (nbconvert's documented setting), not after every step
    cfg.Autograde.exporter_class = OneCopyNotebookExporter
    cfg.NotebookExporter.optimistic_validation = True
    cfg.SandboxedExecute.limits = dict(limits or Limits().as_dict())
    cfg.SandboxedExecute.use_sandbox = sandboxed
    _API = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)


class _Recorded(Outcome):
    """An outcome that keeps every flag it is given, to be replayed in the cohort's process."""

    def __init__(self, student: str):
        super().__init__(student)
        self.calls: list[tuple[str, str]] = []

    def flag(self, status: str, detail: str = "") -> None:
        self.calls.append((status, detail))
        super().flag(status, detail)


def _inspect(course: Path, assignment: str, student: str) -> list[tuple[str, str]]:
    outcome = _Recorded(student)
    try:
        inspect_submission(course, assignment, student, outcome)
    except Exception as exc:  # a file built to break the inspection costs only its learner
        outcome.flag(INVALID, f"the grader could not read it ({type(exc).__name__}); "
                              "ask the learner to submit it again from JupyterLab")
    return outcome.calls


def _autograde(assignment: str, student: str, force: bool) -> dict:
    """nbgrader's ``NbGraderAPI.autograde``, in one gradebook transaction: its commits are
    flushed into one transaction, committed once the learner's submission row exists and
    once at the end, or rolled back (this learner's grades only) when grading fails."""
    from nbgrader.converters import Autograde
    from nbgrader.utils import capture_log, temp_attrs

    from .warmgradebook import one_transaction

    class _Autograde(Autograde):
        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            super().init_assignment(assignment_id, student_id)
            tx.checkpoint()  # the learner and submission rows: a short lock, then grading

    coursedir = _API.coursedir
    block = one_transaction(coursedir.db_url)
    with block as tx, temp_attrs(coursedir, assignment_id=assignment, student_id=student):
        app = _Autograde(coursedir=coursedir, parent=_API)
        app.force, app.create_student = force, True
        result = dict(capture_log(app))
        if result.get("success"):
            result["score"] = _score(coursedir.db_url, assignment, student)
        else:
            block.fail()
    if not result.get("success"):  # what nbgrader kept (the submission, perhaps no grades)
        result["score"] = _score(coursedir.db_url, assignment, student)
    return result


def _score(db_url: str, assignment: str, student: str) -> tuple[float, float] | None:
    """``(score, max score)`` of the learner's submission in the gradebook, if it is there."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        return sub.score, sub.max_score


def grade_one(assignment: str, student: str, force: bool, retries: int = 4) -> dict:
    start = time.perf_counter()
    # inspected here, in the worker that has nbformat and nbgrader loaded already (the
    # cohort's own process then never imports them)
    inspected = _inspect(Path(_API.coursedir.root), assignment, student)
    result: dict = {}
    for attempt in range(retries):
        sandbox.EVENTS.clear()
        try:
            result = _autograde(assignment, student, force)
        except Exception as exc:  # never let one learner stop the cohort
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        text = (result.get("log") or "") + (result.get("error") or "")
        if result.get("success") or "database is locked" not in text:
            break
        time.sleep(0.5 * (attempt + 1))
    result["events"] = list(dict.fromkeys(sandbox.EVENTS))
    result["inspected"] = inspected
    result["seconds"] = time.perf_counter() - start
    return result


def worker_main(course: str, sandboxed: bool, limits: dict, conn, tmp: str | None = None,
                 as_data: bool = False) -> None:
    """One grading process: grade the learners it is sent, one at a time, until told to stop.

    Its temporary files (each sandbox's folder) go under ``tmp``, which the cohort removes
    even when it has to kill this process."""
    from . import leanworker  # noqa: F401 (first, when this process was spawned)

    if tmp:
        import tempfile

        tempfile.tempdir = tmp
    init_worker(course, sandboxed, limits, as_data)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(grade_one(*task))


def grades_as_data(course: Path, assignment: str) -> bool:
    """Whether every notebook of ``assignment`` holds clicked answers only, so that it is
    graded as data with no learner kernel (:mod:`coursekit.grading.dataanswers`)."""
    from .dataanswers import assignment_key

    return assignment_key(Path(course), assignment) is not None
