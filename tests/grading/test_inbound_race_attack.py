"""A learner who wins the race between :class:`~coursekit.grading.inbound.CheckedCollect`'s
check and its copy. A learner owns their own inbound entry, so after the check passes they
may still swap a notebook inside it for a link, or the whole entry for a link to a folder,
e.g. the facilitator's ``source/`` with the answer key. nbgrader's copy
(``shutil.copytree``) follows links, so the key would be collected, graded full marks and
handed back in that learner's feedback. The race is made deterministic here: the swap
happens right after each entry's check (:func:`check_entry`), before its private copy.

A learner's new entry that is refused must also leave their earlier collected copy in
place (nbgrader removes it before copying the new one): the copy is made before that.
"""

from __future__ import annotations

import json
import os
import pwd
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

A = "01-check"
KEY = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "THE KEY"}],
                  "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
MINE = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
FMT = "%Y-%m-%d %H:%M:%S.%f UTC"


def _collector(tmp_path: Path):
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.inbound import CheckedCollect

    course = tmp_path / "course"
    course.mkdir()
    coursedir = CourseDirectory(root=str(course), course_id="c", assignment_id=A)
    return CheckedCollect(coursedir=coursedir, root=str(tmp_path / "exchange"),
                          check_owner=False), course


def _hand_in(tmp_path: Path) -> Path:
    me = pwd.getpwuid(os.geteuid()).pw_name
    when = datetime.now(timezone.utc) - timedelta(minutes=1)
    entry = tmp_path / "exchange" / "c" / "inbound" / f"{me}+{A}+{when.strftime(FMT)}+r1"
    entry.mkdir(parents=True)
    (entry / f"{A}.ipynb").write_text(MINE, encoding="utf-8")
    (entry / "timestamp.txt").write_text(when.strftime(FMT), encoding="utf-8")
    key = tmp_path / "course" / "source" / A
    key.mkdir(parents=True)
    (key / f"{A}.ipynb").write_text(KEY, encoding="utf-8")
    (key / "timestamp.txt").write_text(when.strftime(FMT), encoding="utf-8")
    return entry


def _swap_after_the_check(monkeypatch, swap, entry: Path | None = None) -> None:
    """Run ``swap`` right after the check of ``entry`` (None: of every entry)."""
    from coursekit.grading import inbound

    real = inbound.check_entry

    def check_then_swap(path, *args):
        found = real(path, *args)
        if entry is None or path == str(entry):
            swap()
        return found

    monkeypatch.setattr(inbound, "check_entry", check_then_swap)


def _collected(course: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((course / "submitted").rglob("*.ipynb"))]


@pytest.mark.parametrize("swap", ["notebook", "entry"])
def test_a_link_swapped_in_after_the_check_never_collects_the_key(tmp_path, swap, monkeypatch):
    collector, course = _collector(tmp_path)
    entry = _hand_in(tmp_path)
    key = tmp_path / "course" / "source" / A

    def link():
        if swap == "notebook":  # the learner's own notebook, now a link to the key
            (entry / f"{A}.ipynb").unlink()
            (entry / f"{A}.ipynb").symlink_to(key / f"{A}.ipynb")
        else:  # the learner's whole entry, now a link to the key's folder
            entry.rename(entry.with_name("moved-away"))
            entry.symlink_to(key, target_is_directory=True)

    _swap_after_the_check(monkeypatch, link)
    collector.init_src()
    assert collector.src_records == [] and list(collector.checked) == [str(entry)]
    collector.copy_files()
    assert not any("THE KEY" in text for text in _collected(course))
    assert [name for name, _ in collector.refused] == [entry.name]
    assert "link" in collector.refused[0][1]


def test_an_entry_swapped_for_another_folder_after_the_check_is_refused(tmp_path, monkeypatch):
    # the learner's own entry, swapped after the check for another folder (work written
    # after the deadline, under the on-time name): what is copied is what was checked
    collector, course = _collector(tmp_path)
    entry = _hand_in(tmp_path)

    def swap():
        late = entry.with_name("late")
        late.mkdir()
        (late / f"{A}.ipynb").write_text(KEY, encoding="utf-8")
        (late / "timestamp.txt").write_text((entry / "timestamp.txt").read_text())
        entry.rename(entry.with_name("moved-away"))
        late.rename(entry)

    _swap_after_the_check(monkeypatch, swap)
    collector.init_src()
    collector.copy_files()
    assert _collected(course) == []
    assert "changed after" in collector.refused[0][1]


def test_an_honest_entry_is_still_collected_whole(tmp_path):
    collector, course = _collector(tmp_path)
    entry = _hand_in(tmp_path)
    (entry / "data").mkdir()
    (entry / "data" / "notes.txt").write_text("mine", encoding="utf-8")
    collector.init_src()
    collector.copy_files()
    assert collector.refused == []
    me = pwd.getpwuid(os.geteuid()).pw_name
    got = course / "submitted" / me / A
    assert (got / f"{A}.ipynb").read_text(encoding="utf-8") == MINE
    assert (got / "data" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (got / "timestamp.txt").exists()


def test_a_swap_after_the_choice_changes_nothing_collected(tmp_path):
    # once chosen, the entry is already copied: a link put in afterwards is never followed
    collector, course = _collector(tmp_path)
    entry = _hand_in(tmp_path)
    collector.init_src()
    (entry / f"{A}.ipynb").unlink()
    (entry / f"{A}.ipynb").symlink_to(tmp_path / "course" / "source" / A / f"{A}.ipynb")
    collector.copy_files()
    assert collector.refused == [] and _collected(course) == [MINE]


def test_a_refused_new_entry_keeps_the_earlier_collected_copy(tmp_path, monkeypatch):
    collector, course = _collector(tmp_path)
    first = _hand_in(tmp_path)
    collector.start()
    assert _collected(course) == [MINE]
    me = pwd.getpwuid(os.geteuid()).pw_name
    when = datetime.now(timezone.utc) - timedelta(seconds=20)
    second = first.with_name(f"{me}+{A}+{when.strftime(FMT)}+r2")
    second.mkdir()
    (second / f"{A}.ipynb").write_text(KEY, encoding="utf-8")
    (second / "timestamp.txt").write_text(when.strftime(FMT), encoding="utf-8")
    collector, _ = _collector_again(tmp_path)

    def swap():  # the new entry becomes a link once it has passed its check
        second.rename(second.with_name("moved-away"))
        second.symlink_to(tmp_path / "course" / "source" / A, target_is_directory=True)

    _swap_after_the_check(monkeypatch, swap, second)
    collector.start()
    assert [name for name, _ in collector.refused] == [second.name]
    assert _collected(course) == [MINE], "the earlier collected copy was lost"
    assert not list(Path(tempfile.gettempdir()).glob("coursekit-collect-*")), "staging left"


def _collector_again(tmp_path: Path):
    from nbgrader.coursedir import CourseDirectory

    from coursekit.grading.inbound import CheckedCollect

    coursedir = CourseDirectory(root=str(tmp_path / "course"), course_id="c", assignment_id=A)
    return CheckedCollect(coursedir=coursedir, root=str(tmp_path / "exchange"),
                          check_owner=False, update=True), tmp_path / "course"
