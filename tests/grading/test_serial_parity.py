"""The cohort command gives exactly the scores serial `nbgrader autograde` gives, on both
paths: clicked answers graded as data (no learner kernel) and the sandboxed kernel."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from coursekit.grading.cohort import GRADED, autograde_cohort, grades_as_data
from coursekit.grading.sandbox import sandbox_problem
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

HONEST = ("full", "partial", "blank", "types", "multi-wrong")


def gradebook_scores(course: Path) -> dict[str, tuple[float, dict[str, float]]]:
    """Each learner's total and per-question scores, read back from the gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            sub = gb.find_submission(ASSIGNMENT, student.id)
            per_cell = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                        for nb in sub.notebooks for g in nb.grades}
            out[student.id] = (sub.score, per_cell)
    return out


def grading_metadata(course: Path, student: str) -> list[tuple]:
    """Every cell's type, nbgrader metadata (checksums included) and source, as autograded."""
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], json.dumps(c["metadata"].get("nbgrader"), sort_keys=True),
             "".join(c["source"])) for c in nb["cells"]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    tmp = tmp_path_factory.mktemp("parity")
    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    multi = next(q for q in qs if q.type == "multiple")
    # 30 s cells: serial nbgrader runs the answer cells' widget imports, slow on a busy machine
    serial = make_course(tmp / "serial", timeout=30)
    nbgrader(serial, "generate_assignment", ASSIGNMENT, "--force")
    submission(serial, "full", right)
    submission(serial, "partial", {**right, qs[0].id: wrong_answer(qs[0]),
                                   qs[2].id: wrong_answer(qs[2])})
    submission(serial, "blank", {})
    submission(serial, "types", {**right, qs[1].id: '{"not": "an answer"}'})
    submission(serial, "multi-wrong", {**right, multi.id: '["A ", "z"]'})
    submission(serial, "deleted", right, mutate=delete_cells(f"test-{qs[0].id}"))
    submission(serial, "tampered", {}, mutate=replace_source(f"test-{qs[1].id}", "pass"))
    copies = {}
    for path in ("data", "sandbox"):
        copies[path] = tmp / path / "course"
        shutil.copytree(serial, copies[path])
    nbgrader(serial, "autograde", ASSIGNMENT, "--force")
    return dict(serial=serial, copies=copies, bank=bank)


def test_a_generated_check_is_graded_as_data(graded):
    assert grades_as_data(graded["copies"]["data"], ASSIGNMENT)


@pytest.mark.parametrize("path", ["data", "sandbox"])
def test_cohort_scores_equal_serial_scores(graded, path):
    if path == "sandbox" and sandbox_problem() is not None and not os.environ.get("CI"):
        pytest.skip(f"no sandbox here: {sandbox_problem()}")
    serial, cohort = graded["serial"], graded["copies"][path]
    outcomes = autograde_cohort(cohort, ASSIGNMENT, workers=2, as_data=path == "data")

    expected, got = gradebook_scores(serial), gradebook_scores(cohort)
    assert sorted(expected) == sorted(got) == sorted(o.student for o in outcomes)
    assert got == expected
    assert expected["full"][0] > expected["partial"][0] > expected["blank"][0] == 0
    assert {o.student: o.score for o in outcomes} == {s: v[0] for s, v in expected.items()}
    by = {o.student: o for o in outcomes}
    for student in HONEST:
        assert by[student].status == GRADED, (student, by[student].detail)
        # the same cells, checksums and grading metadata Formgrader and feedback read
        assert grading_metadata(cohort, student) == grading_metadata(serial, student), student
