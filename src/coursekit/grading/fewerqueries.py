"""nbgrader's two gradebook-heavy autograde steps, each reading what it needs in one query.

nbgrader's ``OverwriteCells`` looks up every graded cell's source in the gradebook with a
query of its own (two for a grade cell), and ``SaveAutoGrades`` looks up every grade and
comment with a seven-table join of its own and commits after each one: about 60 queries
and 16 commits for one submission of a lesson check, the same for every learner. The
subclasses here run nbgrader's own per-cell code unchanged; only the lookups are answered
from the rows of this notebook, read once (exactly the rows nbgrader's lookups find, with
the same :class:`~nbgrader.api.MissingEntry` when a row is absent), and ``SaveAutoGrades``
commits once, after its last cell. The gradebook ends up holding what nbgrader writes.

Used by the cohort's grading workers (:mod:`coursekit.grading.cohort`) in place of
nbgrader's two classes.
"""

from __future__ import annotations

import copy

from nbconvert.exporters import NotebookExporter
from nbformat import validator
from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    GradeCell,
    MissingEntry,
    Notebook,
    SolutionCell,
    SourceCell,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)
from nbgrader.preprocessors import OverwriteCells, SaveAutoGrades

__all__ = ["OneCopyNotebookExporter", "OneQueryOverwriteCells", "OneQuerySaveAutoGrades"]


def _first(tables: tuple[dict, ...], name: str, what: str):
    """The row named ``name`` in the first table holding it (nbgrader's order of lookups)."""
    for table in tables:
        if name in table:
            return table[name]
    raise MissingEntry(f"No such {what}: {name}")


class _Deferred:
    """A session whose ``commit`` waits for :meth:`OneQuerySaveAutoGrades.preprocess` to end."""

    def __init__(self, db):
        self._db = db

    def commit(self) -> None:
        """Nothing yet: the step commits once, after its last cell."""

    def __getattr__(self, name):
        return getattr(self._db, name)


class _Lookups:
    """A :class:`~nbgrader.api.Gradebook` whose ``find_*`` lookups for one notebook are
    answered from rows read once; anything else goes to the gradebook itself."""

    def __init__(self, gb: Gradebook, notebook: str, assignment: str,
                 student: str | None = None):
        self._gb = gb
        db = gb.db
        nb = (db.query(Notebook).join(Assignment, Assignment.id == Notebook.assignment_id)
              .filter(Notebook.name == notebook, Assignment.name == assignment).one_or_none())
        nb_id = nb.id if nb is not None else None

        def by_name(kind):
            return {c.name: c for c in db.query(kind).filter(kind.notebook_id == nb_id)}

        self.source = by_name(SourceCell)
        self.graded = (by_name(GradeCell), by_name(TaskCell))
        self.grades: tuple[dict, ...] = ()
        self.comments: tuple[dict, ...] = ()
        if student is not None:
            sub = (db.query(SubmittedNotebook)
                   .join(SubmittedAssignment,
                         SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                   .filter(SubmittedNotebook.notebook_id == nb_id,
                           SubmittedAssignment.student_id == student).one_or_none())
            sub_id = sub.id if sub is not None else None

            def rows(kind, cell):
                return {name: row for row, name in db.query(kind, cell.name)
                        .join(cell, cell.id == kind.cell_id).filter(kind.notebook_id == sub_id)}

            self.grades = (rows(Grade, GradeCell), rows(Grade, TaskCell))
            self.comments = (rows(Comment, SolutionCell), rows(Comment, TaskCell))
            self.db = _Deferred(db)

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        return _first((self.source,), name, "source cell")

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        return _first(self.graded, name, "graded cell")

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str):
        return _first(self.grades, grade_cell, "grade")

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str):
        return _first(self.comments, solution_cell, "comment")

    def __getattr__(self, name):
        return getattr(self._gb, name)


class OneQueryOverwriteCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, its source cells read in one query per kind."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        with Gradebook(self.db_url) as gb:
            self.gradebook = _Lookups(gb, self.notebook_id, self.assignment_id)
            nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
            self.gradebook = gb
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class OneQuerySaveAutoGrades(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``, this learner's grades and comments read in one query
    per kind and committed once."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        with Gradebook(self.db_url) as gb:
            self.gradebook = _Lookups(gb, self.notebook_id, self.assignment_id,
                                      self.student_id)
            nb, resources = super(SaveAutoGrades, self).preprocess(nb, resources)
            gb.db.commit()
        return nb, resources


class OneCopyNotebookExporter(NotebookExporter):
    """nbconvert's ``NotebookExporter``, without its second deep copy of the notebook.

    ``Exporter.from_notebook_node`` deep-copies the notebook it is given and hands that copy,
    which nothing else holds, to ``_preprocess``, which deep-copies it again before running
    the steps ("we are never safe enough"). For a lesson check that second copy was a sixth
    of the CPU time of grading a submission as data. The steps, their order, nbformat's
    normalisation and the validation are nbconvert's own (with ``optimistic_validation``, a
    documented nbconvert setting, set by the cohort: once after the last step)."""

    def _preprocess(self, nb, resources):
        resources = copy.deepcopy(resources)
        if hasattr(validator, "normalize"):
            _, nb = validator.normalize(nb)
        preprocessor = None
        for preprocessor in self._preprocessors:
            nb, resources = preprocessor(nb, resources)
            if not self.optimistic_validation:
                self._validate_preprocessor(nb, preprocessor)
        if self.optimistic_validation:
            self._validate_preprocessor(nb, preprocessor)
        return nb, resources
