"""Fast checks of the LMS round trip's parts: who a path names, what is let in, the exchange.

(The whole round trip on a real course is in test_lms_round_trip.py.)
"""

from __future__ import annotations

import json
import os
import pwd
import stat
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coursekit.grading.export import moodle_folder
from coursekit.grading.inbound import inbound_problem
from coursekit.grading.intake import MB, IntakeLimits, bring_in
from coursekit.grading.lms import identify, learner_id

A = "01-check"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize("path, lms, name, number", [
    # renamed files in a learner's Moodle folder stay that learner's
    (f"Linh Tran_1234_assignsubmission_file_/{A} (Linh) final.ipynb", "Moodle", "Linh Tran",
     "1234"),
    (f"Linh Tran_1234_assignsubmission_file_/{A} v2.ipynb", "Moodle", "Linh Tran", "1234"),
    (f"Ravi Shah_1234580_assignsubmission_file_/Copy of {A}.ipynb", "Moodle", "Ravi Shah",
     "1234580"),
    (f"Mia Park_4003_assignsubmission_file_/{A} final.ipynb", "Moodle", "Mia Park", "4003"),
    # a name inside the folder never moves the file to someone else
    (f"Eve Ng_4005_assignsubmission_file_/Ana Lima_{A}.ipynb", "Moodle", "Eve Ng", "4005"),
    # Moodle 4.1+ folders have no last underscore; a wrapper folder around them
    (f"download/Eve Ng_4005_assignsubmission_file/{A}.ipynb", "Moodle", "Eve Ng", "4005"),
    # flat Moodle names, with anything after the prefix
    (f"Sam Roe_4011_assignsubmission_file_{A}_final.ipynb", "Moodle", "Sam Roe", "4011"),
    (f"José Álvarez-Ruiz_4007_assignsubmission_file_{A}.ipynb", "Moodle",
     "José Álvarez-Ruiz", "4007"),
    # Canvas: lastfirst_<user id>_<submission id>_<file>, LATE_ before the user id
    (f"okaforuche_7001_9001_{A}-1.ipynb", "Canvas", "okaforuche", "7001"),
    ("okaforuche_LATE_7001_9001_my answers (2).ipynb", "Canvas", "okaforuche", "7001"),
    (f"{A}_alima_attempt_2024-03-01-10-15-00_{A}.ipynb", "Blackboard", "alima", ""),
    (f"ana-lima/{A} final.ipynb", "plain", "ana-lima", ""),
    (f"ana-lima_{A} (1).ipynb", "plain", "ana-lima", ""),
])
def test_the_lms_folder_or_prefix_names_the_learner(path, lms, name, number):
    who = identify(path, A)
    assert (who.lms, who.name, who.number) == (lms, name, number)


@pytest.mark.parametrize("path", [f"{A} v2.ipynb", f"{A}_final.ipynb", "Untitled.ipynb",
                                  f"Copy of {A}.ipynb", f"{A} (1).ipynb", f"{A}_2.ipynb"])
def test_a_loose_file_whose_name_names_no_one_is_not_matched(path):
    assert identify(path, A) is None


def test_ids_are_ascii_readable_and_never_merge_two_people():
    jose = identify(f"José Álvarez-Ruiz_4007_assignsubmission_file_/{A}.ipynb", A)
    assert learner_id(jose) == "jose-alvarez-ruiz-4007"
    zoe1 = identify(f"Zoë Ortiz_4008_assignsubmission_file_/{A}.ipynb", A)
    zoe2 = identify(f"Zoé Ortiz_4009_assignsubmission_file_/{A}.ipynb", A)
    assert learner_id(zoe1) != learner_id(zoe2)
    assert learner_id(zoe1).startswith("zoe-ortiz-")
    plain1, plain2 = identify(f"Zoë Ortiz/{A}.ipynb", A), identify(f"Zoé Ortiz/{A}.ipynb", A)
    assert learner_id(plain1) == learner_id(plain2) == "zoe-ortiz"  # what collect reports
    assert learner_id(plain1, disambiguate=True) != learner_id(plain2, disambiguate=True)


