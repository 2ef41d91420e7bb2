"""Attacks on Moodle team collection: worksheets and downloads as real teachers get them.

Folder names follow mod/assign/classes/downloader.php (``get_student_prefix``: a team's
prefix is its group name with ``_`` turned into spaces, then ``clean_filename``, then
``_<group id>``; members of no group share ``Default group``). The worksheet's Group
column is gradingtable.php's ``col_team``: the group's name as typed in Moodle,
``Default group`` for a learner in no group *or in more than one group* (then
``get_submission_group`` finds no single group). Each test says which promise it holds:
a grade reaches only the learners whose team earned it, and one bad entry never stops
the rest.
"""

from __future__ import annotations

import codecs
import csv
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest

from coursekit.errors import GradingError
from coursekit.grading.collect import CollectReport, plan
from coursekit.grading.worksheet import read_worksheet

from .moodle import HEADER, F, worksheet

A = "01-check"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _download(root: Path, folders) -> Path:
    for folder in folders:
        (root / folder).mkdir(parents=True)
        (root / folder / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    return root


def _plan(tmp_path: Path, people, folders, **kw):
    sheet = read_worksheet(worksheet(tmp_path / "ws.csv", people))
    report = CollectReport(A)
    chosen = plan(_download(tmp_path / "dl", folders), A, None, report, worksheet=sheet, **kw)
    return chosen, report


@pytest.mark.parametrize(("theirs", "other"), [
    ("Team-1", "Team 1"),  # Moodle keeps both; their letters and digits are the same
    ("team blue", "Team Blue"),
    ("Team 17 3", "Team_17-3"),
    ("Tom & Jerry", "Tom Jerry"),
])
def test_a_group_named_almost_like_the_submitting_one_gets_nothing(tmp_path, theirs, other):
    """Only ``theirs`` handed in; ``other`` is another Moodle group of the same course whose
    name reads alike once punctuation and case are set aside."""
    people = [("4005", "Eve Ng", theirs), ("4006", "Ana Lima", theirs),
              ("17", "Kim Lee", other), ("4001", "Linh Tran", other)]
    folder = theirs.replace("_", " ").replace("&", "")  # as clean_filename writes it
    chosen, report = _plan(tmp_path, people, [f"{folder}_18{F}"])
    assert sorted(chosen) == ["ana-lima-4006", "eve-ng-4005"] and not report.refused


def test_two_worksheet_groups_with_one_folder_name_are_refused_not_shared(tmp_path):
    """``Team_17_3`` and ``Team 17 3`` both become the folder ``Team 17 3_<id>``: the
    folder cannot say which group handed it in, so no one gets it, and the rest go on."""
    people = [("4005", "Eve Ng", "Team_17_3"), ("17", "Kim Lee", "Team 17 3"),
              ("4001", "Linh Tran", "Team Red")]
    chosen, report = _plan(tmp_path, people, [f"Team 17 3_42{F}", f"Team Red_43{F}"])
    assert sorted(chosen) == ["linh-tran-4001"]
    why = dict(report.refused)[f"Team 17 3_42{F}/{A}.ipynb"]
    assert "'Team_17_3'" in why and "'Team 17 3'" in why and "rename" in why


def test_underscores_and_digits_in_a_group_name_never_read_as_a_group_id(tmp_path):
    people = [("4005", "Eve Ng", "Team_17_3"), ("17", "Kim Lee", "Team 3"),
              ("3", "Bo Chen", "Team 17")]
    chosen, report = _plan(tmp_path, people, [f"Team 17 3_42{F}"])
    assert sorted(chosen) == ["eve-ng-4005"] and not report.refused


def test_a_real_group_called_default_group_is_refused_not_given_to_the_groupless(tmp_path):
    """A teacher named a group "Default group" (id 5). Its folder is
    ``Default group_5_...``; the worksheet writes "Default group" both for its members and
    for every learner in no group, so nothing tells them apart."""
    people = [("4005", "Eve Ng", "Default group"), ("4006", "Ana Lima", "Default group"),
              ("4010", "Kai Berg", "Team Red")]
    chosen, report = _plan(tmp_path, people, [f"Default group_5{F}", f"Team Red_6{F}"])
    assert sorted(chosen) == ["kai-berg-4010"]
    why = dict(report.refused)[f"Default group_5{F}/{A}.ipynb"]
    assert "Default group" in why and "rename" in why


def test_a_learner_in_two_groups_gets_neither_groups_grade(tmp_path):
    """Moodle lists a learner in two groups under "Default group" (no single submission
    group): Team Blue's notebook is not theirs, whatever the teacher remembers."""
    people = [("4005", "Eve Ng", "Team Blue"), ("4007", "Sam Roy", "Default group")]
    chosen, _ = _plan(tmp_path, people, [f"Team Blue_17{F}"])
    assert sorted(chosen) == ["eve-ng-4005"]


def test_a_participant_listed_twice_with_different_rows_is_refused_alone(tmp_path):
    """A worksheet edited by hand (or two pasted together) lists Participant 4006 as Ana in
    Team Blue and as Eve in Team Red: neither row can be trusted, the others still are."""
    people = [("4006", "Ana Lima", "Team Blue"), ("4005", "Eve Ng", "Team Blue"),
              ("4006", "Eve Ng", "Team Red"), ("4001", "Linh Tran", "Team Red")]
    chosen, report = _plan(tmp_path, people, [f"Team Blue_17{F}", f"Team Red_18{F}"])
    assert sorted(chosen) == ["eve-ng-4005", "linh-tran-4001"]
    note = next(n for n in report.notes if "4006" in n)
    assert "twice" in note and "'Ana Lima' in 'Team Blue'" in note and "'Eve Ng'" in note


def test_a_participant_listed_twice_in_an_individual_worksheet_is_refused(tmp_path):
    header = [h for h in HEADER if h != "Group"]
    sheet = read_worksheet(worksheet(tmp_path / "ws.csv", [
        ("4006", "Ana Lima", ""), ("4006", "Eve Ng", ""), ("4001", "Linh Tran", "")],
        header=header))
    report = CollectReport(A)
    chosen = plan(_download(tmp_path / "dl", [f"Eve Ng_4006{F}", f"Linh Tran_4001{F}"]),
                  A, None, report, worksheet=sheet)
    assert sorted(chosen) == ["linh-tran-4001"]
    assert "twice" in dict(report.refused)[f"Eve Ng_4006{F}/{A}.ipynb"]


def test_an_identical_row_repeated_is_harmless(tmp_path):
    people = [("4006", "Ana Lima", "Team Blue"), ("4006", "Ana Lima", "Team Blue")]
    chosen, report = _plan(tmp_path, people, [f"Team Blue_17{F}"])
    assert sorted(chosen) == ["ana-lima-4006"] and not report.refused


def test_names_with_commas_emoji_rtl_and_nfd_in_a_bom_semicolonworksheet(tmp_path):
    nfd = unicodedata.normalize("NFD", "Zoë Ortiz")
    people = [("4005", "Lima, Ana", "Équipe Été"), ("4006", "محمد علي", "Équipe Été"),
              ("4007", nfd, "Équipe Été"), ("4008", "🌈 Sky", "Team;Red"),
              ("4009", "Zoé Ortiz", "Team;Red")]
    path = worksheet(tmp_path / "ws.csv", people, delimiter=";", bom=True)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    sheet = read_worksheet(path)
    assert sheet.participants["4005"].name == "Lima, Ana"
    assert sheet.participants["4008"].group == "Team;Red"
    report = CollectReport(A)
    # a Mac's unzip writes the folder decomposed (NFD)
    folders = [unicodedata.normalize("NFD", f"Équipe Été_21{F}"), f"Team;Red_22{F}"]
    chosen = plan(_download(tmp_path / "dl", folders), A, None, report, worksheet=sheet)
    assert sorted(chosen) == ["lima-ana-4005", "mhmd-ly-4006", "rainbow-sky-4008",
                              "zoe-ortiz-4007", "zoe-ortiz-4009"]
    assert chosen["zoe-ortiz-4007"].identity.team != chosen["zoe-ortiz-4009"].identity.team
    assert not report.refused


@pytest.mark.parametrize(("content", "says"), [
    (b"", "lists no participant"),
    (codecs.BOM_UTF8 + ",".join(HEADER).encode() + b"\r\n", "lists no participant"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, ".xlsx"),
    ("Identifier;Full name\r\nParticipant 1;Jos\xe9\r\n".encode("cp1252"), "CSV UTF-8"),
])
def test_a_worksheet_that_is_empty_or_not_a_csv_is_refused_with_the_fix(tmp_path, content,
                                                                         says):
    path = tmp_path / "grades.csv"
    path.write_bytes(content)
    with pytest.raises(GradingError) as err:
        read_worksheet(path)
    assert says in str(err.value) and "Download grading worksheet" in str(err.value)


def test_an_xlsx_named_as_such_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "Grades-01-check.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(GradingError, match=r"\.xlsx.*CSV"):
        read_worksheet(path)


def test_a_worksheet_of_another_team_assignment_with_other_groups_is_refused_per_folder(
        tmp_path):
    people = [("4005", "Eve Ng", "Pair 1"), ("4006", "Ana Lima", "Pair 2")]
    chosen, report = _plan(tmp_path, people, [f"Team Blue_17{F}", f"Pair 1_30{F}"])
    assert sorted(chosen) == ["eve-ng-4005"]
    assert "Pair 1, Pair 2" in dict(report.refused)[f"Team Blue_17{F}/{A}.ipynb"]


def test_a_group_named_like_a_participant_folder(tmp_path):
    """A group called "Ana Lima_4006" (id 99): Moodle writes ``Ana Lima 4006_99_...``, so
    the folder is the group's, and participant 4006 gets only what her own group earned."""
    people = [("4006", "Ana Lima", "Team Red"), ("4005", "Eve Ng", "Ana Lima_4006")]
    chosen, report = _plan(tmp_path, people, [f"Ana Lima 4006_99{F}"])
    assert sorted(chosen) == ["eve-ng-4005"] and not report.refused


GERMAN_BLIND = ["Teilnehmer/in", "Status", "Gruppe", "Bewertung", "Höchstbewertung",
                "Bewertung kann geändert werden", "Zuletzt geändert (Abgabe)"]


@pytest.mark.parametrize("groups", [False, True])
def test_a_blind_marking_worksheet_in_german_never_takes_the_status_for_a_name(tmp_path,
                                                                               groups):
    """Blind marking leaves out the name (and e-mail) columns; in German the header has no
    'Identifier' or 'Full name' to go by, and the column after the id is the Status."""
    header = GERMAN_BLIND if groups else [h for h in GERMAN_BLIND if h != "Gruppe"]
    path = tmp_path / "ws.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(header)
        for number in ("4005", "4006"):
            row = {"Teilnehmer/in": f"Teilnehmer/in {number}", "Gruppe": "Team Blau",
                   "Status": "Zur Bewertung abgegeben", "Höchstbewertung": "9,00"}
            out.writerow([row.get(h, "") for h in header])
    sheet = read_worksheet(path)
    assert {p.name for p in sheet.participants.values()} == {""}
    report = CollectReport(A)
    # a blind download names each folder "Teilnehmer/in" (clean_filename drops the "/")
    folders = [f"Team Blau_17{F}"] if groups else [f"Teilnehmerin_4005{F}",
                                                    f"Teilnehmerin_4006{F}"]
    chosen = plan(_download(tmp_path / "dl", folders), A, None, report, worksheet=sheet)
    assert not report.refused
    assert sorted(f.identity.number for f in chosen.values()) == ["4005", "4006"]
    assert not any("bewertung" in learner for learner in chosen)


def test_collect_a_hostile_team_zip_end_to_end(tmp_path):
    """The command on a real zip and a worksheet saved with a BOM and ';': only the groups
    Moodle names exactly get their notebook, every refusal has its line, the run ends
    with exit 0; an .xlsx worksheet is one 'Error:' line, no traceback."""
    import os

    from click.testing import CliRunner

    from coursekit.cli import main

    from .factories import ASSIGNMENT, released_course, submitted_notebooks

    os.environ.setdefault("COURSEKIT_ROOT", str(Path(__file__).resolve().parents[2]))
    course, released = released_course(tmp_path)
    mine = released.replace(b'"cells"', b'"metadata_team": "dash", "cells"', 1)
    archive = tmp_path / "teams.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Team-1_18{F}/{ASSIGNMENT} final.ipynb", mine)
        zf.writestr(f"Team 17 3_42{F}/{ASSIGNMENT}.ipynb", released)
        zf.writestr(f"Default group_5{F}/{ASSIGNMENT}.ipynb", released)
        zf.writestr(f"Team Red_6{F}/Copy of {ASSIGNMENT}.ipynb", released)
    people = [("4005", "Eve Ng", "Team-1"), ("4006", "Ana Lima", "Team 1"),
              ("17", "Kim Lee", "Team_17_3"), ("18", "Bo Chen", "Team 17 3"),
              ("4010", "Kai Berg", "Default group"), ("4001", "Linh Tran", "Team Red"),
              ("4002", "Sam Roy", "Team Red"), ("4002", "Sam Roy", "Team-1")]
    ws = worksheet(tmp_path / "ws.csv", people, delimiter=";", bom=True)
    run = CliRunner().invoke(main, ["grade", "collect", ASSIGNMENT, str(archive),
                                    "--course", str(course), "--worksheet", str(ws)])
    assert run.exit_code == 0, run.output
    submitted = submitted_notebooks(course)
    assert sorted(submitted) == ["eve-ng-4005", "linh-tran-4001"]
    assert submitted["eve-ng-4005"] == mine and submitted["linh-tran-4001"] == released
    out = run.output
    assert f"refused: Team 17 3_42{F}/{ASSIGNMENT}.ipynb: the folder" in out
    assert f"refused: Default group_5{F}/{ASSIGNMENT}.ipynb: a Moodle group is called" in out
    assert "participant 4002 is listed twice" in out
    xlsx = tmp_path / "ws.xlsx"
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    run = CliRunner().invoke(main, ["grade", "collect", ASSIGNMENT, str(archive),
                                    "--course", str(course), "--worksheet", str(xlsx)])
    assert run.exit_code == 1 and run.exception.__class__ is SystemExit
    assert "Error: worksheet" in run.output and "CSV UTF-8" in run.output


