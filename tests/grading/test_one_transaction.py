"""A grading worker writes each submission in one gradebook transaction: two commits (the
submission row, then the grades) instead of nbgrader's ~28, and a failure after the grades
were saved loses only that learner's grades, with its status, never another learner's.

Run in a child Python, because a grading worker changes nbgrader for the whole process it
runs in (:mod:`coursekit.grading.warmgradebook`)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, auto_scores, honest_course, run_in_worker

pytestmark = pytest.mark.slow

WORKER = textwrap.dedent("""
    import json, sys
    from sqlalchemy import event
    from coursekit.grading import worker
    from coursekit.grading.inert import MakeInert

    worker.init_worker(sys.argv[1], False, None, True)
    plain = MakeInert.preprocess

    def fails_for_bad(self, nb, resources):  # the last step, after SaveAutoGrades
        if resources["nbgrader"]["student"] == "bad":
            raise RuntimeError("injected: the disk filled up")
        return plain(self, nb, resources)

    MakeInert.preprocess = fails_for_bad
    import nbgrader.api as api
    engine = api.create_engine(worker._API.coursedir.db_url, echo=False, future=True)
    commits = []
    event.listen(engine, "commit", lambda conn: commits.append(1))
    out = {}
    for student in sys.argv[2:]:
        before = len(commits)
        result = worker.grade_one("00-check", student, True)
        out[student] = {"success": bool(result.get("success")), "score": result.get("score"),
                        "commits": len(commits) - before,
                        "injected": "injected" in (result.get("log") or "")}
    print(json.dumps(out))
""")


def test_one_transaction_per_submission_and_a_failure_loses_only_its_learner(tmp_path):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    course = honest_course(tmp_path, "before", "bad", "after", bank=bank)
    done = run_in_worker(WORKER, course, "before", "bad", "after")
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    points = sum(q.points for q in bank.choice_questions)
    for student in ("before", "after"):
        assert got[student]["success"], got[student]
        assert got[student]["score"][0] == points
    # the submission row, then the grades: not one commit per grade and comment (the
    # worker's first learner also pays for nbgrader's one-time check of the tables)
    assert got["after"]["commits"] == 2, got
    assert got["before"]["commits"] <= 4, got
    for student in ("before", "after"):
        scores = auto_scores(course / "gradebook.db", student)  # written answers: None
        assert sum(s for s in scores if s is not None) == points
    # the failing learner: reported, its grades not written, its autograded notebook removed
    assert not got["bad"]["success"] and got["bad"]["injected"]
    scores = auto_scores(course / "gradebook.db", "bad")
    assert scores and all(s is None for s in scores)  # rolled back (the rows stay, as in nbgrader)
    assert not (course / "autograded" / "bad" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    # what plain nbgrader reads afterwards: the same gradebook, nothing locked
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "after").score == points
