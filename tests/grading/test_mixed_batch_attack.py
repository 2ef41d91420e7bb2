"""One batch mixing honest, hostile and broken submissions, graded by the cohort as data:
every honest learner gets exactly the scores plain `nbgrader autograde` gives (run per
learner here, since plain nbgrader stops the whole batch at a copied answer cell), each
bad one gets its own status, and none of them stops the others."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from coursekit.grading.cohort import (
    DUPLICATED,
    GRADED,
    INVALID,
    MALFORMED,
    METADATA,
    autograde_cohort,
)
from coursekit.questionbank import load_bank

from .factories import (
    ASSIGNMENT,
    make_course,
    nbgrader,
    right_answers,
    submission,
    wrong_answer,
)

pytestmark = pytest.mark.slow

ODD = "odd id é+x"


def copied_answer(kind: str):
    """The first answer cell of ``kind`` pasted again below itself, metadata and all (as
    JupyterLab's copy and paste does)."""
    def mutate(nb: dict) -> None:
        cells = nb["cells"]
        i = next(i for i, c in enumerate(cells) if c["cell_type"] == kind
                 and c["metadata"].get("nbgrader", {}).get("solution"))
        copy = json.loads(json.dumps(cells[i]))
        copy["id"] = "pasted-copy"
        cells.insert(i + 1, copy)
    return mutate


def same_cell_ids(nb: dict) -> None:
    nb["cells"][1]["id"] = nb["cells"][0]["id"]


def points_raised(nb: dict) -> None:
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["metadata"]["nbgrader"]["points"] = 100


def not_nbformat(nb: dict) -> None:
    nb["cells"][0]["bogus"] = 1  # optimistic validation must not let this through quietly


def scores(course: Path) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except MissingEntry:
                continue
            out[student.id] = (sub.score, sorted((g.name, g.auto_score)
                                                 for nb in sub.notebooks for g in nb.grades))
    return out


def test_a_mixed_batch_keeps_serial_parity_and_gives_each_bad_one_its_status(tmp_path):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    qs, right = bank.choice_questions, right_answers(bank)
    serial = make_course(tmp_path / "serial", timeout=30)
    nbgrader(serial, "generate_assignment", ASSIGNMENT, "--force")
    submission(serial, "honest", right)
    submission(serial, "partial", {**right, qs[0].id: wrong_answer(qs[0])})
    submission(serial, ODD, right)
    submission(serial, "pasted-code", right, mutate=copied_answer("code"))
    submission(serial, "pasted-words", right, mutate=copied_answer("markdown"))
    submission(serial, "same-ids", right, mutate=same_cell_ids)
    submission(serial, "points", right, mutate=points_raised)
    submission(serial, "not-nbformat", right, mutate=not_nbformat)
    submission(serial, "not-nbformat-points", right,  # a broken format hides no edit
               mutate=lambda nb: (not_nbformat(nb), points_raised(nb)))
    submission(serial, "empty", right, raw="")
    cohort = tmp_path / "cohort" / "course"
    shutil.copytree(serial, cohort)
    learners = sorted(p.name for p in (serial / "submitted").iterdir())
    for student in learners:  # plain nbgrader, one learner at a time
        nbgrader(serial, "autograde", ASSIGNMENT, "--force", f"--student={student}",
                 check=False)

    by = {o.student: o for o in autograde_cohort(cohort, ASSIGNMENT, workers=2,
                                                 as_data=True)}
    assert sorted(by) == learners
    assert scores(cohort) == scores(serial)
    points = sum(q.points for q in bank.choice_questions)
    for student in ("honest", ODD, "same-ids"):
        assert by[student].status == GRADED, (student, by[student].detail)
        assert by[student].score == points
    assert by["partial"].status == GRADED and by["partial"].score == points - qs[0].points
    for student in ("pasted-code", "pasted-words"):  # used to be "failed: schema version 0"
        assert by[student].status == DUPLICATED, (student, by[student].detail)
        assert "appears 2 times" in by[student].detail
        assert "schema" not in by[student].detail.lower()
    assert by["points"].status == METADATA and "points changed" in by["points"].detail
    # nbgrader scores it (the same score as plain nbgrader, above): the status says so
    assert by["not-nbformat"].status == MALFORMED and "bogus" in by["not-nbformat"].detail
    assert by["not-nbformat"].score == points and "not score" not in by["not-nbformat"].detail
    assert METADATA in by["not-nbformat-points"].flags, by["not-nbformat-points"].detail
    assert by["empty"].status == INVALID and "empty" in by["empty"].detail
    autograded = cohort / "autograded"
    for student in ("honest", "partial", ODD):
        assert (autograded / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