def test_moodle_feedback_folder_keeps_moodles_pattern():
    assert moodle_folder("Zoë Ortiz", "4008") == "Zoë Ortiz_4008_assignsubmission_file_"
    # Moodle splits the folder name on "_": the participant id must stay the second part
    folder = moodle_folder("Ana_Lima", "12")
    assert folder.split("_", 4)[1:4] == ["12", "assignsubmission", "file"]


# -- only regular files --------------------------------------------------------------------

def test_a_folder_collect_refuses_links_pipes_and_folders_and_goes_on(tmp_path):
    src, into = tmp_path / "inbox", tmp_path / "out"
    src.mkdir()
    (src / f"ana_{A}.ipynb").write_text(NB, encoding="utf-8")
    (src / f"eve_{A}.ipynb").symlink_to(f"/proc/self/cwd/source/{A}/{A}.ipynb")
    (src / f"zero_{A}.ipynb").symlink_to("/dev/zero")
    os.mkfifo(src / f"fifo_{A}.ipynb")
    (src / f"dir_{A}.ipynb").mkdir()
    (src / "linked-folder").symlink_to(tmp_path)
    (src / "receipt.txt").write_text("from the LMS", encoding="utf-8")
    intake = bring_in(src, into)
    assert intake.copied == [f"ana_{A}.ipynb"]
    why = dict(intake.refused)
    assert set(why) == {f"eve_{A}.ipynb", f"zero_{A}.ipynb", f"fifo_{A}.ipynb",
                        f"dir_{A}.ipynb", "linked-folder"}
    assert "a link, not a file" in why[f"eve_{A}.ipynb"]
    assert "a link, not a file" in why[f"zero_{A}.ipynb"]
    assert "named pipe" in why[f"fifo_{A}.ipynb"]
    assert "folder named like a notebook" in why[f"dir_{A}.ipynb"]
    assert intake.ignored == 1
    assert sorted(p.name for p in into.rglob("*")) == [f"ana_{A}.ipynb"]


