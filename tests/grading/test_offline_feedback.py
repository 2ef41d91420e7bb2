"""A learner's feedback page loads nothing from another host (nbgrader's own feedback
template loads MathJax from a public CDN; the kit's replaces it: grading/offline.py).

The real pipeline on real files: generate, one submission, autograde, and the
feedback files ``coursekit grade feedback`` hands back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission
from offline import remote_loads

pytestmark = pytest.mark.slow


def test_feedback_pages_load_nothing_from_another_host(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEKIT_ROOT", str(Path(__file__).resolve().parents[2]))
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    submission(course, "L01", right_answers(load_bank("00")))
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=1)
    assert [o.status for o in outcomes] == [GRADED]
    out = tmp_path / "hand-back"
    run = CliRunner().invoke(main, ["grade", "feedback", ASSIGNMENT, "--course", str(course),
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    page = out / f"L01-{ASSIGNMENT}-feedback.html"
    text = page.read_text(encoding="utf-8")
    assert "cdnjs" not in text and "MathJax.Hub" not in text
    assert remote_loads(page) == []
    # still nbgrader's page: the score and the question explanations are there
    assert ASSIGNMENT in text and "Score" in text, text[:2000]
    assert os.path.getsize(page) > 10_000
