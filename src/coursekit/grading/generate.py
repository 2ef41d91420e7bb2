"""Build the nbgrader source notebooks (the answer key) from the question bank.

nbgrader has no multiple-choice cell, so each question becomes plain cells nbgrader
already understands, and learners answer by clicking (:mod:`coursekit.gradedcheck`):

* a locked markdown cell with the question and its lettered options (the letters follow
  the bank's seeded option order); a written question's cell also carries its rubric
  between rubric markers, which the learners' version loses and the marker's keeps
  (:mod:`coursekit.grading.rubrics`);
* for a choice question, an answer cell whose first line is a plain value,
  ``answer_what_it_is = None``, then a guarded call that shows the buttons; the learner's
  clicks are written into that first line when the notebook is saved
  (:mod:`coursekit.grading.answers`); the key sits in a ``### BEGIN SOLUTION`` region;
* a locked autograder test cell worth the question's points: a visible line that says in
  words whether the question is answered (never an error), and the real check between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, in plain Python (it runs while
  nbgrader grades, where the kit may not be importable);
* for a written answer, a manually graded markdown cell.

The output is deterministic: the same bank gives byte-identical notebooks (cell ids
derive from question ids, keys are sorted by :func:`nbformat.writes`).
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import config
from ..errors import GradingError
from ..questionbank import Question, QuestionBank, labelled, load_banks
from .answers import CLICKED
from .rubrics import rubric_block

__all__ = [
    "ASSIGNMENT_SUFFIX",
    "assignment_name",
    "build_notebook",
    "course_dir",
    "grade_id",
    "render",
    "stale",
    "write_sources",
]

ASSIGNMENT_SUFFIX = "-check"
SCHEMA_VERSION = 3  # nbgrader's cell-metadata schema


def course_dir() -> Path:
    """The facilitator's nbgrader course folder: ``facilitator/nbgrader``."""
    return config.kit_root() / "facilitator" / "nbgrader"


def assignment_name(lesson_id: str) -> str:
    return f"{lesson_id}{ASSIGNMENT_SUFFIX}"


def grade_id(question: Question, part: str) -> str:
    """The nbgrader ``grade_id`` (and cell id) of one cell: part is question, answer or test."""
    return f"{part}-{question.id}"


def _meta(gid: str, *, grade=False, solution=False, locked=False, points=None,
          hide_code=False) -> dict:
    nbg = {"grade": grade, "grade_id": gid, "locked": locked,
           "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if points is not None:
        nbg["points"] = points
    meta = {"nbgrader": nbg}
    if hide_code:  # JupyterLab shows the cell's output (the buttons), its code folded away
        meta["jupyter"] = {"source_hidden": True}
    return meta


def _markdown(gid: str, source: str, **meta) -> dict:
    return {"cell_type": "markdown", "id": gid, "metadata": _meta(gid, **meta), "source": source}


def _code(gid: str, source: str, **meta) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": gid,
            "metadata": _meta(gid, **meta), "outputs": [], "source": source}


