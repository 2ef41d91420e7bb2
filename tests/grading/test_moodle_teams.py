"""Moodle team assignments: a team's folder carries a group id, never a participant's.

Moodle 4.1+ names a team submission's folder ``<group name>_<group id>_assignsubmission_file``
(mod/assign/classes/downloader.php, ``get_student_prefix``; members of no group share
``Default group_assignsubmission_file``). The assignment's grading worksheet
(mod/assign/gradingtable.php) lists every participant as ``Participant <id>`` with, for a
team assignment, a ``Group`` column naming their team. Downloads and worksheets here are
built in code with those names; the group ids are chosen to equal participant ids, so a
mistake would give the team's work to a real, wrong person.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from coursekit.errors import GradingError
from coursekit.grading.collect import CollectReport, plan, read_identities, record_identities
from coursekit.grading.lms import Identity, identify
from coursekit.grading.worksheet import read_worksheet, who_is_it

from .moodle import HEADER, F, worksheet

A = "01-check"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
# participant id, full name, group; participant 17 is Kim, and Team Blue is group 17
PEOPLE = [("4005", "Eve Ng", "Team Blue"), ("4006", "Ana Lima", "Team Blue"),
          ("17", "Kim Lee", "Team Red"), ("4001", "Linh Tran", "Team Red"),
          ("4010", "Kai Berg", "Default group")]


def _worksheet(path: Path, people=PEOPLE, **kw) -> Path:
    return worksheet(path, people, **kw)


def _download(root: Path, folders: dict[str, str]) -> Path:
    """A Moodle "download all submissions", extracted: ``{folder: notebook name}``."""
    for folder, name in folders.items():
        (root / folder).mkdir(parents=True)
        (root / folder / name).write_text(NB, encoding="utf-8")
    return root


TEAMS = {f"Team Blue_17{F}": f"{A} final.ipynb", f"Team Red_18{F}": f"{A}.ipynb"}


def _plan(root: Path, **kw) -> tuple[dict, CollectReport]:
    report = CollectReport(A)
    return plan(root, A, None, report, **kw), report


def test_a_team_folder_goes_to_each_member_the_worksheet_lists(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    chosen, report = _plan(_download(tmp_path / "dl", TEAMS), worksheet=sheet)
    got = {learner: f.file.split("/")[0] for learner, f in chosen.items()}
    assert got == {"eve-ng-4005": f"Team Blue_17{F}", "ana-lima-4006": f"Team Blue_17{F}",
                   "kim-lee-17": f"Team Red_18{F}", "linh-tran-4001": f"Team Red_18{F}"}
    # participant 17 (Kim) gets her own team's work, never Team Blue's (group 17)
    assert chosen["kim-lee-17"].identity.team == "Team Red"
    assert not report.refused and not report.unmatched


def test_a_group_id_equal_to_a_participant_id_is_refused_without_the_group_column(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv", groups=False))
    assert not sheet.teams
    folders = {**TEAMS, f"Ana Lima_4006{F}": f"{A}.ipynb"}
    chosen, report = _plan(_download(tmp_path / "dl", folders), worksheet=sheet)
    assert "kim-lee-17" not in chosen and "team-blue-17" not in chosen
    assert list(chosen) == ["ana-lima-4006"]  # the one sound entry is still collected
    why = dict(report.refused)
    blue = why[f"Team Blue_17{F}/{A} final.ipynb"]
    assert "'Team Blue'" in blue and "'Kim Lee'" in blue and "--moodle-teams" in blue
    red = why[f"Team Red_18{F}/{A}.ipynb"]
    assert "participant 18" in red and "not in the worksheet ws.csv" in red


def test_without_a_worksheet_a_team_is_collected_as_a_team_and_exported_to_no_one(
        tmp_path, monkeypatch):
    from coursekit.grading import export

    chosen, _ = _plan(_download(tmp_path / "dl", TEAMS), teams=True)
    assert sorted(chosen) == ["team-blue-group-17", "team-red-group-18"]
    assert {f.identity.lms for f in chosen.values()} == {"Moodle team"}
    course = tmp_path / "course"
    record_identities(course, A, {k: f.identity for k, f in chosen.items()})
    record_identities(course, A, {"ana-lima-4006": Identity("Moodle", "Ana Lima", "4006")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "team-blue-group-17": export.Marks(9.0, 9.0), "team-red-group-18": export.Marks(3.0, 9.0),
        "ana-lima-4006": export.Marks(5.0, 9.0)})
    result = export.export_grades(course, A, "moodle", tmp_path / "m.csv")
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["Identifier"] for r in rows] == ["Participant 4006"]  # never 17 or 18
    assert result.teams == ["team-blue-group-17", "team-red-group-18"]
    text = "\n".join(result.lines())
    assert "--worksheet" in text
    assert "not checked against Moodle's grading worksheet (the participant id is read from " \
        "the folder name alone): ana-lima-4006" in text


def test_a_team_that_handed_in_no_notebook_is_named_as_a_group(tmp_path):
    root = _download(tmp_path / "dl", {f"Team Red_18{F}": f"{A}.ipynb"})
    report = CollectReport(A)
    plan(root, A, None, report, teams=True,  # (the intake leaves such files out)
         not_notebooks=[f"Team Blue_17{F}/answers.pdf"])
    assert dict(report.refused)[f"Team Blue_17{F}/answers.pdf"].startswith(
        "Team Blue (Moodle group 17) handed in no notebook")


def test_a_default_group_folder_says_the_download_is_a_teams(tmp_path):
    folders = {**TEAMS, f"Default group{F}": f"{A}.ipynb"}
    chosen, report = _plan(_download(tmp_path / "dl", folders))  # no option given
    assert sorted(chosen) == ["default-group-group", "team-blue-group-17",
                              "team-red-group-18"]
    assert any("Default group" in n and "team" in n for n in report.notes)


def test_the_default_group_goes_to_its_members_with_a_worksheet(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    chosen, _ = _plan(_download(tmp_path / "dl", {f"Default group{F}": f"{A}.ipynb"}),
                      worksheet=sheet)
    assert list(chosen) == ["kai-berg-4010"]


def test_a_team_missing_from_the_worksheet_and_two_teams_of_one_name_are_refused(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    folders = {f"Team Green_19{F}": f"{A}.ipynb", f"Team Blue_17{F}": f"{A}.ipynb",
               f"Team Blue_20{F}": f"{A}.ipynb", f"Team Red_18{F}": f"{A}.ipynb"}
    chosen, report = _plan(_download(tmp_path / "dl", folders), worksheet=sheet)
    assert sorted(chosen) == ["kim-lee-17", "linh-tran-4001"]  # Team Red alone is sure
    why = dict(report.refused)
    assert "'Team Green'" in why[f"Team Green_19{F}/{A}.ipynb"]
    assert "Team Blue, Team Red" in why[f"Team Green_19{F}/{A}.ipynb"]  # the groups it has
    assert "17, 20" in why[f"Team Blue_17{F}/{A}.ipynb"]
    assert "rename one group" in why[f"Team Blue_20{F}/{A}.ipynb"]


def test_an_individual_download_is_checked_by_number_and_name(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv", groups=False))
    folders = {f"Ana Lima_4006{F}_": f"{A}.ipynb", f"Eve Ng_4005{F}_": f"{A}.ipynb",
               f"Mallory X_4099{F}_": f"{A}.ipynb"}
    chosen, report = _plan(_download(tmp_path / "dl", folders), worksheet=sheet)
    assert sorted(chosen) == ["ana-lima-4006", "eve-ng-4005"]
    assert "participant 4099 ('Mallory X') is not in the worksheet" in dict(report.refused)[
        f"Mallory X_4099{F}_/{A}.ipynb"]


def test_the_team_option_with_an_individual_worksheet_is_refused_per_folder(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv", groups=False))
    chosen, report = _plan(_download(tmp_path / "dl", TEAMS), worksheet=sheet, teams=True)
    assert not chosen and len(report.refused) == 2
    assert all("no Group column" in why and "--group-column" in why
               for _, why in report.refused)


def test_a_worksheet_in_another_language_and_separator(tmp_path):
    header = ["Teilnehmer/in", "Vollständiger Name", "E-Mail-Adresse", "Status", "Gruppe",
              "Bewertung"]
    path = tmp_path / "ws.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(header)
        out.writerow(["Teilnehmer/in 17", "Kim Lee", "", "", "Team_Blau", ""])
    assert read_worksheet(path).teams  # "Gruppe" is Moodle's German name for the column
    sheet = read_worksheet(path, group_column="Gruppe")
    assert sheet.groups_for("Team Blau") == ["Team_Blau"]  # "_" -> " " as Moodle writes it
    assert [p.number for p in sheet.members("Team_Blau")] == ["17"]
    with pytest.raises(GradingError, match=r"no column 'Groups'.*Gruppe"):
        read_worksheet(path, group_column="Groups")
    (tmp_path / "empty.csv").write_text("Identifier,Full name\n", encoding="utf-8")
    with pytest.raises(GradingError, match=r"lists no participant.*Download grading worksheet"):
        read_worksheet(tmp_path / "empty.csv")
    with pytest.raises(GradingError, match="does not exist"):
        read_worksheet(tmp_path / "nowhere.csv")


def test_who_is_it_leaves_other_lmss_alone(tmp_path):
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    canvas = identify(f"limaana_4006_9001_{A}.ipynb", A)
    assert who_is_it(canvas, sheet, True) == ([canvas], "")


def test_export_from_the_worksheet_never_writes_a_number_that_is_someone_else(
        tmp_path, monkeypatch):
    from coursekit.grading import export

    course = tmp_path / "course"
    # collected before this fix, or without a worksheet: "Team Blue" under number 17
    record_identities(course, A, {
        "team-blue-17": Identity("Moodle", "Team Blue", "17", f"Team Blue_17{F}/"),
        "ana-lima-4006": Identity("Moodle", "Ana Lima", "4006", f"Ana Lima_4006{F}/")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "team-blue-17": export.Marks(9.0, 9.0), "ana-lima-4006": export.Marks(5.0, 9.0)})
    ws = _worksheet(tmp_path / "ws.csv", groups=False)
    result = export.export_grades(course, A, "moodle", tmp_path / "m.csv", downloaded=ws)
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        grades = {r["Identifier"]: r["Grade"] for r in csv.DictReader(f)}
    assert grades["Participant 17"] == "" and grades["Participant 4006"] == "5"
    assert result.written == {"ana-lima-4006": "5"}
    why = result.other_name["team-blue-17"]
    assert "'Team Blue'" in why and "'Kim Lee'" in why and "--worksheet" in why
    assert "not written: team-blue-17" in "\n".join(result.lines())


def test_the_feedback_zip_gives_each_member_their_own_folder(tmp_path):
    from coursekit.grading.export import moodle_feedback_zip

    course = tmp_path / "course"
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    chosen, _ = _plan(_download(tmp_path / "dl", TEAMS), worksheet=sheet)
    record_identities(course, A, {k: f.identity for k, f in chosen.items()}, checked=True)
    for learner in chosen:
        (course / "submitted" / learner / A).mkdir(parents=True)
        page = course / "feedback" / learner / A / f"{A}.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>{learner}</p>", encoding="utf-8")
    out = tmp_path / "fb.zip"
    result = moodle_feedback_zip(course, A, out)
    with zipfile.ZipFile(out) as zf:
        pages = {n.split("/")[0]: zf.read(n).decode() for n in zf.namelist()}
    assert pages == {"Ana Lima_4006_assignsubmission_file_": "<p>ana-lima-4006</p>",
                     "Eve Ng_4005_assignsubmission_file_": "<p>eve-ng-4005</p>",
                     "Kim Lee_17_assignsubmission_file_": "<p>kim-lee-17</p>",
                     "Linh Tran_4001_assignsubmission_file_": "<p>linh-tran-4001</p>"}
    assert len(result.learners) == 4
    kept = read_identities(course)["kim-lee-17"]["assignments"][A]
    assert kept["team"] == "Team Red" and kept["checked"] is True


@pytest.mark.slow
def test_collect_a_team_zip_with_the_worksheet_end_to_end(tmp_path):
    """The command, on a zip, through nbgrader's zip_collect: each member's submitted/ folder
    holds the team's notebook, and the report says whose team it was."""
    import os

    from click.testing import CliRunner

    from coursekit.cli import main

    from .factories import ASSIGNMENT, released_course, submitted_notebooks

    os.environ.setdefault("COURSEKIT_ROOT", str(Path(__file__).resolve().parents[2]))
    course, released = released_course(tmp_path)
    blue = released.replace(b'"cells"', b'"metadata_team": "blue", "cells"', 1)
    archive = tmp_path / "teams.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Team Blue_17{F}/{ASSIGNMENT} final.ipynb", blue)
        zf.writestr(f"Team Red_18{F}/{ASSIGNMENT}.ipynb", released)
        zf.writestr(f"Team Green_19{F}/{ASSIGNMENT}.ipynb", released)  # not in the sheet
    ws = _worksheet(tmp_path / "ws.csv")
    run = CliRunner().invoke(main, ["grade", "collect", ASSIGNMENT, str(archive),
                                    "--course", str(course), "--worksheet", str(ws)])
    assert run.exit_code == 0, run.output
    submitted = submitted_notebooks(course)
    assert sorted(submitted) == ["ana-lima-4006", "eve-ng-4005", "kim-lee-17",
                                 "linh-tran-4001"]
    assert submitted["ana-lima-4006"] == submitted["eve-ng-4005"] == blue
    assert submitted["kim-lee-17"] == released  # participant 17 has Team Red's, not Blue's
    assert "collected 4 learner(s)" in run.output
    assert "team: kim-lee-17: the notebook of the team 'Team Red'" in run.output
    assert f"refused: Team Green_19{F}/{ASSIGNMENT}.ipynb: no participant" in run.output
    assert read_identities(course)["eve-ng-4005"]["number"] == "4005"


