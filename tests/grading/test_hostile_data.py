"""Issue 18: cheats on the clicked-answer check, graded as data beside honest learners.

Each cheat is one to a few lines in an answer cell, every answer otherwise blank: an
input transformer that drops ``assert`` lines, a ``pre_run_cell`` hook that reads the
hidden test and sets the answers, a planted ``coursekit/gradedcheck.py`` (written by the
answer, or handed in beside the notebook), a patched ``kernel.do_execute`` that always
replies "ok", and a ``str`` subclass equal to everything. Plain ``nbgrader autograde``
gives each of them marks (asserted below, so the cheats are real); graded as data, each
earns nothing and gets its own status, and honest learners keep full marks.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

import pytest

from coursekit.grading.cohort import EXPLAIN, UNEXPECTED_CODE, autograde_cohort

from . import corpus
from .factories import ASSIGNMENT, nbgrader

pytestmark = pytest.mark.slow


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    root = tmp_path_factory.mktemp("cheats")
    built = corpus.build_data(root / "data")
    course = built["course"]
    # the cheats, graded by plain nbgrader in a copy of the course
    plain = root / "plain" / "course"
    shutil.copytree(course, plain)
    cheats = [*corpus.CHEATS, "c-str-subclass", "c-planted-file"]
    for student in list((plain / "submitted").iterdir()):
        if student.name not in cheats:
            shutil.rmtree(student)
    nbgrader(plain, "autograde", ASSIGNMENT, "--force")
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=2)
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force", check=False)
    return dict(built, plain=scores(plain), cheats=cheats, feedback=feedback,
                outcomes={o.student: o for o in outcomes}, scores=scores(course))


def test_each_cheat_earns_marks_from_plain_nbgrader(batch):
    earned = {s: batch["plain"].get(s) for s in batch["cheats"]}
    print("plain nbgrader:", earned, "of", batch["points"])
    assert all(v and v > 0 for v in earned.values()), earned


def test_each_submission_gets_its_own_status(batch):
    got = {s: batch["outcomes"][s].status for s in batch["expect"]}
    assert got == batch["expect"]
    for student, outcome in batch["outcomes"].items():
        if outcome.status == UNEXPECTED_CODE:
            assert "was not run" in outcome.detail and "answer-" in outcome.detail, student
    assert EXPLAIN[UNEXPECTED_CODE][0] == ("The answer cell holds code the check did not put "
                                           "there; it was not run; look at it.")


def test_cheats_earn_nothing_and_honest_learners_keep_full_marks(batch):
    got = batch["scores"]
    assert {s: got[s] for s in batch["zero"]} == dict.fromkeys(batch["zero"], 0)
    for student in batch["expect"]:
        if student.startswith("honest"):
            assert got[student] == batch["points"], student
    # a test cell given 100 points by the learner is scored at the source's points
    assert got["t-points"] <= batch["points"]


def test_no_learner_code_ran(batch):
    course = batch["course"]
    for student in batch["cheats"]:
        folder = course / "autograded" / student / ASSIGNMENT
        nb = json.loads((folder / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
        # the only outputs are the grader's own verdicts on test cells
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                assert out["output_type"] == "error", (student, out)
                assert out["ename"] in ("AssertionError", "NameError"), (student, out)
    assert not (course / "autograded" / "c-planted-module" / ASSIGNMENT / "coursekit").exists()


def test_feedback_works_and_shows_no_hidden_test(batch):
    assert batch["feedback"].returncode == 0, batch["feedback"].stderr[-2000:]
    course = batch["course"]
    pages = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    assert {p.parent.parent.name for p in pages} == set(batch["expect"]) - {"t-duplicated"}
    for page in pages:
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert "HIDDEN TESTS" not in text and ".strip().lower() ==" not in text, page


def test_a_written_answer_with_script_is_text_for_the_marker(batch):
    course = batch["course"]
    assert batch["scores"]["x-script-answer"] == batch["points"]
    path = course / "autograded" / "x-script-answer" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    written = ["".join(c["source"]) for c in nb["cells"]
               if c["cell_type"] == "markdown" and c["id"].startswith("answer-")]
    assert written and all("<" not in w and "Readings differ." in w for w in written)
    page = (course / "feedback" / "x-script-answer" / ASSIGNMENT / f"{ASSIGNMENT}.html"
            ).read_text(encoding="utf-8")
    body = page[page.find("<body"):]
    for live in ("<img src=x", '<img src="x"', "<script>alert", "<iframe", 'href="javascript:'):
        assert live not in body, live
    assert "&lt;img src=x onerror=alert(1)&gt;" in body or "&lt;img src=x onerror=alert(1)>" in body
