"""Generating nbgrader source notebooks from the bank: shape, determinism, drift."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.errors import GradingError
from coursekit.grading.generate import build_notebook, render, stale, write_sources
from coursekit.questionbank import QuestionBank, load_bank, load_file

HERE = Path(__file__).resolve().parent


def test_committed_sources_match_the_bank():
    """Fails when someone edits a bank without running `coursekit grade generate`."""
    problems = stale()
    assert problems == [], f"regenerate with `coursekit grade generate`: {problems}"


def test_regenerating_is_byte_identical():
    bank = load_bank("00")
    assert render(bank) == render(load_file(bank.source))
    assert render(bank).endswith("}\n")


def test_notebook_shape_for_every_question():
    bank = load_bank("00")
    nb = nbformat.from_dict(build_notebook(bank))
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.metadata.nbgrader["locked"]
    assert "How to answer" in first.source
    cells = {c.id: c for c in nb.cells}
    assert len(cells) == len(nb.cells), "cell ids must be unique"
    for q in bank:
        question = cells[f"question-{q.id}"]
        assert question.metadata.nbgrader["locked"] and q.prompt.strip()[:30] in question.source
        answer = cells[f"answer-{q.id}"]
        assert answer.metadata.nbgrader["solution"]
        if q.type == "short":
            assert answer.cell_type == "markdown"
            assert answer.metadata.nbgrader["grade"] and answer.metadata.nbgrader["points"] == q.points
            assert f"test-{q.id}" not in cells
            assert "BEGIN RUBRIC" in question.source and q.rubric.split()[0] in question.source
            box = cells[f"box-{q.id}"]  # the text box, shown above the graded text cell
            assert box.metadata.nbgrader["locked"] and f'write("{q.key}")' in box.source
            assert [c.id for c in nb.cells].index(box.id) + 1 == [
                c.id for c in nb.cells].index(answer.id)
            continue
        lines = answer.source.split("\n")
        # the block form: delimiters on their own lines, the stub above them
        assert lines[-3:] == ["### BEGIN SOLUTION", f"{q.variable} = {json.dumps(q.expected())}"
                              if isinstance(q.expected(), str) else
                              f"{q.variable} = {q.expected()!r}", "### END SOLUTION"]
        # the first line is the plain value the save hook fills in; then the buttons
        assert lines[0].startswith(f"{q.variable} = None  # ")
        assert f'show("{q.key}", {q.variable})' in lines[1]
        assert answer.metadata.jupyter["source_hidden"]
        test = cells[f"test-{q.id}"]
        meta = test.metadata.nbgrader
        assert meta["grade"] and meta["locked"] and not meta["solution"]
        assert meta["points"] == q.points
        hidden = test.source.split("### BEGIN HIDDEN TESTS")
        assert len(hidden) == 2 and "### END HIDDEN TESTS" in hidden[1]
        assert repr(q.expected()) not in hidden[0] or q.type == "true_false"


def test_hidden_tests_accept_the_key_and_reject_a_wrong_answer():
    """Run each answer and test cell in plain Python: the key passes, a wrong value fails."""
    bank = load_bank("00")
    nb = build_notebook(bank)
    cells = {c["id"]: c["source"] for c in nb["cells"]}
    for q in bank.choice_questions:
        ns: dict = {}
        exec(cells[f"answer-{q.id}"], ns)
        exec(cells[f"test-{q.id}"], ns)  # passes with the key
        key = q.expected()
        if q.type == "single":
            wrong = repr(sorted(q.letter(o.id) for o in q.options if not o.correct)[0])
        elif q.type == "multiple":
            wrong = repr(key[:-1] or [q.letter(o.id) for o in q.options if not o.correct])
        elif q.type == "true_false":
            wrong = repr(not key)
        else:
            wrong = repr(key[::-1])
        ns = {}
        exec(f"{q.variable} = {wrong}", ns)
        with pytest.raises(AssertionError):
            exec(cells[f"test-{q.id}"], ns)


def test_empty_bank_is_refused():
    with pytest.raises(GradingError, match="no questions"):
        build_notebook(QuestionBank("09", (), None))


def test_drift_is_detected_and_fixed(tmp_path):
    course = tmp_path / "nbgrader"
    questions = tmp_path / "questions"
    shutil.copytree(HERE.parents[1] / "assets" / "questions", questions)
    assert stale(course, questions) != []  # nothing generated yet
    write_sources(course, questions)
    assert stale(course, questions) == []
    data = yaml.safe_load((questions / "00.yml").read_text(encoding="utf-8"))
    data["questions"][0]["prompt"] = "A changed prompt?"
    (questions / "00.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert stale(course, questions) == [Path("source/00-check/00-check.ipynb")]
    assert write_sources(course, questions) == [course / "source/00-check/00-check.ipynb"]
    assert stale(course, questions) == []
    (questions / "00.yml").unlink()
    assert stale(course, questions) == [Path("source/00-check/00-check.ipynb")]


def test_cli_generate_check_reports_drift(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["grade", "generate", "--course", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "source" / "00-check" / "00-check.ipynb").is_file()
    assert runner.invoke(main, ["grade", "generate", "--check", "--course",
                                str(tmp_path)]).exit_code == 0
    (tmp_path / "source" / "00-check" / "00-check.ipynb").write_text("{}", encoding="utf-8")
    result = runner.invoke(main, ["grade", "generate", "--check", "--course", str(tmp_path)])
    assert result.exit_code != 0 and "00-check" in result.output


def test_class_summary_names_questions_by_number_and_short_prompt():
    from coursekit.grading.summary import QuestionSummary, short_prompt

    long = "Which kind of regression does the talk say the shared fantasy relies on most?"
    q = QuestionSummary(key="01.three-kinds", prompt=long, answered=5, proportion_correct=0.5,
                        number=3)
    assert q.label == "Q3 · " + short_prompt(long)
    assert short_prompt(long).endswith("…") and len(short_prompt(long)) <= 40
    assert long.startswith(short_prompt(long)[:-1])
    assert short_prompt("Short prompt?") == "Short prompt?"
