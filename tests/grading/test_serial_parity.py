"""The cohort command gives exactly the scores serial `nbgrader autograde` gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from coursekit.grading.cohort import autograde_cohort
from coursekit.questionbank import load_bank

from .factories import (
    ASSIGNMENT,
    delete_cells,
    make_course,
    nbgrader,
    replace_source,
    right_answers,
    submission,
    wrong_answer,
)

pytestmark = pytest.mark.slow


def gradebook_scores(course: Path) -> dict[str, tuple[float, dict[str, float]]]:
    """Each learner's total and per-question scores, read back from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            sub = gb.find_submission(ASSIGNMENT, student.id)
            per_cell = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            out[student.id] = (sub.score, per_cell)
    return out


def test_cohort_scores_equal_serial_scores(tmp_path):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    # 30 s cells: serial nbgrader runs the answer cells' widget imports, slow on a busy machine
    serial = make_course(tmp_path / "serial", timeout=30)
    nbgrader(serial, "generate_assignment", ASSIGNMENT, "--force")
    submission(serial, "full", right)
    submission(serial, "partial", {**right, qs[0].id: wrong_answer(qs[0]),
                                   qs[2].id: wrong_answer(qs[2])})
    submission(serial, "blank", {})
    submission(serial, "types", {**right, qs[1].id: '{"not": "an answer"}'})
    submission(serial, "deleted", right, mutate=delete_cells(f"test-{qs[0].id}"))
    submission(serial, "tampered", {}, mutate=replace_source(f"test-{qs[1].id}", "pass"))
    cohort = tmp_path / "cohort" / "course"
    shutil.copytree(serial, cohort)

    nbgrader(serial, "autograde", ASSIGNMENT, "--force")
    outcomes = autograde_cohort(cohort, ASSIGNMENT, workers=2)

    expected, got = gradebook_scores(serial), gradebook_scores(cohort)
    assert sorted(expected) == sorted(got) == sorted(o.student for o in outcomes)
    assert got == expected
    assert expected["full"][0] > expected["partial"][0] > expected["blank"][0] == 0
    assert {o.student: o.score for o in outcomes} == {s: v[0] for s, v in expected.items()}
