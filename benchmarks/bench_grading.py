"""Benchmark: serial `nbgrader autograde` against the cohort command, on both its paths.

Prints, from one run on this machine:

* the kit's clicked-answer check: serial nbgrader against the cohort grading the answers
  as data (no learner kernel), and their ratio (goal: at least 20 times faster on two
  cores), and whether every learner's score is identical;
* the same check with a code question added (graded in the sandbox, a kernel a learner):
  serial nbgrader against the sandboxed cohort (goal: at least 1.8 times faster), and
  whether every score is identical;
* the sandbox's own overhead per submission: the same sample graded by one worker with
  and without the sandbox;
* the hostile corpus of the tests (tests/grading/corpus.py) graded in one batch: its wall
  time against the batch deadline derived from its limits, and how many submissions got
  exactly their expected status.

Runs in a temp folder.

    python benchmarks/bench_grading.py [--submissions 60] [--workers N] [--sample 12]
                                       [--no-hostile]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COURSEKIT_ROOT", str(ROOT))
# nbgrader calls `alembic` by name: the environment's bin/ must be on PATH
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

from coursekit.grading.cohort import autograde_cohort  # noqa: E402
from coursekit.grading.sandbox import Limits, sandbox_problem  # noqa: E402
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


def without_widgets(nb: dict) -> None:
    """Drop the answer and test cells' widget lines (``try: from coursekit...``): inside the
    sandbox the kit is not importable and they are skipped at once, outside they import
    ipywidgets. Without them, with and without the sandbox run the same code."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            lines = "".join(cell["source"]).split("\n")
            cell["source"] = "\n".join(ln for ln in lines if not ln.startswith(
                ("try: from coursekit", "except ImportError: pass")))


def _code_question(course: Path) -> None:
    """Add a code question (write a function) to the source notebook."""
    import json

    path = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))

    def meta(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "schema_version": 3, "task": False,
                             "grade": False, "solution": False, "locked": False, **kw}}
    nb["cells"] += [
        {"cell_type": "code", "execution_count": None, "id": "answer-square", "outputs": [],
         "metadata": meta("answer-square", solution=True),
         "source": "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                   "    ### END SOLUTION"},
        {"cell_type": "code", "execution_count": None, "id": "test-square", "outputs": [],
         "metadata": meta("test-square", grade=True, locked=True, points=1),
         "source": "assert square(3) == 9"},
    ]
    path.write_text(json.dumps(nb), encoding="utf-8")


def _square(right: bool):
    def mutate(nb: dict) -> None:
        for cell in nb["cells"]:
            if cell.get("id") == "answer-square":
                cell["source"] = "def square(x):\n    return x * " + ("x" if right else "2")
    return mutate


def build(tmp: Path, n: int, mutate=None, code_question: bool = False) -> Path:
    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    course = make_course(tmp, timeout=30)  # serial nbgrader imports the answer widgets
    if code_question:
        _code_question(course)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    for k in range(n):  # a mix of right and wrong answers
        answers = {q.id: (right[q.id] if (k + i) % 3 else wrong_answer(q))
                   for i, q in enumerate(qs)}
        change = _square(k % 2 == 0) if code_question else mutate
        submission(course, f"learner-{k:03d}", answers, mutate=change)
    return course


def cpu_seconds() -> float:
    """CPU time used so far by this process, the processes it has finished with (serial
    nbgrader and its kernels) and those still running with what they have finished with
    (the cohort's fork server and the grading workers it started and reaped)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in (me, *me.children()):
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def timed(fn, *args, **kw):
    """``(result, wall seconds)``; the CPU seconds are kept in ``timed.cpu``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = fn(*args, **kw)
    timed.cpu = cpu_seconds() - cpu
    return result, time.perf_counter() - start


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def hostile(tmp: Path, workers: int | None) -> None:
    from tests.grading import corpus

    built = corpus.build(tmp)
    course, expect = built["course"], built["expect"]
    limits: Limits = corpus.LIMITS
    n = len(expect)
    w = max(1, min(workers or os.cpu_count() or 1, n))
    deadline = 60 + limits.deadline() * math.ceil(n / w) * 1.5
    os.environ["COURSEKIT_DATA_DIR"] = str(built["data"])
    outcomes, seconds = timed(autograde_cohort, course, ASSIGNMENT, workers=workers,
                              limits=limits, as_data=False)
    right = sum(o.status == expect[o.student] for o in outcomes)
    hostile_n = sum(not s.startswith("honest") for s in expect)
    print(f"hostile corpus:           {n} submissions ({hostile_n} hostile), "
          f"{seconds:.1f} s; batch deadline {deadline:.0f} s: "
          f"{'within' if seconds < deadline else 'MISSED'}")
    print(f"  expected statuses:      {right} of {n}")
    left = corpus.survivors()
    print(f"  processes left behind:  {len(left)}")
    for proc in left:
        proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--sample", type=int, default=12,
                        help="submissions graded with and without the sandbox (overhead)")
    parser.add_argument("--no-hostile", action="store_true")
    args = parser.parse_args()
    problem = sandbox_problem()
    if problem:
        print(f"No sandbox on this machine: {problem}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # 1. the kit's check: clicked answers graded as data
        serial = build(tmp / "serial", args.submissions)
        cohort = tmp / "cohort"
        shutil.copytree(serial, cohort)
        print(f"load average (1, 5, 15 min) at start: {load()} on {os.cpu_count()} cores")
        _, t_serial = timed(nbgrader, serial, "autograde", ASSIGNMENT)
        c_serial = timed.cpu
        outcomes, t_data = timed(autograde_cohort, cohort, ASSIGNMENT, workers=args.workers)
        c_data = timed.cpu
        a, b = scores(serial), scores(cohort)
        same = a == b and len(a) == args.submissions
        flagged = sum(o.status != "graded" for o in outcomes)
        print(f"submissions:              {args.submissions}")
        print(f"cores:                    {os.cpu_count()}")
        print("-- clicked answers (the kit's checks), graded as data")
        print(f"serial nbgrader:          {t_serial:.1f} s wall, {c_serial:.1f} s CPU")
        print(f"cohort, as data:          {t_data:.2f} s wall, {c_data:.2f} s CPU")
        print(f"speed-up (serial/data):   {t_serial / t_data:.1f}x wall  (goal >= 20x on 2 "
              "cores)")
        print(f"CPU ratio (serial/data):  {c_serial / c_data:.1f}x  (CPU seconds of every "
              "process, less sensitive to the load; serial nbgrader also waits on its kernels, "
              "which costs wall time but no CPU)")
        print(f"scores identical:         {'yes' if same else 'NO'} ({len(a)} vs {len(b)} "
              f"learners); flagged: {flagged}")

        # 2. a check with a code question: each learner's kernel in the sandbox
        code_serial = build(tmp / "code-serial", args.submissions, code_question=True)
        code_box = tmp / "code-box"
        shutil.copytree(code_serial, code_box)
        _, t_code_serial = timed(nbgrader, code_serial, "autograde", ASSIGNMENT)
        c_code_serial = timed.cpu
        outcomes, t_box = timed(autograde_cohort, code_box, ASSIGNMENT, workers=args.workers)
        c_box = timed.cpu
        c, d = scores(code_serial), scores(code_box)
        same_code = c == d and len(c) == args.submissions
        print("-- a check with a code question, graded in the sandbox")
        print(f"serial nbgrader:          {t_code_serial:.1f} s wall, {c_code_serial:.1f} s CPU")
        print(f"sandboxed cohort:         {t_box:.1f} s wall, {c_box:.1f} s CPU (without "
              "kernels killed with their sandbox, whose CPU no process collects)")
        print(f"speed-up (serial/cohort): {t_code_serial / t_box:.2f}x  (goal >= 1.8x on "
              "2 cores)")
        print(f"scores identical:         {'yes' if same_code else 'NO'} ({len(c)} vs "
              f"{len(d)} learners); flagged: {sum(o.status != 'graded' for o in outcomes)}")
        print(f"load average (1, 5, 15 min) after both: {load()}  (the machine is shared: "
              "read the wall ratios with it)")

        same_sample = True
        if args.sample:
            sample_plain = build(tmp / "plain", args.sample, mutate=without_widgets)
            sample_box = tmp / "box"
            shutil.copytree(sample_plain, sample_box)
            _, t_plain = timed(autograde_cohort, sample_plain, ASSIGNMENT, workers=1,
                               sandboxed=False, as_data=False, allow_unsandboxed=True)
            _, t_one = timed(autograde_cohort, sample_box, ASSIGNMENT, workers=1,
                             sandboxed=True, as_data=False)
            same_sample = scores(sample_plain) == scores(sample_box)
            per = (t_one - t_plain) / args.sample
            print(f"sandbox overhead:         {per * 1000:+.0f} ms a submission "
                  f"({t_plain / args.sample:.2f} s without, {t_one / args.sample:.2f} s "
                  f"with; one worker, {args.sample} submissions without widget lines; "
                  f"scores {'identical' if same_sample else 'DIFFER'})")
        if not args.no_hostile:
            hostile(tmp / "hostile", args.workers)
    return 0 if same and same_code and same_sample else 1


if __name__ == "__main__":
    raise SystemExit(main())
