"""What a learner can put in the shared exchange's inbound folder (route 1), against
:class:`coursekit.grading.inbound.CheckedCollect`: a named pipe (nbgrader's copy would stop
the whole class's collect on it), more data than nbgrader copies (same), and a
``timestamp.txt`` that is garbage, backdated or missing (nbgrader reads lateness from it).
"""

from __future__ import annotations

import json
import os
import pwd
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coursekit.grading.inbound import inbound_problem
from coursekit.grading.intake import MB

A = "01-check"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _entry(inbound: Path, user: str, when: datetime, stamp_txt: str | None = "same") -> Path:
    fmt = "%Y-%m-%d %H:%M:%S.%f UTC"
    path = inbound / f"{user}+{A}+{when.strftime(fmt)}+abc123"
    path.mkdir(parents=True)
    (path / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    if stamp_txt is not None:
        (path / "timestamp.txt").write_text(
            when.strftime(fmt) if stamp_txt == "same" else stamp_txt, encoding="utf-8")
    return path


def _own(path: Path, uid: int) -> None:
    for p in (path, *path.rglob("*")):
        os.lchown(p, uid, -1)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to other accounts")
def test_an_inbound_entry_with_a_pipe_too_much_data_or_another_time_is_refused(tmp_path):
    nobody = pwd.getpwnam("nobody").pw_uid
    now = datetime.now(timezone.utc) - timedelta(minutes=2)
    honest = _entry(tmp_path / "h", "nobody", now)
    _own(honest, nobody)
    assert inbound_problem(str(honest), max_bytes=100 * MB) is None
    pipe = _entry(tmp_path / "p", "nobody", now)
    os.mkfifo(pipe / "stuck")
    _own(pipe, nobody)
    assert "holds stuck, a named pipe" in inbound_problem(str(pipe))
    deep = _entry(tmp_path / "d", "nobody", now)
    (deep / Path(*["d"] * 40)).mkdir(parents=True)
    _own(deep, nobody)
    assert "more than 32 deep" in inbound_problem(str(deep))
    big = _entry(tmp_path / "b", "nobody", now)
    with (big / "sparse.bin").open("wb") as f:
        f.truncate(5 * 1024 ** 3)  # 5 GB that take no room on disk
    _own(big, nobody)
    assert "more than the 100 MB" in inbound_problem(str(big), max_bytes=100_000_000)
    for what, stamp_txt in (("garbage", "garbage!!"),
                            ("backdated", (now - timedelta(days=30)).strftime(
                                "%Y-%m-%d %H:%M:%S.%f UTC")),
                            ("missing", None)):
        entry = _entry(tmp_path / what, "nobody", now, stamp_txt)
        _own(entry, nobody)
        problem = inbound_problem(str(entry))
        assert problem and "timestamp.txt" in problem, (what, problem)


def test_one_entry_that_cannot_be_copied_does_not_stop_the_class(tmp_path):
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.inbound import CheckedCollect

    src = _entry(tmp_path / "inbound", "nobody", datetime.now(timezone.utc))
    os.mkfifo(src / "swapped-in-after-the-check")
    collector = CheckedCollect(coursedir=CourseDirectory())
    dest = tmp_path / "submitted" / "nobody" / A
    collector.do_copy(str(src), str(dest))  # nbgrader's copy raises on the pipe
    assert not dest.exists()
    assert collector.refused == [(src.name, collector.refused[0][1])]
    assert "could not be copied" in collector.refused[0][1]


@pytest.mark.slow
def test_a_hub_where_every_learner_is_jovyan_still_collects(tmp_path):
    # deploy/README.md's shared-volume hub: every pod runs as one account, the learner's
    # name comes from JUPYTERHUB_USER. The owner then names no one: with nbgrader's own
    # ExchangeCollect.check_owner = False the entries are collected, and the other checks
    # (a time in the future here) still hold.
    from .factories import make_course, nbgrader

    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    course = make_course(tmp_path)
    assignment = "00-check"
    root = tmp_path / "exchange"
    inbound = root / "coursekit" / "inbound"
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%d %H:%M:%S.%f UTC"
    for user, when in (("ana-hub-user", now - timedelta(minutes=2)),
                       ("bo-hub-user", now - timedelta(minutes=4)),
                       ("bo-hub-user", now + timedelta(days=365))):
        entry = inbound / f"{user}+{assignment}+{when.strftime(fmt)}+{when.year}"
        entry.mkdir(parents=True)
        (entry / f"{assignment}.ipynb").write_text(NB, encoding="utf-8")
        (entry / "timestamp.txt").write_text(when.strftime(fmt), encoding="utf-8")
    args = ("collect", assignment, f"--Exchange.root={root}",
            "--CourseDirectory.course_id=coursekit")
    strict = nbgrader(course, *args)
    assert not (course / "submitted").exists() or not list((course / "submitted").iterdir())
    assert "no account named 'ana-hub-user'" in strict.stdout + strict.stderr
    done = nbgrader(course, *args, "--ExchangeCollect.check_owner=False")
    assert sorted(p.name for p in (course / "submitted").iterdir()) == [
        "ana-hub-user", "bo-hub-user"]
    stamp = (course / "submitted" / "bo-hub-user" / assignment / "timestamp.txt").read_text(
        encoding="utf-8")
    assert stamp == (now - timedelta(minutes=4)).strftime(fmt)  # not the one from the future
    assert "is in the future" in done.stdout + done.stderr


def test_an_entry_edited_after_its_time_is_refused(tmp_path):
    # a learner owns their entry: handed in on time, then the notebook rewritten in place an
    # hour later. The kernel's change time (no learner can set it) gives it away.
    me = pwd.getpwuid(os.geteuid()).pw_name
    stated = datetime.now(timezone.utc) - timedelta(hours=1)
    entry = _entry(tmp_path, me, stated)
    os.utime(entry / f"{A}.ipynb", (stated.timestamp(), stated.timestamp()))  # mtime: a lie
    problem = inbound_problem(str(entry))
    assert problem and "after the time in its name" in problem
    assert "written_after_seconds = 0" in problem
    assert inbound_problem(str(entry), written_after=None) is None  # the check turned off
    fresh = _entry(tmp_path / "fresh", me, datetime.now(timezone.utc) - timedelta(minutes=1))
    assert inbound_problem(str(fresh)) is None
