"""Route 1, one shared machine: 5 learners, each their own Unix account, through the exchange.

The machine's administrator runs ``coursekit grade exchange``; the facilitator releases;
each learner (a real user made with useradd) fetches with plain ``nbgrader
fetch_assignment 00-check`` (no settings of their own), answers by clicking (the clicks
recorded as the kit's widget records them, the notebook saved through Jupyter Server's
contents manager with the kit's save hook, as their JupyterLab would), and submits. The
facilitator collects, autogrades and releases feedback; one learner fetches it.

Needs root and useradd; outside CI it skips in one line when either is missing.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.grading.exchange import configure
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course

pytestmark = pytest.mark.slow
A = ASSIGNMENT
ROOT = Path(__file__).resolve().parents[2]
N_LEARNERS = 5

# nbgrader's own apps, several in one process (each is what `nbgrader <step>` runs).
_APPS = r"""
import importlib, json, sys

def nbgrader(step, *argv):
    module, name = {
        "generate_assignment": ("generateassignmentapp", "GenerateAssignmentApp"),
        "release_assignment": ("releaseassignmentapp", "ReleaseAssignmentApp"),
        "fetch_assignment": ("fetchassignmentapp", "FetchAssignmentApp"),
        "submit": ("submitapp", "SubmitApp"),
        "collect": ("collectapp", "CollectApp"),
        "generate_feedback": ("generatefeedbackapp", "GenerateFeedbackApp"),
        "release_feedback": ("releasefeedbackapp", "ReleaseFeedbackApp"),
        "fetch_feedback": ("fetchfeedbackapp", "FetchFeedbackApp"),
    }[step]
    app = getattr(importlib.import_module("nbgrader.apps." + module), name)()
    app.initialize(list(argv))
    app.start()

def click_and_save(home, answers):
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from coursekit.grading.answers import fill_before_save, write_answer
    for qid, value in answers.items():  # what each click records
        write_answer(f"{home}/coursekit/00-check", "00", qid, value)
    cm = FileContentsManager(root_dir=home)  # what the learner's JupyterLab saves through
    cm.register_pre_save_hook(fill_before_save)
    path = "coursekit/00-check/00-check.ipynb"
    model = cm.get(path, content=True)
    cm.save({"type": "notebook", "format": "json", "content": model["content"]}, path)

for step in json.loads(sys.argv[1]):
    if step[0] == "click_and_save":
        click_and_save(*step[1:])
    else:
        nbgrader(*step)
"""


def steps(*items) -> list[str]:
    return [sys.executable, "-c", _APPS, json.dumps([list(i) for i in items])]


def _skip(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _hidden_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that other users cannot enter (e.g. /root)."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


def _learner_command(user: str, args: list[str]) -> list[str]:
    """Run ``args`` as ``user``. When the interpreter or the kit sits in a folder other
    users cannot enter (pyenv in /root), a mount namespace shows them just those paths."""
    from coursekit.grading.sandbox import _python_roots

    entry = pwd.getpwnam(user)
    drop = [shutil.which("setpriv"), f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
            "--init-groups", "--"]
    needed = [*_python_roots(), ROOT]
    hidden: dict[Path, list[Path]] = {}
    for path in needed:
        top = _hidden_ancestor(Path(os.path.realpath(path)) / "x")
        if top is not None:
            hidden.setdefault(top, []).append(Path(os.path.realpath(path)))
    if not hidden:
        return [*drop, *args]
    bwrap = [shutil.which("bwrap"), "--dev-bind", "/", "/"]
    for top, paths in hidden.items():
        bwrap += ["--tmpfs", str(top)]
        for path in sorted(set(paths)):
            bwrap += ["--ro-bind", str(path), str(path)]
    return [*bwrap, "--", *drop, *args]


def _env(base: Path, home: Path | None, prefix: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSEKIT_"))}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "COURSEKIT_ROOT": str(ROOT),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),  # as `coursekit grade exchange` set it
    })
    if home is not None:
        env.update({"HOME": str(home), "COURSEKIT_DATA_DIR": str(home / ".local/share/coursekit"),
                    "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
                    "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
                    "JUPYTER_RUNTIME_DIR": str(home / ".local/share/jupyter/runtime")})
    return env


def _run(args, *, cwd, env, user=None, check=True) -> subprocess.CompletedProcess:
    cmd = _learner_command(user, args) if user else args
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args[:4])} as {user or 'facilitator'} exited "
                             f"{done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


@pytest.fixture(scope="module")
def machine():
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("setpriv"):
        _skip("needs root, useradd and setpriv to make real learner accounts")
    base = Path(tempfile.mkdtemp(prefix="coursekit-route1-"))
    os.chmod(base, 0o755)
    users = [f"ck{os.getpid() % 100000}l{n}" for n in range(1, N_LEARNERS + 1)]
    made = []
    try:
        (base / "home").mkdir()
        os.chmod(base / "home", 0o755)
        for user in users:
            subprocess.run(["useradd", "--create-home", "--home-dir", str(base / "home" / user),
                            "--shell", "/bin/sh", "--user-group", user], check=True,
                           capture_output=True)
            made.append(user)
        yield base, users
    finally:
        for user in made:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_five_learners_through_the_shared_exchange(machine):
    base, users = machine
    bank = load_bank("00")
    qs = bank.choice_questions
    prefix = base / "env"
    exchange = base / "exchange"
    configure(exchange, course_id="coursekit", prefix=prefix)  # the administrator, once
    assert stat.S_IMODE(exchange.stat().st_mode) == 0o1777
    course = make_course(base / "facilitator")
    fenv = _env(base, None, prefix)
    _run(steps(("generate_assignment", A, "--force"), ("release_assignment", A)), cwd=course,
         env=fenv)
    inbound = exchange / "coursekit" / "inbound"  # learners drop in; never list nor remove
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o3733

    expected = {}
    for n, user in enumerate(users):
        home = base / "home" / user
        env = _env(base, home, prefix)
        answers = {q.id: q.expected() for q in qs[: n + 1]}  # learner n: n+1 right answers
        expected[user] = float(sum(q.points for q in qs[: n + 1]))
        # no --course, no exchange setting of their own: the kit configured both
        _run(steps(("fetch_assignment", A), ("click_and_save", str(home), answers),
                   ("submit", A)), cwd=home, env=env, user=user)
        notebook = home / "coursekit" / A / f"{A}.ipynb"
        assert notebook.owner() == user
        first = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        assert any("".join(c["source"]).startswith(f"{qs[0].variable} = ") and
                   "= None" not in "".join(c["source"]).split("\n")[0] for c in first)

    _run(steps(("collect", A)), cwd=course, env=fenv)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(users)
    outcomes = {o.student: o for o in autograde_cohort(course, A, workers=2)}
    assert {u: (o.status, o.score) for u, o in outcomes.items()} == {
        u: (GRADED, s) for u, s in expected.items()}

    _run(steps(("generate_feedback", A), ("release_feedback", A)), cwd=course, env=fenv)
    home = base / "home" / users[-1]
    _run(steps(("fetch_feedback", A)), cwd=home, env=_env(base, home, prefix), user=users[-1])
    pages = list((home / "coursekit" / A / "feedback").rglob("*.html"))
    assert len(pages) == 1
    body = pages[0].read_text(encoding="utf-8")
    assert "Correct." in body and "Traceback" not in body[body.find("<body"):]