def test_a_device_node_is_refused(tmp_path):
    src = tmp_path / "inbox"
    src.mkdir()
    try:
        os.mknod(src / f"dev_{A}.ipynb", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here (needs root outside a container)")
    intake = bring_in(src, tmp_path / "out")
    assert dict(intake.refused) == {f"dev_{A}.ipynb": "a device, not a file: refused"}


def _zip_with_link(path: Path, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(info, target)


def test_a_zip_is_capped_and_its_links_and_escapes_refused(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"Ana Lima_1_assignsubmission_file_/{A}.ipynb", NB)
        zf.writestr(f"Bomb Ber_2_assignsubmission_file_/{A}.ipynb", b"\0" * (3 * MB))
        zf.writestr(f"../{A}.ipynb", NB)
        zf.writestr(f"/etc/{A}.ipynb", NB)
        zf.writestr(f"Dir Ectory_3_assignsubmission_file_/{A}.ipynb/", b"")
        for n in range(4):
            zf.writestr(f"Big Class_{10 + n}_assignsubmission_file_/{A}.ipynb",
                        b" " * (MB // 2) + NB.encode())
    _zip_with_link(archive, f"Lee Wu_4_assignsubmission_file_/{A}.ipynb",
                   f"/proc/self/cwd/source/{A}/{A}.ipynb")
    assert archive.stat().st_size < MB  # small on disk, large expanded
    intake = bring_in(archive, tmp_path / "out", IntakeLimits(file_bytes=2 * MB,
                                                              total_bytes=2 * MB))
    why = dict(intake.refused)
    assert "larger than the 2 MB" in why[f"Bomb Ber_2_assignsubmission_file_/{A}.ipynb"]
    assert "leaves the download" in why[f"../{A}.ipynb"]
    assert "leaves the download" in why[f"/etc/{A}.ipynb"]
    assert "link stored in the zip" in why[f"Lee Wu_4_assignsubmission_file_/{A}.ipynb"]
    assert "folder named like a notebook" in why[
        f"Dir Ectory_3_assignsubmission_file_/{A}.ipynb/"]
    over = [f for f, w in intake.refused if "in all" in w]
    assert len(over) == 1  # 1 small + 3 half-MB files fit in 2 MB, the fourth does not
    assert len(intake.copied) == 4
    total = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert total <= 2 * MB
    assert not (tmp_path / A).exists() and not list(tmp_path.glob("*.ipynb"))


def test_a_zip_whose_sizes_lie_is_stopped_at_the_cap(tmp_path):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"Liar Zip_5_assignsubmission_file_/{A}.ipynb", b"\0" * (3 * MB))
    data = bytearray(archive.read_bytes())
    # rewrite the declared size (local header and central directory) to 100 bytes
    size = (3 * MB).to_bytes(4, "little")
    data = data.replace(size, (100).to_bytes(4, "little"))
    archive.write_bytes(bytes(data))
    intake = bring_in(archive, tmp_path / "out", IntakeLimits(file_bytes=MB))
    assert intake.copied == []
    assert len(intake.refused) == 1
    assert not list((tmp_path / "out").rglob("*.ipynb"))


# -- route 1: inbound entries --------------------------------------------------------------

def _entry(inbound: Path, user: str, stamp: str, owner: int) -> Path:
    path = inbound / f"{user}+{A}+{stamp}+abc123"
    path.mkdir(parents=True)
    (path / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    (path / "timestamp.txt").write_text(stamp, encoding="utf-8")  # as nbgrader submit does
    for p in (path, path / f"{A}.ipynb", path / "timestamp.txt"):
        os.chown(p, owner, -1)
    return path


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to other accounts")
def test_an_inbound_entry_must_be_its_own_accounts_and_not_from_the_future(tmp_path):
    nobody, daemon = pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("daemon").pw_uid
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%d %H:%M:%S.%f UTC"
    honest = _entry(tmp_path, "nobody", now.strftime(fmt), nobody)
    assert inbound_problem(str(honest)) is None
    forged = _entry(tmp_path, "daemon", now.strftime(fmt), nobody)
    assert "another account" in inbound_problem(str(forged))
    future = _entry(tmp_path / "f", "nobody", (now + timedelta(days=3650)).strftime(fmt),
                    nobody)
    assert "in the future" in inbound_problem(str(future))
    ghost = _entry(tmp_path / "g", "no-such-learner-x", now.strftime(fmt), nobody)
    assert "no account named" in inbound_problem(str(ghost))
    planted = _entry(tmp_path / "p", "nobody", now.strftime(fmt), nobody)
    os.chown(planted / f"{A}.ipynb", daemon, -1)
    assert "written by another account" in inbound_problem(str(planted))
    link = tmp_path / "l" / f"nobody+{A}+{now.strftime(fmt)}+x"
    link.parent.mkdir()
    link.symlink_to(honest)
    assert "a link" in inbound_problem(str(link))
    assert "is not <user>" in inbound_problem(str(tmp_path / "nobody+01-check"))


def test_a_wrapper_folder_is_not_a_learner_but_a_lone_learner_folder_is(tmp_path):
    from coursekit.grading.collect import CollectReport, plan

    wrapped = tmp_path / "wrapped" / "01-check-submissions"
    for name in (f"ana-lima_{A}.ipynb", f"{A}_ben-okafor.ipynb"):
        wrapped.mkdir(parents=True, exist_ok=True)
        (wrapped / name).write_text(NB, encoding="utf-8")
    chosen = plan(tmp_path / "wrapped", A, None, CollectReport(A))
    assert sorted(chosen) == ["ana-lima", "ben-okafor"]
    lone = tmp_path / "lone" / "Ana Lima"
    lone.mkdir(parents=True)
    (lone / "my answers final.ipynb").write_text(NB, encoding="utf-8")
    assert list(plan(tmp_path / "lone", A, None, CollectReport(A))) == ["ana-lima"]
    report = CollectReport(A)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / f"ana_{A}.ipynb").write_text("{oops", encoding="utf-8")
    assert plan(tmp_path / "bad", A, None, report) == {}
    assert "not a notebook" in dict(report.refused)[f"ana_{A}.ipynb"]
