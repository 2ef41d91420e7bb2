"""End to end on real files: generate, release, 30 submissions, cohort autograde, feedback, CSV.

Everything happens in a temp copy of the course folder, never in the committed one.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from coursekit.grading.cohort import (
    DELETED,
    GRADED,
    INVALID,
    KERNEL_DIED,
    TAMPERED,
    UNEXPECTED_CODE,
    autograde_cohort,
)
from coursekit.questionbank import load_bank

from .factories import (
    ASSIGNMENT,
    delete_cells,
    literal,
    make_course,
    nbgrader,
    replace_source,
    right_answers,
    submission,
    wrong_answer,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    # the nbgrader subprocesses read the bank from this checkout
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    course = make_course(tmp_path_factory.mktemp("e2e"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    qs = bank.choice_questions
    points = {q.id: q.points for q in qs}
    right = right_answers(bank)
    expected: dict[str, tuple[str, float]] = {}

    def add(student, answers, status=GRADED, score=None, **kw):
        submission(course, student, answers, **kw)
        if score is None:
            score = sum(points[qid] for qid, src in answers.items() if src == right[qid])
        expected[student] = (status, float(score))

    for n in range(5):
        add(f"full-{n}", right)
    for n, q in enumerate(qs):  # one wrong answer each
        add(f"partial-{n}", {**right, q.id: wrong_answer(q)})
    for n in range(4):
        add(f"blank-{n}", {})
    wrong_types = {"what-it-is": "2", "reflections-optional": '"True"',
                   "when-overwhelmed": '{"a": 1}', "lesson-parts": "[1, 2]",
                   "lesson-flow": "None"}
    add("types-0", {**right, **wrong_types}, score=sum(points.values()) - sum(
        points[k] for k in wrong_types))
    key = bank.question("what-it-is").expected()
    add("types-1", {**right, "what-it-is": literal(key.upper() + " ")})  # case, spaces: fine
    expected["types-1"] = (GRADED, float(sum(points.values())))
    add("types-2", {**right, "where-reflections-go": "b"}, score=0)  # a name, not a value
    expected["types-2"] = (UNEXPECTED_CODE,
                           float(sum(points.values()) - points["where-reflections-go"]))
    first, second = qs[0], qs[1]
    add("deleted-0", right, DELETED, sum(points.values()) - first.points,
        mutate=delete_cells(f"test-{first.id}"))
    add("deleted-1", right, DELETED, sum(points.values()) - first.points - second.points,
        mutate=delete_cells(f"test-{first.id}", f"test-{second.id}"))
    add("deleted-2", right, DELETED, sum(points.values()),
        mutate=delete_cells(f"question-{first.id}"))
    expected["deleted-2"] = (GRADED, float(sum(points.values())))  # a prose cell: harmless
    for n in range(3):
        wrong = {q.id: wrong_answer(q) for q in qs}
        add(f"tamper-{n}", wrong, TAMPERED, 0,
            mutate=replace_source(f"test-{qs[n].id}", "assert True  # always passes"))
    # code in an answer cell is never run (clicked answers are graded as data): that
    # question earns nothing, the others are graded (the sandbox's statuses for such code
    # are tested in test_hostile.py)
    for n in range(2):
        loop = {**right, first.id: right[first.id] + "\nwhile True:\n    pass"}
        add(f"loop-{n}", loop, UNEXPECTED_CODE, sum(points.values()) - first.points)
    add("dies-0", {**right, first.id: "None\nimport os\nos._exit(1)"}, UNEXPECTED_CODE,
        sum(points.values()) - first.points)
    for n in range(2):
        add(f"invalid-{n}", {}, INVALID, 0, raw='{"cells": [' if n else "not a notebook")
    add("huge-0", {**right, first.id: right[first.id] + "\nprint(('x' * 80 + '\\n') * 50000)"},
        UNEXPECTED_CODE, score=sum(points.values()) - first.points)
    assert len(expected) == 24 + len(qs)  # 30 with six choice questions

    seen = []
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=2, progress=seen.append)
    return course, bank, expected, {o.student: o for o in outcomes}, seen


def test_release_holds_no_solution_and_no_hidden_test(graded):
    course, bank, *_ = graded
    text = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    for q in bank:
        if q.is_choice:
            assert f"{q.variable} = {literal(q.expected())}" not in json.loads(
                json.dumps(text)), q.id
        else:
            assert q.rubric[:40] not in text


def test_every_submission_gets_its_expected_status_and_score(graded):
    _, _, expected, outcomes, seen = graded
    assert sorted(o.student for o in seen) == sorted(expected)  # progress for every learner
    wrong = {s: (outcomes[s].status, outcomes[s].score, want)
             for s, want in expected.items()
             if (outcomes[s].status, outcomes[s].score) != want}
    assert wrong == {}


def test_feedback_shows_explanations_not_hidden_tests(graded):
    course, bank, _, outcomes, _ = graded
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force", check=False)
    done = sorted(p.parent.parent.name for p in (course / "feedback").glob(
        f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    should = sorted(s for s, o in outcomes.items() if o.status not in (INVALID, KERNEL_DIED))
    assert done == should
    html = (course / "feedback" / "partial-0" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(
        encoding="utf-8")
    for q in bank.choice_questions:
        assert " ".join(q.explanation.split()[:4]) in html, q.id
    assert "HIDDEN TESTS" not in html
    body = html[html.find("<body"):]  # the page's CSS names a "Generic.Traceback" style
    assert "Correct." in body
    for leak in ("AssertionError", "Traceback", "NameError"):
        at = body.find(leak)
        assert at < 0, body[max(0, at - 600):at + 100]
    assert "Not this time" in html and "Correct." in html


def test_csv_export_matches_the_cohort_scores(graded):
    course, _, expected, outcomes, _ = graded
    nbgrader(course, "export")
    with (course / "grades.csv").open(encoding="utf-8") as f:
        rows = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}
    assert set(rows) == set(expected)
    assert {s: o.score or 0.0 for s, o in outcomes.items()} == rows


def test_class_summary_names_no_learner_and_hides_small_groups(graded, tmp_path):
    import shutil

    from click.testing import CliRunner
    from nbgrader.api import Gradebook

    from coursekit.cli import main
    from coursekit.grading.summary import MIN_GROUP, class_summary

    course, bank, expected, _, _ = graded
    result = class_summary(course, ASSIGNMENT)
    assert result.submissions == len(expected)
    assert [q.key for q in result.questions] == [q.key for q in bank.choice_questions]
    for q in result.questions:
        assert not q.suppressed and 0 < q.proportion_correct < 1
        assert all(count >= MIN_GROUP for _, count in q.wrong_answers)
    run = CliRunner().invoke(main, ["grade", "summary", ASSIGNMENT, "--course", str(course),
                                    "--out", str(tmp_path / "s.png")])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "s.png").stat().st_size > 1000
    assert not any(student in run.output for student in expected)
    # a group of four: nothing is shown
    small = tmp_path / "small"
    shutil.copytree(course, small, ignore=shutil.ignore_patterns("feedback", "release"))
    with Gradebook(f"sqlite:///{small / 'gradebook.db'}") as gb:
        for student in sorted(expected)[4:]:
            gb.remove_submission(ASSIGNMENT, student)
    tiny = class_summary(small, ASSIGNMENT)
    assert tiny.submissions == 4 and tiny.suppressed
    assert all(q.suppressed and not q.wrong_answers for q in tiny.questions)
