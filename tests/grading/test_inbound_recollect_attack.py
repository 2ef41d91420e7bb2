"""Collecting again from the shared exchange, against :class:`~coursekit.grading.inbound.
CheckedCollect`: ``--update`` and ``--before-duedate``, several entries of one learner, a
newest entry refused while an older honest one waits, swaps between the check and the
private (staging) copy, a copy that fails part way (disk full, an error in nbgrader's copy)
and a ``timestamp.txt`` that says one time to the check and another to nbgrader.

After each run: what ``submitted/`` holds (notebook and ``timestamp.txt``), what
``collector.refused`` says, and that no ``coursekit-collect-*`` staging folder is left.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

A = "01-check"
FMT = "%Y-%m-%d %H:%M:%S.%f UTC"
NOW = datetime.now(timezone.utc)


def _nb(text: str) -> str:
    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch) -> Path:
    """A temp dir of this test's own, so leftover staging folders are this test's; the
    entries' times taken afresh (an entry written more than ten minutes after its time is
    refused, and a long test run would otherwise reach that)."""
    global NOW, T1, T2, T3
    NOW = datetime.now(timezone.utc)
    T1, T2, T3 = (NOW - timedelta(minutes=m) for m in (3, 2, 1))
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _staging_left(folder: Path) -> list[str]:
    return [p.name for p in folder.glob("coursekit-collect-*")]


def _collector(tmp_path: Path, **options):
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.inbound import CheckedCollect

    (tmp_path / "course").mkdir(exist_ok=True)
    coursedir = CourseDirectory(root=str(tmp_path / "course"), course_id="c",
                                assignment_id=A)
    return CheckedCollect(coursedir=coursedir, root=str(tmp_path / "exchange"),
                          check_owner=False, **options)


def _due(tmp_path: Path, when: datetime) -> None:
    from nbgrader.api import Gradebook

    (tmp_path / "course").mkdir(exist_ok=True)
    url = f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}"
    with Gradebook(url, "c") as gb:
        gb.update_or_create_assignment(A, duedate=when.replace(tzinfo=None))


def _hand_in(tmp_path: Path, user: str, when: datetime, text: str, suffix: str = "r",
             stamp: str | None = None) -> Path:
    entry = tmp_path / "exchange" / "c" / "inbound" / f"{user}+{A}+{when.strftime(FMT)}+{suffix}"
    entry.mkdir(parents=True)
    (entry / f"{A}.ipynb").write_text(_nb(text), encoding="utf-8")
    (entry / "timestamp.txt").write_text(when.strftime(FMT) if stamp is None else stamp,
                                         encoding="utf-8")
    return entry


def _got(tmp_path: Path, user: str) -> tuple[str, str] | None:
    """(notebook text, timestamp.txt) collected for ``user``, or None."""
    folder = tmp_path / "course" / "submitted" / user / A
    if not folder.is_dir():
        return None
    cells = json.loads((folder / f"{A}.ipynb").read_text(encoding="utf-8"))["cells"]
    return cells[0]["source"], (folder / "timestamp.txt").read_text(encoding="utf-8")


def _swap_after_the_check(monkeypatch, swap, entry: Path) -> None:
    from coursekit.grading import inbound

    real = inbound.check_entry

    def check_then_swap(path, *args):
        found = real(path, *args)
        if path == str(entry):
            swap()
        return found

    monkeypatch.setattr(inbound, "check_entry", check_then_swap)


def _to_link(entry: Path, target: Path):
    def swap():
        entry.rename(entry.with_name(entry.name + "-moved"))
        entry.symlink_to(target, target_is_directory=True)
    return swap


def _key(tmp_path: Path) -> Path:
    key = tmp_path / "course" / "source" / A
    key.mkdir(parents=True, exist_ok=True)
    (key / f"{A}.ipynb").write_text(_nb("THE KEY"), encoding="utf-8")
    (key / "timestamp.txt").write_text(NOW.strftime(FMT), encoding="utf-8")
    return key


T1, T2, T3 = NOW, NOW, NOW  # set by private_tmp for each test


def test_update_takes_only_a_newer_entry_and_an_equal_time_changes_nothing(
        tmp_path, private_tmp):
    _hand_in(tmp_path, "ann", T1, "first")
    _collector(tmp_path).start()
    assert _got(tmp_path, "ann") == ("first", T1.strftime(FMT))
    # the same time again, other content (a second entry under the collected entry's time)
    _hand_in(tmp_path, "ann", T1, "same time, other work", suffix="s")
    again = _collector(tmp_path, update=True)
    again.start()
    assert again.refused == [] and _got(tmp_path, "ann") == ("first", T1.strftime(FMT))
    _hand_in(tmp_path, "ann", T2, "second")
    _hand_in(tmp_path, "ann", T3, "third")
    newer = _collector(tmp_path, update=True)
    newer.start()
    assert newer.refused == [] and _got(tmp_path, "ann") == ("third", T3.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_a_newest_entry_refused_by_the_check_leaves_the_older_honest_one(tmp_path):
    _hand_in(tmp_path, "ann", T1, "honest")
    _hand_in(tmp_path, "ann", T3, "bad stamp", stamp="2020-01-01 00:00:00.000000 UTC")
    first = _collector(tmp_path)
    first.start()
    assert _got(tmp_path, "ann") == ("honest", T1.strftime(FMT))
    assert next(why for _, why in first.refused).startswith("its timestamp.txt says")
    again = _collector(tmp_path, update=True)
    again.start()
    assert _got(tmp_path, "ann") == ("honest", T1.strftime(FMT))


def test_a_newest_entry_swapped_after_the_check_falls_back_to_the_older_honest_one(
        tmp_path, monkeypatch, private_tmp):
    # nothing collected yet: the learner's own newest honest entry is what a teacher
    # expects, not nothing at all
    _hand_in(tmp_path, "ann", T1, "honest")
    newest = _hand_in(tmp_path, "ann", T3, "mine")
    _swap_after_the_check(monkeypatch, _to_link(newest, _key(tmp_path)), newest)
    collector = _collector(tmp_path)
    collector.start()
    assert [name for name, _ in collector.refused] == [newest.name]
    assert _got(tmp_path, "ann") == ("honest", T1.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_update_after_a_swapped_newest_entry_takes_the_next_newer_one(
        tmp_path, monkeypatch, private_tmp):
    _hand_in(tmp_path, "ann", T1, "first")
    _collector(tmp_path).start()
    _hand_in(tmp_path, "ann", T2, "second")
    newest = _hand_in(tmp_path, "ann", T3, "third")
    _swap_after_the_check(monkeypatch, _to_link(newest, _key(tmp_path)), newest)
    collector = _collector(tmp_path, update=True)
    collector.start()
    assert [name for name, _ in collector.refused] == [newest.name]
    assert _got(tmp_path, "ann") == ("second", T2.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_before_duedate_swapped_entry_keeps_the_collected_copy(
        tmp_path, monkeypatch, private_tmp):
    _due(tmp_path, T2)
    on_time = _hand_in(tmp_path, "ann", T1, "on time")
    _hand_in(tmp_path, "ann", T3, "late")
    _collector(tmp_path).start()  # plain collect: the newest, late one
    assert _got(tmp_path, "ann") == ("late", T3.strftime(FMT))
    _swap_after_the_check(monkeypatch, _to_link(on_time, _key(tmp_path)), on_time)
    collector = _collector(tmp_path, before_duedate=True)
    collector.start()
    assert [name for name, _ in collector.refused] == [on_time.name]
    assert _got(tmp_path, "ann") == ("late", T3.strftime(FMT)), "the earlier copy was lost"
    monkeypatch.undo()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    on_time.unlink()  # the link gone again: the on-time entry wins
    on_time.with_name(on_time.name + "-moved").rename(on_time)
    honest = _collector(tmp_path, before_duedate=True)
    honest.start()
    assert honest.refused == [] and _got(tmp_path, "ann") == ("on time", T1.strftime(FMT))
    assert _staging_left(private_tmp) == []


@pytest.mark.parametrize("late", ["fifo", "sparse", "link"])
def test_something_added_after_the_check_refuses_the_entry_and_keeps_the_earlier_copy(
        tmp_path, monkeypatch, private_tmp, late):
    _hand_in(tmp_path, "ann", T1, "first")
    _collector(tmp_path).start()
    newer = _hand_in(tmp_path, "ann", T3, "second")

    def add():
        if late == "fifo":
            os.mkfifo(newer / "stuck")
        elif late == "sparse":
            with (newer / "big.bin").open("wb") as f:
                f.truncate(3_000_000)
        else:
            (newer / "key.ipynb").symlink_to(_key(tmp_path) / f"{A}.ipynb")

    _swap_after_the_check(monkeypatch, add, newer)
    collector = _collector(tmp_path, update=True)
    collector.coursedir.max_dir_size = 1000  # 1 MB
    collector.start()
    assert [name for name, _ in collector.refused] == [newer.name]
    assert _got(tmp_path, "ann") == ("first", T1.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_a_read_error_midway_through_the_staging_copy_takes_the_next_entry(
        tmp_path, monkeypatch, private_tmp):
    # a file the facilitator cannot read whole (a failing disk, a network share: EIO half
    # way), in the newest of many entries; two more of them swapped for links
    from coursekit.grading import entrycopy

    _hand_in(tmp_path, "ann", T1 - timedelta(minutes=1), "zeroth")
    _collector(tmp_path).start()
    _hand_in(tmp_path, "ann", T1, "first")
    _hand_in(tmp_path, "ann", T2, "second")
    linked = [_hand_in(tmp_path, "ann", T2 + timedelta(seconds=s), "linked", suffix=f"l{s}")
              for s in (10, 20)]
    newest = _hand_in(tmp_path, "ann", T3, "unreadable")
    (newest / "data.bin").write_bytes(b"x" * (3 << 20))
    bad = str(newest / "data.bin")
    real = os.read
    served: list[int] = []

    def failing(fd, n):
        if os.readlink(f"/proc/self/fd/{fd}") == bad:
            served.append(n)
            if len(served) > 1:  # the first chunk is read, then the disk fails
                raise OSError(errno.EIO, "Input/output error")
        return real(fd, n)

    monkeypatch.setattr(entrycopy.os, "read", failing)
    from coursekit.grading import inbound

    real_check = inbound.check_entry

    def check_then_link(path, *args):
        found = real_check(path, *args)
        if path in map(str, linked):
            _to_link(Path(path), _key(tmp_path))()
        return found

    monkeypatch.setattr(inbound, "check_entry", check_then_link)
    collector = _collector(tmp_path, update=True)
    collector.start()
    assert [name for name, _ in collector.refused] == [newest.name] + [
        e.name for e in reversed(linked)]
    assert "Input/output error" in collector.refused[0][1]
    assert _got(tmp_path, "ann") == ("second", T2.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_timestamp_swapped_within_the_same_clock_tick_is_not_collected(
        tmp_path, monkeypatch, private_tmp):
    # the kernel stamps change times from a coarse clock: a learner writing within the same
    # tick as the check leaves no newer change time. Modelled by a check that saw a later
    # change time than it did; the copy must still hold the time the name says.
    import dataclasses

    from coursekit.grading import inbound

    newer = _hand_in(tmp_path, "ann", T3, "mine")
    real = inbound.check_entry

    def check_then_rewrite(path, *args):
        problem, seen = real(path, *args)
        if path == str(newer) and seen is not None:
            seen = dataclasses.replace(seen, changed=seen.changed + 5)
            (newer / "timestamp.txt").write_text(T1.strftime(FMT), encoding="utf-8")
        return problem, seen

    monkeypatch.setattr(inbound, "check_entry", check_then_rewrite)
    collector = _collector(tmp_path)
    collector.start()
    assert [name for name, _ in collector.refused] == [newer.name]
    assert "timestamp.txt" in collector.refused[0][1]
    assert _got(tmp_path, "ann") is None
    assert _staging_left(private_tmp) == []


def _two_learners_collected_then_new(tmp_path: Path) -> None:
    _hand_in(tmp_path, "ann", T1, "ann first")
    _hand_in(tmp_path, "bob", T1, "bob first")
    _hand_in(tmp_path, "cy", T1, "cy first")
    _collector(tmp_path).start()
    for user in ("ann", "bob", "cy"):
        _hand_in(tmp_path, user, T3, f"{user} second")


def test_disk_full_in_nbgraders_copy_keeps_the_earlier_copy_and_the_others(
        tmp_path, monkeypatch, private_tmp):
    _two_learners_collected_then_new(tmp_path)
    real = shutil.copyfile

    def full(src, dst, *args, **kwargs):
        if f"{os.sep}submitted{os.sep}bob{os.sep}" in str(dst) and str(dst).endswith(".ipynb"):
            Path(dst).write_bytes(b"{\"cells\": [")  # part of it, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    collector = _collector(tmp_path, update=True)
    collector.start()
    assert [name.split("+")[0] for name, _ in collector.refused] == ["bob"]
    assert _got(tmp_path, "bob") == ("bob first", T1.strftime(FMT)), "earlier copy lost"
    assert _got(tmp_path, "ann") == ("ann second", T3.strftime(FMT))
    assert _got(tmp_path, "cy") == ("cy second", T3.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_an_unexpected_error_in_one_copy_stops_no_one_else(tmp_path, monkeypatch, private_tmp):
    from nbgrader.exchange.default.exchange import Exchange

    _two_learners_collected_then_new(tmp_path)
    real = Exchange.do_copy

    def broken(self, src, dest, log=None):
        if f"{os.sep}bob{os.sep}" in dest:
            os.makedirs(dest)
            raise ValueError("an error nobody planned for")
        return real(self, src, dest, log)

    monkeypatch.setattr(Exchange, "do_copy", broken)
    collector = _collector(tmp_path, update=True)
    collector.start()
    assert [name.split("+")[0] for name, _ in collector.refused] == ["bob"]
    assert "an error nobody planned for" in collector.refused[0][1]
    assert _got(tmp_path, "bob") == ("bob first", T1.strftime(FMT))
    assert _got(tmp_path, "ann") == ("ann second", T3.strftime(FMT))
    assert _got(tmp_path, "cy") == ("cy second", T3.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_the_app_failing_midway_leaves_no_staging(tmp_path, monkeypatch, private_tmp):
    from nbgrader.exchange.default.collect import ExchangeCollect

    _two_learners_collected_then_new(tmp_path)

    def crash(self):
        raise KeyboardInterrupt  # the teacher's ctrl-C, after every entry was staged

    monkeypatch.setattr(ExchangeCollect, "copy_files", crash)
    collector = _collector(tmp_path, update=True)
    with pytest.raises(KeyboardInterrupt):
        collector.start()
    assert _staging_left(private_tmp) == []
    assert _got(tmp_path, "bob") == ("bob first", T1.strftime(FMT))


def test_ctrl_c_in_the_middle_of_one_copy_puts_the_earlier_copy_back(
        tmp_path, monkeypatch, private_tmp):
    _two_learners_collected_then_new(tmp_path)
    real = shutil.copyfile

    def interrupted(src, dst, *args, **kwargs):
        if f"{os.sep}submitted{os.sep}bob{os.sep}" in str(dst):
            Path(dst).write_bytes(b"{")
            raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", interrupted)
    collector = _collector(tmp_path, update=True)
    with pytest.raises(KeyboardInterrupt):
        collector.start()
    assert _got(tmp_path, "ann") == ("ann second", T3.strftime(FMT))
    assert _got(tmp_path, "bob") == ("bob first", T1.strftime(FMT)), "earlier copy lost"
    assert _staging_left(private_tmp) == []


@pytest.mark.parametrize("tail", ["\n" * 200 + "1", "\n" * 200 + "- 5", " " * 250 + "\xff"])
def test_a_timestamp_that_reads_otherwise_to_nbgrader_is_refused(tmp_path, private_tmp, tail):
    # the check read the first 200 characters; nbgrader reads the whole file: padding then
    # "1" moves the time an hour on, "- 5" or a byte that is not UTF-8 makes every later
    # --update collect (and autograde) of the whole class fail on this learner's copy
    from nbgrader.coursedir import CourseDirectory

    stamp = T3.strftime(FMT) + tail
    entry = _hand_in(tmp_path, "ann", T3, "padded", stamp="")
    (entry / "timestamp.txt").write_bytes(stamp.encode("latin-1"))
    _hand_in(tmp_path, "bob", T1, "bob first")
    collector = _collector(tmp_path)
    collector.start()
    assert [name.split("+")[0] for name, _ in collector.refused] == ["ann"]
    _hand_in(tmp_path, "bob", T3, "bob second")
    again = _collector(tmp_path, update=True)
    again.start()
    assert _got(tmp_path, "bob") == ("bob second", T3.strftime(FMT))
    folder = tmp_path / "course" / "submitted" / "bob" / A
    assert CourseDirectory(root=str(tmp_path / "course")).get_existing_timestamp(
        str(folder)) == T3.replace(tzinfo=None)
    assert _staging_left(private_tmp) == []


def test_an_unreadable_earlier_copy_stops_only_its_own_learner(tmp_path, private_tmp):
    # a copy collected before the check above existed, its timestamp.txt unreadable to
    # nbgrader: the class's --update collect goes on, this learner is named with the fix
    _two_learners_collected_then_new(tmp_path)
    poisoned = tmp_path / "course" / "submitted" / "bob" / A / "timestamp.txt"
    poisoned.write_text(T1.strftime(FMT) + "\n" * 200 + "- 5", encoding="utf-8")
    collector = _collector(tmp_path, update=True)
    collector.start()
    assert [name.split("+")[0] for name, _ in collector.refused] == ["bob"]
    assert "submitted" in collector.refused[0][1]
    assert _got(tmp_path, "ann") == ("ann second", T3.strftime(FMT))
    assert _got(tmp_path, "cy") == ("cy second", T3.strftime(FMT))
    assert _staging_left(private_tmp) == []


@pytest.mark.parametrize("user", ["..", ".", ""])
def test_a_name_that_is_a_path_never_leaves_submitted(tmp_path, user):
    # with check_owner off (a hub where all write as one account) the name is all there is:
    # "" would be collected into submitted/01-check (a learner named after the assignment);
    # "." and ".." are hidden from nbgrader's glob
    _hand_in(tmp_path, user, T1, "escaped")
    collector = _collector(tmp_path)
    collector.start()
    assert [name.split("+")[0] for name, _ in collector.refused] == ([""] if not user else [])
    assert not (tmp_path / "course" / A).exists()
    assert not (tmp_path / "course" / "submitted" / A).exists()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand in as another account")
def test_the_nbgrader_collect_cli_recollects_with_the_course_config(tmp_path, private_tmp):
    # the course's nbgrader_config makes CheckedCollect the collector of `nbgrader collect`
    # (and the Formgrader); owners are checked: root and nobody hand in as themselves
    import pwd

    from .factories import ASSIGNMENT, make_course, nbgrader

    course = make_course(tmp_path)
    root = tmp_path / "exchange"
    inbound = root / "coursekit" / "inbound"
    nobody = pwd.getpwnam("nobody").pw_uid
    me = pwd.getpwuid(os.geteuid()).pw_name

    def hand_in(user: str, when: datetime, text: str, tail: str = "") -> Path:
        entry = inbound / f"{user}+{ASSIGNMENT}+{when.strftime(FMT)}+{when.microsecond}"
        entry.mkdir(parents=True)
        (entry / f"{ASSIGNMENT}.ipynb").write_text(_nb(text), encoding="utf-8")
        (entry / "timestamp.txt").write_text(when.strftime(FMT) + tail, encoding="utf-8")
        if user == "nobody":
            for p in (entry, *entry.rglob("*")):
                os.lchown(p, nobody, nobody)
        return entry

    def got(user: str) -> tuple[str, str]:
        folder = course / "submitted" / user / ASSIGNMENT
        nb = json.loads((folder / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
        return nb["cells"][0]["source"], (folder / "timestamp.txt").read_text(encoding="utf-8")

    args = ("collect", ASSIGNMENT, f"--Exchange.root={root}",
            "--CourseDirectory.course_id=coursekit")
    t1, t2, t3 = T1, T2 + timedelta(microseconds=1), T3 + timedelta(microseconds=2)
    hand_in(me, t1, "mine first")
    hand_in("nobody", t1, "theirs first")
    nbgrader(course, *args)
    assert got(me) == ("mine first", t1.strftime(FMT))
    assert got("nobody") == ("theirs first", t1.strftime(FMT))
    # nobody's new entry pads its timestamp.txt: the check once read only its start,
    # nbgrader reads it whole and fails, so every later --update collect would stop
    padded = hand_in("nobody", t2, "theirs padded", tail="\n" * 200 + "- 5")
    hand_in(me, t2, "mine second")
    done = nbgrader(course, *args, "--update")
    assert padded.name in done.stdout + done.stderr and "timestamp.txt" in done.stderr
    assert got("nobody") == ("theirs first", t1.strftime(FMT))
    assert got(me) == ("mine second", t2.strftime(FMT))
    hand_in(me, t3, "mine third")
    hand_in("nobody", t3, "theirs third")
    nbgrader(course, *args, "--update")
    assert got(me) == ("mine third", t3.strftime(FMT))
    assert got("nobody") == ("theirs third", t3.strftime(FMT))
    assert _staging_left(private_tmp) == []


def test_the_formgrader_collect_button_keeps_a_copy_that_failed(tmp_path, monkeypatch,
                                                                 private_tmp):
    # the Formgrader's "collect" is NbGraderAPI.collect (update on), with the course's own
    # nbgrader_config naming CheckedCollect; bob's new copy fails on a full disk
    from nbgrader.apps.api import NbGraderAPI
    from traitlets.config import PyFileConfigLoader

    from .factories import make_course

    course = make_course(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.Exchange.root = str(tmp_path / "exchange")
    config.CourseDirectory.root = str(tmp_path / "course")
    config.CourseDirectory.course_id = "c"
    config.ExchangeCollect.check_owner = False
    assert config.ExchangeFactory.collect == "coursekit.grading.inbound.CheckedCollect"
    api = NbGraderAPI(config=config)
    _hand_in(tmp_path, "ann", T1, "ann first")
    _hand_in(tmp_path, "bob", T1, "bob first")
    assert api.collect(A)["success"]
    _hand_in(tmp_path, "ann", T3, "ann second")
    bob = _hand_in(tmp_path, "bob", T3, "bob second")
    real = shutil.copyfile

    def full(src, dst, *args, **kwargs):
        if f"{os.sep}submitted{os.sep}bob{os.sep}" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    done = api.collect(A)
    assert done["success"], done
    assert f"Not collected: {bob.name}" in done["log"] and "is kept" in done["log"]
    assert _got(tmp_path, "bob") == ("bob first", T1.strftime(FMT))
    assert _got(tmp_path, "ann") == ("ann second", T3.strftime(FMT))
    assert _staging_left(private_tmp) == []
