"""Two real learner accounts on one classroom machine (route 1, the shared exchange).

The facilitator (root here) releases 00-check; ``daemon`` (an honest learner) fetches and
submits with the real ``nbgrader``; ``nobody`` (a hostile learner) then tries to list the
inbound folder, and, given the name of daemon's entry (a leak: no one can list it), to
read daemon's notebook and submission secret, add or delete files in the entry, rename or
remove it, and hand in work in daemon's name. The facilitator's collect must still take
daemon's own work and refuse the forgery.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit.grading.exchange import configure

from .accounts import open_folder, run_as
from .factories import ASSIGNMENT, make_course, nbgrader

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as two accounts")]

HONEST, HOSTILE = 1, 65534  # daemon, nobody


def _learner_nbgrader(uid: int, home: Path, prefix: Path, *args: str):
    env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
           "HOME": str(home), "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
           "COURSEKIT_ROOT": os.environ.get("COURSEKIT_ROOT", "")}
    become = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    done = subprocess.run([*become, sys.executable, "-m", "nbgrader", *args], cwd=home,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


@pytest.fixture
def base():
    with open_folder("coursekit-two-learners-") as folder:
        yield folder


def test_a_hostile_learner_cannot_reach_another_learners_entry(base, monkeypatch):
    prefix = base / "env"
    configure(base / "exchange", course_id="coursekit", prefix=prefix)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(prefix / "etc" / "jupyter"))
    course = make_course(base)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(course, "release_assignment", ASSIGNMENT)
    inbound = base / "exchange" / "coursekit" / "inbound"

    home = base / "daemon-home"
    home.mkdir(mode=0o700)
    os.chown(home, HONEST, HONEST)
    _learner_nbgrader(HONEST, home, prefix, "fetch_assignment", ASSIGNMENT)
    _learner_nbgrader(HONEST, home, prefix, "submit", ASSIGNMENT)
    [entry] = [p for p in inbound.iterdir() if p.name.startswith("daemon+")]
    assert entry.stat().st_uid == HONEST

    # the hostile learner, even knowing the entry's name
    notebook = entry / f"{ASSIGNMENT}.ipynb"
    secret = entry / "submission_secret.txt"
    assert run_as(HOSTILE, lambda: bool(os.listdir(inbound))) == 2
    assert run_as(HOSTILE, lambda: bool(notebook.read_bytes())) == 2
    assert run_as(HOSTILE, lambda: bool(secret.read_text())) == 2
    assert run_as(HOSTILE, lambda: bool(os.listdir(entry))) == 2
    assert run_as(HOSTILE, lambda: (entry / "planted.txt").write_text("x") and True) == 2
    assert run_as(HOSTILE, lambda: notebook.unlink() or True) == 2
    assert run_as(HOSTILE, lambda: entry.rename(inbound / "gone") or True) == 2
    assert run_as(HOSTILE, lambda: shutil.rmtree(entry) or True) == 2
    stamp = (entry / "timestamp.txt").read_text()
    forged = inbound / f"daemon+{ASSIGNMENT}+{stamp}+forged"

    def forge() -> bool:
        forged.mkdir()
        (forged / f"{ASSIGNMENT}.ipynb").write_text("{}")
        (forged / "timestamp.txt").write_text(stamp)
        return True

    assert run_as(HOSTILE, forge) == 0  # it can drop an entry in daemon's name...
    done = nbgrader(course, "collect", ASSIGNMENT)
    log = done.stdout + done.stderr
    assert "forged" in log and "handed in by another account" in log  # ...never collected
    got = course / "submitted" / "daemon" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert got.read_bytes() == notebook.read_bytes()  # daemon's own work, whole


def test_the_learners_config_names_the_private_submitter(base):
    from traitlets.config import Config, PyFileConfigLoader

    [config, _settings] = configure(base / "exchange", course_id="c1", prefix=base / "env")
    loaded = Config()
    loaded.merge(PyFileConfigLoader(config.name, path=str(config.parent)).load_config())
    assert loaded.ExchangeFactory.submit == "coursekit.grading.submit.PrivateSubmit"


def test_an_entry_is_narrowed_only_when_the_facilitator_reads_it_through_the_group(tmp_path):
    from coursekit.grading.submit import course_group_serves

    inbound, entry = tmp_path / "inbound", tmp_path / "inbound" / "e"
    entry.mkdir(parents=True)
    nogroup = 65534  # nobody's own group
    os.chown(inbound, HOSTILE, nogroup)  # a facilitator account that is not root
    os.chown(entry, HONEST, nogroup)
    assert course_group_serves(str(inbound), str(entry))  # its own group: it reads
    os.chown(inbound, HOSTILE, HONEST)
    os.chown(entry, HONEST, HONEST)
    assert not course_group_serves(str(inbound), str(entry))  # group daemon: it would not
    os.chown(inbound, HOSTILE, nogroup)
    assert not course_group_serves(str(inbound), str(entry))  # no setgid: groups differ