def test_a_team_worksheet_refuses_learners_collected_as_participants(tmp_path, monkeypatch):
    from coursekit.grading import export

    course = tmp_path / "course"
    sheet = read_worksheet(_worksheet(tmp_path / "ws.csv"))
    chosen, _ = _plan(_download(tmp_path / "dl", {f"Team Red_18{F}": f"{A}.ipynb"}),
                      worksheet=sheet)
    record_identities(course, A, {k: f.identity for k, f in chosen.items()}, checked=True)
    # a team folder whose name matched participant 4005's by chance, read without teams
    record_identities(course, A, {"eve-ng-4005": Identity("Moodle", "Eve Ng", "4005",
                                                          f"Eve Ng_4005{F}/")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "kim-lee-17": export.Marks(6.0, 9.0), "linh-tran-4001": export.Marks(6.0, 9.0),
        "eve-ng-4005": export.Marks(2.0, 9.0)})
    result = export.export_grades(course, A, "moodle", tmp_path / "m.csv",
                                  downloaded=tmp_path / "ws.csv")
    assert result.written == {"kim-lee-17": "6", "linh-tran-4001": "6"}  # the whole team
    assert "Group column" in result.other_name["eve-ng-4005"]
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        grades = {r["Identifier"]: r["Grade"] for r in csv.DictReader(f)}
    assert grades == {"Participant 4005": "", "Participant 4006": "", "Participant 17": "6",
                      "Participant 4001": "6", "Participant 4010": ""}


def test_a_blind_marking_team_worksheet_names_members_by_participant_id(tmp_path):
    # blind marking: Moodle leaves the names out of the worksheet (no "Full name" column)
    path = _worksheet(tmp_path / "ws.csv", header=[h for h in HEADER if h != "Full name"])
    sheet = read_worksheet(path)
    assert {p.name for p in sheet.participants.values()} == {""}
    chosen, _ = _plan(_download(tmp_path / "dl", TEAMS), worksheet=sheet)
    assert sorted(chosen) == ["participant-17", "participant-4001", "participant-4005",
                              "participant-4006"]
    assert chosen["participant-4006"].identity.number == "4006"
