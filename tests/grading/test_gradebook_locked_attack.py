"""A gradebook another program keeps locked (a Formgrader saving a grade, a database tool
left open in a transaction). Locked from the start: one clear error after a short wait, and
nothing graded. Locked while the cohort grades: every learner still to grade gets a status
naming the lock and the fix, even one whose submission the inspection also flagged (its sentence used
to claim "nbgrader could not score it", hiding the real cause and advising the wrong fix),
nothing is half-written, and grading again once the lock is gone gives plain nbgrader's
scores."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from coursekit.errors import GradingError
from coursekit.grading import cohort
from coursekit.grading.cohort import FAILED, GRADED, METADATA, autograde_cohort
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

pytestmark = pytest.mark.slow


def points_raised(nb: dict) -> None:
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            meta["points"] = 100


def grades(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM grade WHERE auto_score IS NOT NULL").fetchone()[0]


def test_a_locked_gradebook_is_named_for_every_learner_and_nothing_is_half_written(
        tmp_path, monkeypatch):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    right = right_answers(bank)
    submission(course, "a-first", right)
    submission(course, "edited", right, mutate=points_raised)
    submission(course, "honest", right)
    db = course / "gradebook.db"
    lock = sqlite3.connect(db, isolation_level=None)

    # Locked before grading starts: one error, after a short wait, and nothing graded.
    monkeypatch.setattr(cohort, "LOCK_WAIT_SECONDS", 1.0)
    lock.execute("BEGIN EXCLUSIVE")
    with pytest.raises(GradingError, match="stayed locked by another program for 1 s") as err:
        autograde_cohort(course, ASSIGNMENT, workers=1, as_data=True)
    assert "nothing was graded" in str(err.value) and "run the command again" in str(err.value)
    from click.testing import CliRunner

    from coursekit.cli import main

    run = CliRunner().invoke(main, ["grade", "autograde", ASSIGNMENT, "--course", str(course),
                                    "--workers", "1"])
    assert run.exit_code == 1, run.output
    assert "Error: the gradebook" in run.output and "stayed locked" in run.output
    assert "Traceback" not in run.output
    lock.execute("ROLLBACK")
    assert grades(db) == 0 and not (course / "autograded").exists()

    # Locked while grading (after the first learner): each learner still to grade is told.
    def lock_after_the_first(outcome):
        if outcome.student == "a-first":
            lock.execute("BEGIN EXCLUSIVE")

    try:
        outcomes = {o.student: o for o in autograde_cohort(
            course, ASSIGNMENT, workers=1, as_data=True, progress=lock_after_the_first)}
    finally:
        if lock.in_transaction:
            lock.execute("ROLLBACK")
        lock.close()
    assert outcomes["a-first"].status == GRADED
    first = grades(db)
    assert first > 0
    for student in ("honest", "edited"):
        out = outcomes[student]
        assert out.status == FAILED, (student, out.status, out.detail)
        assert "gradebook stayed locked" in out.detail and "again" in out.detail
        assert "could not score it" not in out.detail
    assert METADATA in outcomes["edited"].flags  # the inspection's own finding stays too
    assert grades(db) == first  # nothing of the locked ones half-written
    assert not (course / "autograded" / "honest").exists()

    again = {o.student: o for o in autograde_cohort(course, ASSIGNMENT, workers=1,
                                                    as_data=True)}
    points = sum(q.points for q in bank.choice_questions)
    assert again["honest"].status == GRADED and again["honest"].score == points
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        assert gb.find_submission(ASSIGNMENT, "honest").score == points
        # nbgrader scores the edited one by the source's points, as plain nbgrader does
        assert gb.find_submission(ASSIGNMENT, "edited").score == points
