"""Attacks on the sandbox's limits from a course author's code question (the sandboxed
path): memory spread over forked children, each within the per-process limit, and files
that hold no block but each take an inode. Each gets its status; an honest learner
beside them keeps full marks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.grading.cohort import DISK, GRADED, MEMORY, autograde_cohort
from coursekit.grading.sandbox import Limits, sandbox_problem
from coursekit.grading.watch import INODE_BYTES, _resident, _size
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

LIMITS = Limits(seconds=40, memory=768 * 1024 ** 2, processes=32, cell_output=20_000,
                notebook_output=200_000, file_size=16 * 1024 ** 2, disk=32 * 1024 ** 2)
#: Twenty children of 80 MB each: every one within the 768 MB address limit (the kernel it
#: forks from holds most of that), 1.6 GB together.
FORKED_MEMORY = (
    "import os, mmap, time\n"
    "for _ in range(20):\n"
    "    if os.fork() == 0:\n"
    "        try:\n"
    "            m = mmap.mmap(-1, 80 * 1024 ** 2)\n"
    "            for i in range(0, len(m), 4096):\n"
    "                m[i] = 1\n"
    "            time.sleep(30)\n"
    "        finally:\n"
    "            os._exit(0)\n"
    "time.sleep(30)")


def _empty_files(folder: str) -> str:
    return (f"import os\nos.makedirs({folder!r}, exist_ok=True)\n"
            f"for i in range(30000):\n    open(os.path.join({folder!r}, str(i)), 'w').close()\n"
            "import time\ntime.sleep(5)")


def test_empty_files_count_toward_the_disk_limit(tmp_path):
    for i in range(500):
        (tmp_path / str(i)).touch()
    assert _size(tmp_path) >= 500 * INODE_BYTES


def test_resident_memory_adds_up_every_child():
    code = "b = bytearray(120 * 1024 ** 2)\nimport sys\nprint('ok', flush=True)\nsys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ok"
        assert _resident(os.getpid()) >= 120 * 1024 ** 2
    finally:
        child.kill()
        child.wait()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    course = make_course(tmp_path_factory.mktemp("limits"), timeout=40)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    bank = load_bank("00")
    right = right_answers(bank)
    first = bank.choice_questions[0]

    def with_code(student, code):
        submission(course, student, {**right, first.id: right[first.id] + "\n" + code})

    submission(course, "honest", right)
    with_code("m-forked-memory", FORKED_MEMORY)
    with_code("i-empty-files", _empty_files("many"))
    with_code("i-empty-files-tmp", _empty_files("/tmp/many"))
    outcomes = autograde_cohort(course, ASSIGNMENT, workers=2, limits=LIMITS, as_data=False)
    return {"points": sum(q.points for q in bank.choice_questions),
            **{o.student: o for o in outcomes}}


@pytest.mark.slow
@pytest.mark.skipif(sandbox_problem() is not None and not os.environ.get("CI"),
                    reason=f"no sandbox here: {sandbox_problem()}")
def test_each_limit_attack_gets_its_status_beside_an_honest_learner(batch):
    assert batch["honest"].status == GRADED and batch["honest"].score == batch["points"]
    assert batch["m-forked-memory"].status == MEMORY, batch["m-forked-memory"]
    assert batch["i-empty-files"].status == DISK, batch["i-empty-files"]
    assert batch["i-empty-files-tmp"].status == DISK, batch["i-empty-files-tmp"]
