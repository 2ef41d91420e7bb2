"""Issue 18: the sandbox's edges. The grader's environment never reaches a learner; a
Python kept under /tmp works in the sandbox; bubblewrap's own reason is named when it
cannot start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coursekit.grading import sandbox
from coursekit.grading.sandbox import Limits, bwrap_command, launch_args, sandbox_problem
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None and not os.environ.get("CI"),
    reason=f"no sandbox here: {sandbox_problem()}")
CANARY = "ck-canary-4b1e9d"


def run_in_sandbox(code: str, limits: Limits | None = None) -> subprocess.CompletedProcess:
    work = Path(tempfile.mkdtemp(prefix="ck-t-"))
    argv, options = launch_args([*bwrap_command(work, limits or Limits()), sys.executable,
                                 "-c", code])
    with options:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                              env=dict(sandbox.BWRAP_ENV), pass_fds=(options.fileno(),))


@needs_sandbox
def test_the_sandbox_shows_no_grader_variable_and_no_host_folder(monkeypatch):
    monkeypatch.setenv("CK_SECRET", CANARY)  # in the grader's environment
    done = run_in_sandbox(
        "import os\nprint(open('/proc/1/environ', 'rb').read())\n"
        "print(open('/proc/1/cmdline', 'rb').read())\nprint(dict(os.environ))\n"
        "print(sorted(os.listdir('/proc/self/fd')))")
    assert done.returncode == 0, done.stderr
    environ, cmdline, own, fds = done.stdout.splitlines()
    assert environ == "b''" and CANARY not in done.stdout
    assert "--ro-bind" not in cmdline and "/etc/ld.so.cache" not in cmdline
    assert eval(own)["HOME"].startswith(tempfile.gettempdir())  # the kernel's own variables
    assert eval(fds) == ["0", "1", "2", "3"]  # 3: listdir's own; bwrap's options are closed


@needs_sandbox
def test_memory_backed_folders_are_sized_and_the_root_is_read_only():
    done = run_in_sandbox(
        "import errno\nfor where in ('/dev/shm/a', '/tmp/a', '/a'):\n"
        "    try:\n        open(where, 'wb').write(b'0' * (20 * 1024 ** 2))\n"
        "        print(where, 'written')\n"
        "    except OSError as e:\n        print(where, errno.errorcode[e.errno])",
        Limits(disk=8 * 1024 ** 2))
    assert done.stdout.split("\n")[:3] == ["/dev/shm/a ENOSPC", "/tmp/a ENOSPC", "/a EROFS"]


@needs_sandbox
def test_a_python_kept_under_tmp_is_seen_in_the_sandbox(monkeypatch, tmp_path):
    # tmp_path lies under /tmp, over which the sandbox mounts its own empty /tmp
    env = tmp_path / "venv"
    (env / "lib").mkdir(parents=True)
    (env / "lib" / "marker.txt").write_text("here")
    assert str(env).startswith("/tmp/")
    real = sandbox._python_roots
    monkeypatch.setattr(sandbox, "_python_roots", lambda: [*real(), env])
    done = run_in_sandbox(f"print(open({str(env / 'lib' / 'marker.txt')!r}).read())")
    assert done.stdout.strip() == "here", done.stderr


@needs_sandbox
def test_when_bwrap_cannot_start_its_own_reason_is_named(monkeypatch):
    monkeypatch.setattr(sandbox, "_python_roots", lambda: [Path("/nonexistent-ck-root")])
    sandbox.sandbox_problem.cache_clear()
    try:
        problem = sandbox.sandbox_problem()
    finally:
        sandbox.sandbox_problem.cache_clear()
    assert problem and "/nonexistent-ck-root" in problem and "namespaces" not in problem


def test_a_namespace_refusal_is_explained_as_one():
    said = sandbox._why_bwrap_failed("bwrap: setting up uid map: Permission denied")
    assert "setting up uid map" in said and "user namespaces" in said


@needs_sandbox
@pytest.mark.slow
def test_a_canary_in_the_graders_environment_reaches_no_learner(tmp_path):
    """The command grades in a process whose environment holds a secret; an answer reads
    every environment it can see and prints it: no autograded notebook or feedback page
    holds the secret."""
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    bank = load_bank("00")
    right = right_answers(bank)
    first = bank.choice_questions[0]
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    spy = ("import os\nprint('read:', open('/proc/1/environ', 'rb').read(), "
           "open('/proc/self/environ', 'rb').read(), dict(os.environ), "
           "open('/proc/1/cmdline', 'rb').read())")
    submission(course, "spy", {**right, first.id: right[first.id] + "\n" + spy})
    coursekit = Path(sys.executable).with_name("coursekit")
    env = dict(os.environ, CK_SECRET=CANARY,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([str(coursekit), "grade", "autograde", ASSIGNMENT, "--course",
                           str(course), "--workers", "1", "--run-answers"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    graded = (course / "autograded" / "spy" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "read:" in graded  # the answer ran and printed what it saw
    feedback = (course / "feedback" / "spy" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    for text in (graded, feedback):
        assert CANARY not in text
        assert str(course) not in json.dumps(text)
