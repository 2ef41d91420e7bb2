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
    KERNEL_DIED,
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




#: A remote image in a learner's output: it would tell its owner who opened the page, when.
TRACKER = "https://tracker.example/pixel.png?marker=1"
#: An inline image (a 1x1 PNG): it fetches nothing, so it stays.
PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nG"
         "NgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")


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
    hostile("h-exit", KERNEL_DIED, "import os\nos._exit(1)")
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
    # memory-backed folders count toward the disk limit (LIMITS.disk is 48 MB)
    hostile("h-shm", DISK, "open('/dev/shm/big', 'wb').write(b'0' * (60 * 1024 ** 2))")
    hostile("h-memory-dirs", DISK,
            "import time\nfor where in ('/dev/shm/', '/tmp/'):\n    for n in range(3):\n"
            "        open(f'{where}{n}', 'wb').write(b'0' * (10 * 1024 ** 2))\ntime.sleep(8)")
    hostile("h-root", GRADED, "open('/big', 'wb').write(b'0' * (60 * 1024 ** 2))")
    # output sent straight from the kernel, past the kernel's own stream caps
    hostile("h-error-evalue", OUTPUT_CUT, "raise ValueError('x' * 300_000)")
    hostile("h-metadata", OUTPUT_CUT,
            "from IPython.display import display\n"
            "display({'text/plain': 'x'}, metadata={'m': 'y' * 3_000_000}, raw=True)")
    hostile("h-update-display", OUTPUT_CUT,
            "from IPython.display import display\nh = display('a', display_id=True)\n"
            "h.update({'text/plain': 'x' * 3_000_000}, raw=True)")
    hostile("h-clear-flood", OUTPUT_CUT,
            "from IPython.display import clear_output\nfor _ in range(1_500):\n"
            "    clear_output()")
    hostile("h-many-files", DISK,
            "for n in range(8):\n    open(f'f{n}.bin', 'wb').write(b'0' * (12 * 1024 ** 2))")
    # an output whose images load from the learner's server as the marker opens it
    hostile("h-remote-image", GRADED,
            "from IPython.display import HTML, display\n"
            f"display(HTML('<img src=\"{TRACKER}\" alt=\"chart\"><img src=\"{PIXEL}\">'))")
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


# -- cheats on the clicked-answer check (issue 18) ------------------------------------------------
# Each one, one extra line or a few in an answer cell with every answer left blank, earns
# marks from plain `nbgrader autograde` (which runs the answer cells beside the hidden tests)
# and nothing when clicked answers are graded as data.

#: Sets each answer from the hidden test about to run (its source is in ``text``).
_FROM_TESTS = r'''
def _fill(text, ns):
    import re
    for v, s in re.findall(r'(answer_\w+)\.strip\(\)\.lower\(\) == "(\w+)"', text):
        ns[v] = s
    for v, s in re.findall(r'for x in (answer_\w+)\} == set\("(\w+)"\)', text):
        ns[v] = list(s)
    for v, s in re.findall(r'assert (answer_\w+) is (True|False)', text):
        ns[v] = s == 'True'
    spaced = r"(answer_\w+)\.replace\(' ', ''\)\.replace\(',', ''\)\.lower\(\)"
    for v, s in re.findall(spaced + r' == "(\w+)"', text):
        ns[v] = s
'''.strip()

CHEATS = {
    "c-input-transformer": (
        "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: [ln for ln in lines if not ln.lstrip().startswith('assert')])"),
    "c-pre-run-cell": (
        _FROM_TESTS + "\nget_ipython().events.register('pre_run_cell', "
        "lambda info: _fill(info.raw_cell, get_ipython().user_ns))"),
    "c-planted-module": (
        "import os, sys\nos.makedirs('coursekit', exist_ok=True)\n"
        "open('coursekit/__init__.py', 'w').write('')\n"
        f"open('coursekit/gradedcheck.py', 'w').write({_FROM_TESTS + chr(10)!r} + "
        "'def show(*a): pass\\n'\n"
        "    'def write(*a): pass\\n'\n"
        "    'def status(*a):\\n'\n"
        "    '    ip = get_ipython()\\n'\n"
        "    '    _fill(ip.user_ns[\"_ih\"][-1], ip.user_ns)\\n'\n"
        "    'from IPython import get_ipython\\n')\n"
        "sys.path.insert(0, os.getcwd())\n"
        "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith('coursekit')]"),
    "c-do-execute": (
        "kernel = get_ipython().kernel\n"
        "async def _ok(*args, **kwargs):\n"
        "    return {'status': 'ok', 'execution_count': kernel.execution_count,\n"
        "            'user_expressions': {}, 'payload': []}\n"
        "kernel.do_execute = _ok"),
}
#: A string that equals everything: defined in the first answer cell, the value of every one.
YES = ("class Yes(str):\n    def __eq__(self, other):\n        return True\n"
       "    __hash__ = str.__hash__\n"
       "    def strip(self, *a):\n        return self\n"
       "    def lower(self):\n        return self\n"
       "    def replace(self, *a):\n        return self\n")


