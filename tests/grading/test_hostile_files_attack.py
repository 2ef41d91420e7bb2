"""Submitted files built to break the grader before any answer is read: JSON nested deeper
than Python's parser recurses, and other files that are not the notebook. One of them
must never stop the batch, and each gets the status that says what it is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coursekit.grading.cohort import GRADED, INVALID, UNEXPECTED_CODE, autograde_cohort
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

pytestmark = pytest.mark.slow


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    course = make_course(tmp_path_factory.mktemp("files"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    bank = load_bank("00")
    right = right_answers(bank)
    submission(course, "honest", right)
    submission(course, "bomb-array", {}, raw="[" * 100_000)
    deep = submission(course, "bomb-metadata", right)
    deep.write_text(deep.read_text(encoding="utf-8").replace(
        '"nbformat": 4,', f'"x": {_nested(5000)}, "nbformat": 4,', 1), encoding="utf-8")
    cell = submission(course, "bomb-cell-metadata", right)
    nb = json.loads(cell.read_text(encoding="utf-8"))
    nb["cells"][0]["metadata"]["x"] = "DEEP"
    cell.write_text(json.dumps(nb).replace('"DEEP"', _nested(600)), encoding="utf-8")
    first = bank.choice_questions[0]
    for depth in (1200, 3000):  # past ast.dump's recursion; past ast.parse's
        extra = "\nx = " + "+".join(["1"] * depth)
        submission(course, f"deep-{depth}", {**right, first.id: right[first.id] + extra})
    submission(course, "empty", {}, raw="")
    submission(course, "not-json", {}, raw="answer_1 = 'b'\n")
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=2)
    return {"course": course, "first": first, "points": sum(q.points for q in bank.choice_questions),
            **{o.student: o for o in outcomes}}


def test_nested_json_costs_only_its_learner(batch):
    assert batch["honest"].status == GRADED and batch["honest"].score == batch["points"]
    for name in ("bomb-array", "bomb-metadata", "bomb-cell-metadata", "empty", "not-json"):
        assert batch[name].status == INVALID, (name, batch[name])
        assert not batch[name].score, (name, batch[name])


def test_the_sentence_says_what_the_file_is(batch):
    for name in ("bomb-array", "bomb-metadata", "bomb-cell-metadata"):
        assert "nested" in batch[name].detail, (name, batch[name].detail)
    assert "empty" in batch["empty"].detail and "JSON" in batch["not-json"].detail


def test_code_nested_past_the_parser_is_code_in_the_answer_cell(batch):
    for depth in (1200, 3000):
        o = batch[f"deep-{depth}"]
        assert o.status == UNEXPECTED_CODE, o
        assert o.score == batch["points"] - batch["first"].points, o


def test_the_class_summary_reads_past_a_notebook_it_cannot_parse(batch):
    from coursekit.grading.summary import class_summary

    summary = class_summary(batch["course"], ASSIGNMENT)
    assert summary.submissions >= 3
