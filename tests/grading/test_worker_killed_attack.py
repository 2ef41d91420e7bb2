"""A grading worker killed (``kill -9``) while it holds a learner's open gradebook
transaction, its grades written but not committed: nothing of that learner is half-written,
the gradebook is not left locked, and the next cohort run grades everyone, the killed learner
included, with plain nbgrader's scores.

The kill happens in a child Python running the cohort's own worker code (as
tests/grading/test_one_transaction.py does), at the step after ``SaveAutoGrades``."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import textwrap
from pathlib import Path

import pytest

from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, auto_scores, honest_course, run_in_worker

pytestmark = pytest.mark.slow

WORKER = textwrap.dedent("""
    import json, os, sys
    from coursekit.grading import worker
    from coursekit.grading.inert import MakeInert

    worker.init_worker(sys.argv[1], False, None, True)
    plain = MakeInert.preprocess

    def killed(self, nb, resources):  # after SaveAutoGrades, inside the transaction
        if resources["nbgrader"]["student"] == "killed":
            os.kill(os.getpid(), 9)
        return plain(self, nb, resources)

    MakeInert.preprocess = killed
    for student in sys.argv[2:]:
        result = worker.grade_one("00-check", student, True)
        print(json.dumps({student: bool(result.get("success"))}), flush=True)
""")


def test_a_worker_killed_mid_transaction_leaves_nothing_half_written(tmp_path):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    course = honest_course(tmp_path, "before", "killed", "after", bank=bank)
    done = run_in_worker(WORKER, course, "before", "killed", "after")
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]
    seen = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert seen == [{"before": True}]  # killed before it could report
    db = course / "gradebook.db"
    points = sum(q.points for q in bank.choice_questions)
    # the gradebook opens at once (no lock left behind) and holds none of the killed grades
    assert sum(s for s in auto_scores(db, "before") if s is not None) == points
    killed = auto_scores(db, "killed")  # its submission rows were committed before grading
    assert killed and all(s is None for s in killed)
    with sqlite3.connect(db, timeout=1) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    outcomes = {o.student: o for o in autograde_cohort(course, ASSIGNMENT, workers=1,
                                                       as_data=True)}
    for student in ("before", "killed", "after"):
        assert outcomes[student].status == GRADED, (student, outcomes[student].detail)
        assert outcomes[student].score == points
        assert sum(s for s in auto_scores(db, student) if s is not None) == points