def _lit(value) -> str:
    """A Python literal, written the same way every time."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


# -- what the learner reads --------------------------------------------------------------------

def _question_markdown(q: Question, number: int) -> str:
    unit = "point" if q.points == 1 else "points"
    lines = [f"### Question {number} ({q.points} {unit})", "", q.prompt.strip(), ""]
    if q.type in ("single", "multiple"):
        lines += [f"- **{letter}**: {o.text}" for letter, o in labelled(q.options_shown())]
    elif q.type == "true_false":
        lines.append("Choose True or False.")
    elif q.type == "matching":
        lines.append("Items:")
        lines += [f"{n}. {left}" for n, (left, _) in enumerate(q.pairs, 1)]
        lines += ["", "Matches:"]
        lines += [f"- **{letter}**: {text}" for letter, text in labelled(q.matching_rights())]
    elif q.type == "ordering":
        lines += [f"- **{letter}**: {text}" for letter, text in labelled(q.ordering_shown())]
    elif q.type == "short":
        lines.append("Write your answer in the box below, in your own words (it is copied into "
                     "the text cell under the box when you save). This question is about the "
                     "readings and the course; never write about your own life or anyone you "
                     "know.")
        lines += ["", rubric_block(q.rubric, q.points)]
    return "\n".join(lines).rstrip()


def _answer_code(q: Question) -> str:
    """The answer cell: the plain value line (filled in on save), then the buttons."""
    v = q.variable
    return "\n".join([
        f"{v} = None  # your clicked answer is written here when you save; no typing needed",
        f"try: from coursekit.gradedcheck import show; show({_lit(q.key)}, {v})",
        "except ImportError: pass",
        "### BEGIN SOLUTION",
        f"{v} = {_lit(q.expected())}",
        "### END SOLUTION",
    ])


def _box_code(q: Question) -> str:
    """The text box of a written question (its text goes into the cell below on save)."""
    return "\n".join([
        "# The box for your written answer; it is copied into the text cell below on save.",
        f"try: from coursekit.gradedcheck import write; write({_lit(q.key)})",
        "except ImportError: pass",
    ])


# -- the tests -----------------------------------------------------------------------------------

def _hidden_check(q: Question) -> list[str]:
    """Plain Python (no kit import): passes for the key, in any harmless spelling."""
    v = q.variable
    if q.type == "single":
        return [f"assert isinstance({v}, str) and {v}.strip().lower() == {_lit(q.expected())}"]
    if q.type == "multiple":
        return [f"assert isinstance({v}, (list, tuple, set)) and "
                f"{{str(x).strip().lower() for x in {v}}} == set({_lit(''.join(q.expected()))})"]
    if q.type == "true_false":
        return [f"assert {v} is {q.expected()!r}"]
    return [f"assert isinstance({v}, str) and "
            f"{v}.replace(' ', '').replace(',', '').lower() == {_lit(q.expected())}"]


def _test_code(q: Question) -> str:
    v = q.variable
    return "\n".join([
        "# Says whether this question is answered. It is marked after you submit.",
        f"try: from coursekit.gradedcheck import status; status({_lit(q.key)}, "
        f"globals().get({_lit(v)}))",
        "except ImportError: pass",
        "### BEGIN HIDDEN TESTS",
        f'assert {v} is not None, "not answered"',
        *_hidden_check(q),
        "### END HIDDEN TESTS",
    ])


# -- the notebook --------------------------------------------------------------------------------

def _instructions(bank: QuestionBank, title: str | None) -> str:
    total = sum(q.points for q in bank)
    lines = [
        f"# Lesson {bank.lesson} check" + (f": {title}" if title else ""),
        "",
        f"This check has {len(bank)} questions worth {total} points in all.",
        "",
        "**How to answer** (no typing of code, ever)",
        "",
        "1. Show the answer buttons: choose *Run* › *Run All Cells* in the menu.",
        "2. Under each question, click your answer (a choice, several boxes, or a "
        "drop-down per item). A line under the buttons says what you chose. "
        "*Clear my answer* starts a question again.",
        "3. For a written question, type your answer into its box.",
        "4. Save the notebook (*File* › *Save Notebook*, or <kbd>Ctrl</kbd>+<kbd>S</kbd>): "
        "saving writes your clicked answers into it. Then submit it, or hand it back, the "
        "way your facilitator asked.",
        "5. Nothing tells you here whether an answer is right: it is marked after you "
        "submit, and your feedback explains every question.",
        "6. Do not delete, move or edit the question and check cells; a check that is "
        "missing or changed is reported to your facilitator.",
        "",
        "Written answers are about the readings and the course only. Never write about "
        "your own life or anyone you know: nothing personal is needed, or marked.",
    ]
    return "\n".join(lines)


def build_notebook(bank: QuestionBank, title: str | None = None) -> dict:
    """The source notebook of one lesson's check, as a plain nbformat-4 dict."""
    if not len(bank):
        raise GradingError(f"lesson {bank.lesson} has no questions in {bank.source}; "
                           "add some before generating its check")
    cells = [_markdown("instructions", _instructions(bank, title), locked=True)]
    for number, q in enumerate(bank, 1):
        cells.append(_markdown(grade_id(q, "question"), _question_markdown(q, number),
                               locked=True))
        if q.type == "short":
            cells.append(_code(grade_id(q, "box"), _box_code(q), locked=True,
                               hide_code=True))
            cells.append(_markdown(grade_id(q, "answer"), q.rubric.strip(), grade=True,
                                   solution=True, points=q.points))
        else:
            cells.append(_code(grade_id(q, "answer"), _answer_code(q), solution=True,
                               hide_code=True))
            cells.append(_code(grade_id(q, "test"), _test_code(q), grade=True, locked=True,
                               points=q.points, hide_code=True))
    return {
        "cells": cells,
        "metadata": {
            "coursekit": {"answers": CLICKED, "generated-by": "coursekit grade generate",
                          "lesson": bank.lesson},
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(bank: QuestionBank, title: str | None = None) -> str:
    """The notebook file's exact text (validated, sorted keys, trailing newline)."""
    import nbformat

    nb = nbformat.from_dict(build_notebook(bank, title))
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def expected_sources(questions_dir: Path | None = None) -> dict[Path, str]:
    """``{relative path: text}`` of every source notebook the bank implies."""
    out = {}
    for bank in load_banks(questions_dir):
        if len(bank):
            name = assignment_name(bank.lesson)
            out[Path("source") / name / f"{name}.ipynb"] = render(bank)
    return out


def stale(course: Path | None = None, questions_dir: Path | None = None) -> list[Path]:
    """Source notebooks that differ from the bank, are missing, or have no bank any more."""
    course = course_dir() if course is None else Path(course)
    expected = expected_sources(questions_dir)
    problems = [rel for rel, text in expected.items()
                if not (course / rel).is_file()
                or (course / rel).read_text(encoding="utf-8") != text]
    generated = {p.relative_to(course) for p in (course / "source").glob(
        f"*{ASSIGNMENT_SUFFIX}/*{ASSIGNMENT_SUFFIX}.ipynb")}
    problems += sorted(generated - set(expected))
    return sorted(problems)


def write_sources(course: Path | None = None, questions_dir: Path | None = None) -> list[Path]:
    """Write every lesson's source notebook; return the paths that changed."""
    course = course_dir() if course is None else Path(course)
    changed = []
    for rel, text in expected_sources(questions_dir).items():
        path = course / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed
