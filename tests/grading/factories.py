"""Small factories for nbgrader test courses and simulated submissions (built in code)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from coursekit.grading.generate import course_dir

ASSIGNMENT = "00-check"


def make_course(tmp: Path, timeout: int = 5) -> Path:
    """A temp copy of the committed course (config + the 00 source), with a short timeout."""
    course = tmp / "course"
    (course / "source").mkdir(parents=True)
    shutil.copy(course_dir() / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(course_dir() / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as f:
        f.write(f"\nc.Execute.timeout = {timeout}\n")
    return course


def _env() -> dict[str, str]:
    """The environment with this Python's bin first on PATH (nbgrader runs alembic by name)."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}")


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_env(),
                          capture_output=True, text=True, timeout=900)
    if check and done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def run_in_worker(script: str, course: Path, *students: str) -> subprocess.CompletedProcess:
    """Run ``script`` (Python source; ``sys.argv[1:]`` is the course, then ``students``) in
    a process of its own, as one grading worker, in ``course``."""
    return subprocess.run([sys.executable, "-c", script, str(course), *students], cwd=course,
                          env=_env(), capture_output=True, text=True, timeout=300)


def honest_course(tmp: Path, *students: str, bank) -> Path:
    """A course with the assignment released and ``students`` each handing in ``bank``'s
    right answers."""
    course, _ = released_course(tmp)
    for student in students:
        submission(course, student, right_answers(bank))
    return course


def released_course(tmp: Path) -> tuple[Path, bytes]:
    """A course with the assignment released, and the released notebook's bytes."""
    course = make_course(tmp)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course, (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()


def submitted_notebooks(course: Path) -> dict[str, bytes]:
    """Each collected learner's notebook, by the learner's id."""
    return {p.parent.parent.name: p.read_bytes()
            for p in (course / "submitted").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")}


def literal(value) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def right_answers(bank) -> dict[str, str]:
    """``{question id: source of the value}`` that earns every automatic point."""
    return {q.id: literal(q.expected()) for q in bank.choice_questions}


def wrong_answer(q) -> str:
    key = q.expected()
    if q.type == "single":
        return literal(next(q.letter(o.id) for o in q.options if not o.correct))
    if q.type == "multiple":
        return literal(key[:-1] or [next(q.letter(o.id) for o in q.options if not o.correct)])
    if q.type == "true_false":
        return literal(not key)
    return literal(key[::-1])


def submission(course: Path, student: str, answers: dict[str, str],
               mutate: Callable[[dict], None] | None = None, raw: str | None = None) -> Path:
    """Write ``submitted/<student>/00-check/00-check.ipynb`` from the release notebook,
    with ``answers`` (``{question id: Python source}``) typed over the ``None`` stubs."""
    path = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_text(raw, encoding="utf-8")
        return path
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = copy.deepcopy(json.loads(release.read_text(encoding="utf-8")))
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and gid.startswith("answer-"):
            qid = gid.removeprefix("answer-")
            var = "answer_" + qid.replace("-", "_")
            if qid in answers:
                source = source.replace(f"{var} = None", f"{var} = {answers[qid]}")
        elif cell["cell_type"] == "markdown" and gid.startswith("answer-"):
            source = "The course explains published readings; it cannot diagnose anyone."
        cell["source"] = source
    if mutate:
        mutate(nb)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def delete_cells(*ids: str) -> Callable[[dict], None]:
    def mutate(nb: dict) -> None:
        nb["cells"] = [c for c in nb["cells"] if c.get("id") not in ids]
    return mutate


def replace_source(cell_id: str, source: str) -> Callable[[dict], None]:
    def mutate(nb: dict) -> None:
        for c in nb["cells"]:
            if c.get("id") == cell_id:
                c["source"] = source
    return mutate

def auto_scores(db, student: str) -> list:
    """Every autograded score nbgrader's gradebook at ``db`` holds for ``student``."""
    import sqlite3

    with sqlite3.connect(db, timeout=1) as con:
        return [row[0] for row in con.execute(
            "SELECT g.auto_score FROM grade g JOIN submitted_notebook n ON g.notebook_id = n.id "
            "JOIN submitted_assignment a ON n.assignment_id = a.id WHERE a.student_id = ?",
            (student,))]
