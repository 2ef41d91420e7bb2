"""Benchmark: 60 submissions graded by serial `nbgrader autograde` and by the cohort command.

Prints both wall times, their ratio (goal: the cohort at least 1.8 times faster on two
cores) and whether every learner's score is identical. Runs in a temp folder.

    python benchmarks/bench_grading.py [--submissions 60] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COURSEKIT_ROOT", str(ROOT))

from coursekit.grading.cohort import autograde_cohort  # noqa: E402
from coursekit.questionbank import load_bank  # noqa: E402
from tests.grading.factories import (  # noqa: E402
    ASSIGNMENT,
    make_course,
    nbgrader,
    right_answers,
    submission,
    wrong_answer,
)


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    with tempfile.TemporaryDirectory() as tmp:
        serial = make_course(Path(tmp) / "serial")
        nbgrader(serial, "generate_assignment", ASSIGNMENT, "--force")
        for n in range(args.submissions):  # a mix of right and wrong answers
            answers = {q.id: (right[q.id] if (n + i) % 3 else wrong_answer(q))
                       for i, q in enumerate(qs)}
            submission(serial, f"learner-{n:03d}", answers)
        cohort = Path(tmp) / "cohort"
        shutil.copytree(serial, cohort)

        start = time.perf_counter()
        nbgrader(serial, "autograde", ASSIGNMENT)
        t_serial = time.perf_counter() - start

        start = time.perf_counter()
        outcomes = autograde_cohort(cohort, ASSIGNMENT, workers=args.workers)
        t_cohort = time.perf_counter() - start

        a, b = scores(serial), scores(cohort)
        same = a == b and len(a) == args.submissions
        flagged = sum(o.status != "graded" for o in outcomes)
    print(f"submissions:            {args.submissions}")
    print(f"cores:                  {os.cpu_count()}")
    print(f"serial nbgrader:        {t_serial:.1f} s")
    print(f"cohort command:         {t_cohort:.1f} s")
    print(f"speed-up (serial/cohort): {t_serial / t_cohort:.2f}x  (goal >= 1.8x on 2 cores)")
    print(f"scores identical:       {'yes' if same else 'NO'} ({len(a)} vs {len(b)} learners)")
    print(f"flagged submissions:    {flagged}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