def test_a_worksheet_with_its_columns_moved_never_reads_a_grade_as_an_id(tmp_path,
                                                                          monkeypatch):
    """A German worksheet whose grade column was moved first in a spreadsheet: Eve's old
    grade "7.50" must not be read as participant 50, or Bo's mark lands in Eve's row."""
    from coursekit.grading import export
    from coursekit.grading.collect import record_identities
    from coursekit.grading.lms import Identity

    header = ["Bewertung", "Teilnehmer/in", "Vollständiger Name", "Status"]
    path = tmp_path / "ws.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(header)
        out.writerow(["7.50", "Teilnehmer/in 4005", "Eve Ng", "Abgegeben"])
        out.writerow(["", "Teilnehmer/in 50", "Bo Chen", "Abgegeben"])
    sheet = read_worksheet(path)
    assert {n: p.name for n, p in sheet.participants.items()} == {"4005": "Eve Ng",
                                                                  "50": "Bo Chen"}
    course = tmp_path / "course"
    record_identities(course, A, {"bo-chen-50": Identity("Moodle", "Bo Chen", "50"),
                                  "eve-ng-4005": Identity("Moodle", "Eve Ng", "4005")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "bo-chen-50": export.Marks(9.0, 9.0), "eve-ng-4005": export.Marks(2.0, 9.0)})
    export.export_grades(course, A, "moodle", tmp_path / "m.csv", downloaded=path,
                         column="Bewertung")
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=csv_sniff(tmp_path / "m.csv")))
    grades = {r[1]: r[0] for r in rows[1:]}
    assert float(grades["Teilnehmer/in 4005"].replace(",", ".")) == 2.0
    assert float(grades["Teilnehmer/in 50"].replace(",", ".")) == 9.0


def csv_sniff(path: Path) -> str:
    from coursekit.grading.worksheet import csv_delimiter

    return csv_delimiter(path.read_text(encoding="utf-8-sig"))
