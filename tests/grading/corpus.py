"""The hostile corpus of issue 10, built in code: honest learners beside submissions that
attack the grader, exhaust its limits or tamper with the check. Used by
``test_hostile.py`` and ``benchmarks/bench_grading.py``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import psutil

from coursekit.grading.cohort import (
    CHECKSUM,
    DISK,
    DUPLICATED,
    GRADED,
    INVALID,
    MARKDOWN,
    MEMORY,
    METADATA,
    MOVED,
    OLD_FORMAT,
    OUTPUT_CUT,
    PROCESSES,
    TIMED_OUT,
    Limits,
)
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

MARKER = "ck-hostile-survivor"
SECRET = "journal-secret-7f3a"
LIMITS = Limits(seconds=20, memory=768 * 1024 ** 2, processes=48, cell_output=20_000,
                notebook_output=200_000, file_size=16 * 1024 ** 2, disk=48 * 1024 ** 2)


def _cell(nb: dict, cell_id: str) -> dict:
    return next(c for c in nb["cells"] if c.get("id") == cell_id)


def duplicate(cell_id: str):
    def mutate(nb):
        cells = nb["cells"]
        i = next(n for n, c in enumerate(cells) if c.get("id") == cell_id)
        twin = copy.deepcopy(cells[i])
        twin["id"] = cell_id + "-again"
        cells.insert(i + 1, twin)
    return mutate


def move_above(cell_id: str, above: str):
    def mutate(nb):
        cells = nb["cells"]
        cell = cells.pop(next(n for n, c in enumerate(cells) if c.get("id") == cell_id))
        cells.insert(next(n for n, c in enumerate(cells) if c.get("id") == above), cell)
    return mutate


def to_markdown(cell_id: str):
    def mutate(nb):
        cell = _cell(nb, cell_id)
        cell["cell_type"] = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return mutate


def set_meta(cell_id: str, **changes):
    def mutate(nb):
        _cell(nb, cell_id)["metadata"]["nbgrader"].update(changes)
    return mutate


def survivors() -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if MARKER in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
        except psutil.Error:
            continue
    return found




def build(root: Path) -> dict:
    """Write the course and every submission under ``root``; return what the test needs:
    ``course``, ``expect`` (learner: status), ``data`` (the facilitator's data folder),
    ``bank`` and ``points`` (full marks)."""
    # the facilitator's private journal, somewhere an answer might look for it
    data = root / "facilitator-data"
    data.mkdir(parents=True)
    (data / "journal.db").write_text(SECRET)
    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    first, second = qs[0], qs[1]
    course = make_course(root)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    gradebook = course / "gradebook.db"
    key_file = course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    (course / "exchange").mkdir(exist_ok=True)
    expect: dict[str, str] = {}

    def honest(student):
        submission(course, student, right)
        expect[student] = GRADED

    def hostile(student, status, code="", **kw):
        answers = {**right, first.id: right[first.id] + "\n" + code} if code else right
        submission(course, student, answers, **kw)
        expect[student] = status

    for n in range(4):
        honest(f"honest-{n}")
    other = course / "submitted" / "honest-0" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    # attacks on files: each fails inside the sandbox, so the learner is simply graded
    hostile("h-gradebook", GRADED, f"open({str(gradebook)!r}, 'w').write('gone')")
    hostile("h-answer-key", GRADED, f"print(open({str(key_file)!r}).read())")
    hostile("h-journal", GRADED, f"print(open({str(data / 'journal.db')!r}).read())")
    hostile("h-other-learner", GRADED, f"open({str(other)!r}, 'w').write('{{}}')")
    hostile("h-exchange", GRADED,
            f"open({str(course / 'exchange' / 'planted.txt')!r}, 'w').write('x')")
    hostile("h-passwd", GRADED, "print(open('/etc/passwd').read())")
    hostile("h-home", GRADED, "import os\nprint(os.listdir(os.path.expanduser('~root')))")
    hostile("h-remount", GRADED,
            "import subprocess, sys\nsubprocess.run(['mount', '-o', 'remount,rw,bind', "
            "sys.prefix])\nopen(sys.prefix + '/planted-by-h-remount', 'w')")
    hostile("h-network", GRADED,
            "import socket\nsocket.create_connection(('pypi.org', 443), timeout=3)")
    # attacks on the grader itself
    hostile("h-kill-parent", GRADED, "import os\nos.kill(os.getppid(), 9)")
    hostile("h-sigstop", TIMED_OUT, "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)")
    hostile("h-ignore-sigint", TIMED_OUT,
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")
    hostile("h-orphan", GRADED,
            "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', "
            f"'import time; time.sleep(600)  # {MARKER}'], start_new_session=True)")
    # resource exhaustion
    hostile("h-print", OUTPUT_CUT, "print('x' * 100_000_000)")
    hostile("h-memory", MEMORY, "block = bytearray(2 * 1024 ** 3)")
    hostile("h-fork", PROCESSES,
            "import os, time\nfor _ in range(10_000):\n    if os.fork() == 0:\n"
            "        time.sleep(600)\n        os._exit(0)")
    hostile("h-big-file", DISK, "open('big.bin', 'wb').write(b'0' * (40 * 1024 ** 2))")
    hostile("h-many-files", DISK,
            "for n in range(8):\n    open(f'f{n}.bin', 'wb').write(b'0' * (12 * 1024 ** 2))")
    # reading the hidden tests as they run, to print them into a later answer's output
    spy = ("ip = get_ipython()\nseen = []\n"
           "ip.events.register('pre_run_cell', lambda info: seen.append(info.raw_cell))")
    submission(course, "h-spy", {**right, first.id: right[first.id] + "\n" + spy,
                                 qs[-1].id: right[qs[-1].id] + "\nprint('\\n'.join(seen))"})
    expect["h-spy"] = GRADED
    # tampered notebooks
    hostile("t-duplicated", DUPLICATED, mutate=duplicate(f"test-{first.id}"))
    hostile("t-moved", MOVED, mutate=move_above(f"test-{first.id}", f"answer-{first.id}"))
    hostile("t-markdown", MARKDOWN, mutate=to_markdown(f"test-{first.id}"))
    hostile("t-points", METADATA, mutate=set_meta(f"test-{first.id}", points=100))
    hostile("t-grade-id", METADATA, mutate=set_meta(f"test-{first.id}", grade_id="mine"))
    hostile("t-grade-flag", METADATA, mutate=set_meta(f"test-{second.id}", grade=False))
    hostile("t-checksum", CHECKSUM, mutate=set_meta(f"test-{first.id}", checksum="0" * 32))
    hostile("t-not-json", INVALID, raw="%PDF-1.4 this is a PDF, not a notebook")
    hostile("t-old-format", OLD_FORMAT, raw=json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}))
    binary = course / "submitted" / "t-binary" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(bytes(range(256)) * 64)
    expect["t-binary"] = INVALID

    return dict(course=course, expect=expect, data=data, bank=bank,
                points=sum(q.points for q in qs), gradebook=gradebook)
