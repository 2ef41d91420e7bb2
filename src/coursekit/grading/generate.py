"""Build the nbgrader source notebooks (the answer key) from the question bank.

nbgrader has no multiple-choice cell, so each question becomes plain cells nbgrader
already understands:

* a locked markdown cell with the question and its lettered options;
* for a choice question, a solution code cell where the learner assigns a plain
  value (``answer_what_it_is = "b"``), the key in a block ``### BEGIN SOLUTION`` /
  ``### END SOLUTION`` region, followed by a locked autograder test cell worth the
  question's points: visible checks of the answer's form, the real check between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
* for a short answer, a manually graded markdown cell (its source, the rubric, is
  replaced by nbgrader's text stub in the release).

The output is deterministic: the same bank gives byte-identical notebooks (cell ids
derive from question ids, keys are sorted by :func:`nbformat.writes`).
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import config
from ..errors import GradingError
from ..questionbank import Question, QuestionBank, labelled, load_banks

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


def _meta(gid: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    nbg = {"grade": grade, "grade_id": gid, "locked": locked,
           "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if points is not None:
        nbg["points"] = points
    return {"nbgrader": nbg}


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
        lines.append("Answer `True` or `False`.")
    elif q.type == "matching":
        lines.append("Items:")
        lines += [f"{n}. {left}" for n, (left, _) in enumerate(q.pairs, 1)]
        lines += ["", "Matches:"]
        lines += [f"- **{letter}**: {text}" for letter, text in labelled(q.matching_rights())]
    elif q.type == "ordering":
        lines += [f"- **{letter}**: {text}" for letter, text in labelled(q.ordering_shown())]
    elif q.type == "short":
        lines.append("Write your answer in the cell below, in your own words. This question "
                     "is about the readings and the course; never write about your own life "
                     "or anyone you know.")
    return "\n".join(lines).rstrip()


def _how_to_answer(q: Question) -> str:
    if q.type == "single":
        return ("# Type the letter of ONE option in quotes, like \"a\" or \"b\".\n"
                f"{q.variable} = None  # replace None with your choice")
    if q.type == "multiple":
        return ("# List the letters of EVERY option that applies, like [\"a\", \"b\"].\n"
                f"{q.variable} = None  # replace None with your list")
    if q.type == "true_false":
        return f"# Type True or False (no quotes).\n{q.variable} = None  # replace None"
    if q.type == "matching":
        n = len(q.pairs)
        return (f"# Type {n} letters in quotes: the match for item 1, then item 2, and so on,\n"
                f"# e.g. {_lit(''.join(chr(97 + i) for i in range(n)))}.\n"
                f"{q.variable} = None  # replace None with your letters")
    n = len(q.items)
    return (f"# Type the {n} letters in quotes in the right order, first to last,\n"
            f"# e.g. {_lit(''.join(chr(97 + i) for i in range(n)))}.\n"
            f"{q.variable} = None  # replace None with your letters")


def _answer_code(q: Question) -> str:
    return "\n".join([_how_to_answer(q), "### BEGIN SOLUTION",
                      f"{q.variable} = {_lit(q.expected())}", "### END SOLUTION"])


# -- the tests -----------------------------------------------------------------------------------

def _test_code(q: Question) -> str:
    v = q.variable
    lines = [f"# Checks {v}. Do not change this cell.",
             f'assert {v} is not None, "{v} is still None: replace None with your answer"']
    if q.type == "single":
        letters = [letter for letter, _ in labelled(q.options)]
        lines += [
            f"assert isinstance({v}, str) and {v}.strip().lower() in {_lit(''.join(letters))} "
            f"and len({v}.strip()) == 1, \\",
            f'    "{v} should be one letter in quotes, one of: {", ".join(letters)}"',
            "### BEGIN HIDDEN TESTS",
            f"assert {v}.strip().lower() == {_lit(q.expected())}",
            "### END HIDDEN TESTS",
        ]
    elif q.type == "multiple":
        letters = [letter for letter, _ in labelled(q.options)]
        lines += [
            f"_given = list({v}) if isinstance({v}, (list, tuple, set)) else {v}",
            "assert isinstance(_given, list) and all(isinstance(x, str) for x in _given), \\",
            f'    "{v} should be a list of letters in quotes, e.g. [\\"a\\", \\"c\\"]"',
            "_given = {x.strip().lower() for x in _given}",
            f"assert _given <= set({_lit(''.join(letters))}), \\",
            f'    "{v} should only hold the letters {", ".join(letters)}"',
            "### BEGIN HIDDEN TESTS",
            f"assert _given == set({_lit(''.join(q.expected()))})",
            "### END HIDDEN TESTS",
        ]
    elif q.type == "true_false":
        lines += [
            f'assert isinstance({v}, bool), "{v} should be True or False, without quotes"',
            "### BEGIN HIDDEN TESTS",
            f"assert {v} is {q.expected()!r}",
            "### END HIDDEN TESTS",
        ]
    else:  # matching, ordering: a string of distinct letters
        n = len(q.pairs) if q.type == "matching" else len(q.items)
        allowed = "".join(chr(97 + i) for i in range(n))
        lines += [
            f"assert isinstance({v}, str), \"{v} should be letters in quotes, e.g. "
            f"\\\"{allowed}\\\"\"",
            f"_given = {v}.replace(' ', '').replace(',', '').lower()",
            f"assert len(_given) == {n} and set(_given) == set({_lit(allowed)}), \\",
            f'    "{v} should use each of the letters {", ".join(allowed)} exactly once"',
            "### BEGIN HIDDEN TESTS",
            f"assert _given == {_lit(q.expected())}",
            "### END HIDDEN TESTS",
        ]
    return "\n".join(lines)


# -- the notebook --------------------------------------------------------------------------------

def _instructions(bank: QuestionBank, title: str | None) -> str:
    total = sum(q.points for q in bank)
    lines = [
        f"# Lesson {bank.lesson} check" + (f": {title}" if title else ""),
        "",
        f"This check has {len(bank)} questions worth {total} points in all.",
        "",
        "**How to answer**",
        "",
        "1. Read each question in its grey-bordered box.",
        "2. In the code cell under it, replace `None` with your answer, exactly as the "
        "comment in that cell shows (a letter in quotes, a list of letters, or True/False).",
        "3. Run the cell with <kbd>Shift</kbd>+<kbd>Enter</kbd>. The cell after it checks "
        "that your answer has the right form; the real marking happens after you submit.",
        "4. For a written question, type your answer in the empty text cell under it.",
        "5. Do not delete, move or edit the question and check cells; a check that is "
        "missing or changed is reported to your facilitator.",
        "6. Before submitting, use *Restart Kernel and Run All Cells* to be sure every "
        "answer runs.",
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
            cells.append(_markdown(grade_id(q, "answer"), q.rubric.strip(), grade=True,
                                   solution=True, points=q.points))
        else:
            cells.append(_code(grade_id(q, "answer"), _answer_code(q), solution=True))
            cells.append(_code(grade_id(q, "test"), _test_code(q), grade=True, locked=True,
                               points=q.points))
    return {
        "cells": cells,
        "metadata": {
            "coursekit": {"generated-by": "coursekit grade generate", "lesson": bank.lesson},
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