SCRIPT_ANSWER = ("Readings differ. <img src=x onerror=alert(1)><script>alert(2)</script> "
                 "<iframe src=javascript:alert(3)></iframe> [more](javascript:alert(4))")


def build_data(root: Path) -> dict:
    """The course and submissions for the clicked-answer path: honest learners, each cheat
    above (blank answers plus the cheat in the first answer cell), other code in answer
    cells, added cells, planted files and tampered notebooks. Returns ``course``,
    ``expect`` (learner: status), ``zero`` (learners who must earn nothing), ``points``."""
    from coursekit.grading.cohort import ADDED_CODE, TAMPERED, UNEXPECTED_CODE

    bank = load_bank("00")
    qs = bank.choice_questions
    right = right_answers(bank)
    first, second = qs[0], qs[1]
    course = make_course(root, timeout=30)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    expect: dict[str, str] = {}
    zero: set[str] = set()
    for n in range(3):
        submission(course, f"honest-{n}", right)
        expect[f"honest-{n}"] = GRADED
    for name, code in CHEATS.items():
        submission(course, name, {first.id: "None\n" + code})
        expect[name] = UNEXPECTED_CODE
        zero.add(name)
    submission(course, "c-str-subclass", {
        **{q.id: "Yes('a')" for q in qs}, first.id: "None\n" + YES + f"{first.variable} = Yes('a')"})
    expect["c-str-subclass"] = UNEXPECTED_CODE
    zero.add("c-str-subclass")
    # other shapes an answer line might take: never run, never scored
    odd = {
        "c-expression": f'"b" if True else {right[first.id]}',
        "c-call": "__import__('os').getcwd()",
        "c-two-answers": f"None; {second.variable} = {right[second.id]}",
        "c-walrus": f"(y := {right[first.id]})",
    }
    for name, value in odd.items():
        submission(course, name, {first.id: value})
        expect[name] = UNEXPECTED_CODE
        zero.add(name)
    # right answers typed into a cell the check does not have
    def add_cell(nb):
        code = "\n".join(f"{q.variable} = {right[q.id]}" for q in qs)
        i = next(n for n, c in enumerate(nb["cells"]) if c.get("id") == f"test-{first.id}")
        nb["cells"].insert(i, {"cell_type": "code", "execution_count": None, "id": "mine",
                               "metadata": {}, "outputs": [], "source": code})
    submission(course, "c-added-cell", {}, mutate=add_cell)
    expect["c-added-cell"] = ADDED_CODE
    zero.add("c-added-cell")
    # a module planted beside the notebook, for the test cells' import to pick up
    submission(course, "c-planted-file", {})
    planted = course / "submitted" / "c-planted-file" / ASSIGNMENT / "coursekit"
    planted.mkdir()
    (planted / "__init__.py").write_text("")
    (planted / "gradedcheck.py").write_text(
        _FROM_TESTS + "\nfrom IPython import get_ipython\n"
        "def show(*a): pass\ndef write(*a): pass\n"
        "def status(*a):\n    ip = get_ipython()\n    _fill(ip.user_ns['_ih'][-1], ip.user_ns)\n")
    expect["c-planted-file"] = GRADED
    zero.add("c-planted-file")
    # script in a written answer: graded as usual, shown to the marker as text
    def script_answer(nb):
        for c in nb["cells"]:
            if c["cell_type"] == "markdown" and c["id"].startswith("answer-"):
                c["source"] = SCRIPT_ANSWER
    submission(course, "x-script-answer", right, mutate=script_answer)
    expect["x-script-answer"] = GRADED
    # the hidden test replaced: nbgrader restores it, and the key is the source's anyway
    submission(course, "t-test-replaced", {}, mutate=lambda nb: _cell(
        nb, f"test-{first.id}").update(source="pass"))
    expect["t-test-replaced"] = TAMPERED
    zero.add("t-test-replaced")
    hostile_meta = {
        "t-duplicated": (DUPLICATED, duplicate(f"test-{first.id}")),
        "t-moved": (MOVED, move_above(f"test-{first.id}", f"answer-{first.id}")),
        "t-points": (METADATA, set_meta(f"test-{first.id}", points=100)),
        "t-checksum": (CHECKSUM, set_meta(f"test-{first.id}", checksum="0" * 32)),
    }
    for name, (status, mutate) in hostile_meta.items():
        submission(course, name, right, mutate=mutate)
        expect[name] = status
    return dict(course=course, expect=expect, zero=zero, bank=bank,
                points=sum(q.points for q in qs))
