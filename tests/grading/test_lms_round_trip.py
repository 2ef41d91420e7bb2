"""The LMS round trip on real files: a Moodle download (plus Canvas files) with renamed
notebooks, "final", "Copy of", a file claiming another learner, accents that collide, a
partial mapping, links, a FIFO and a zip bomb -> collect -> autograde -> marks as Moodle's
worksheet and Canvas's gradebook -> feedback zipped for Moodle -> collect again.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import shutil
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit.cli import main
from coursekit.grading.cohort import GRADED, autograde_cohort
from coursekit.grading.collect import IntakeLimits, collect, read_identities
from coursekit.grading.export import CANVAS_COLUMNS, MOODLE_COLUMNS
from coursekit.questionbank import load_bank

from .factories import ASSIGNMENT, make_course, nbgrader, right_answers, submission, wrong_answer

pytestmark = pytest.mark.slow
A = ASSIGNMENT
MB = 1024 ** 2
M = "_assignsubmission_file_"

# (folder or prefix in the download, file name, how many questions right, saved minutes ago)
FILES = [
    (f"Linh Tran_4001{M}/", f"{A} (Linh) final.ipynb", 7, 5),
    (f"Ravi Shah_4002{M}/", f"Copy of {A}.ipynb", 1, 5),
    (f"Mia Park_4003{M}/", f"{A} final.ipynb", 2, 5),  # the same file name as Noor's
    (f"Noor Ali_4004{M}/", f"{A} final.ipynb", 3, 5),
    (f"Eve Ng_4005{M}/", f"Ana Lima_{A}.ipynb", 0, 5),  # names Ana inside Eve's folder
    (f"Ana Lima_4006{M}/", f"{A}.ipynb", 7, 5),
    (f"José Álvarez-Ruiz_4007{M}/", f"{A} v2.ipynb", 4, 5),
    (f"Zoë Ortiz_4008{M}/", f"{A}.ipynb", 5, 5),  # reads alike in ASCII
    (f"Zoé Ortiz_4009{M}/", f"{A}.ipynb", 6, 5),
    (f"Kai Berg_4010{M}/", f"{A}.ipynb", 0, 60),  # two notebooks: the later one counts
    (f"Kai Berg_4010{M}/", f"{A} (1).ipynb", 6, 5),
    (f"Sam Roe_4011{M}", f"{A}_final.ipynb", 3, 5),  # a flat Moodle name
    ("okaforuche_LATE_7001_9001_", f"{A}-1.ipynb", 2, 5),  # Canvas
]
# the learner ids the LMS names give (Linh is renamed by the one-row mapping)
IDS = ["linh", "ravi-shah-4002", "mia-park-4003", "noor-ali-4004", "eve-ng-4005",
       "ana-lima-4006", "jose-alvarez-ruiz-4007", "zoe-ortiz-4008", "zoe-ortiz-4009",
       "kai-berg-4010", "kai-berg-4010", "sam-roe-4011", "okaforuche-7001"]


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    tmp = tmp_path_factory.mktemp("lms")
    bank = load_bank("00")
    course = make_course(tmp)
    nbgrader(course, "generate_assignment", A, "--force")
    qs, right = bank.choice_questions, right_answers(bank)
    archive = tmp / "moodle-download.zip"
    expected: dict[str, float] = {}
    now = time.time()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for (where, name, k, age), learner in zip(FILES, IDS, strict=True):
            answers = {q.id: (right[q.id] if i < k else wrong_answer(q))
                       for i, q in enumerate(qs)}
            path = _learner_file(course, tmp / "scratch" / f"{learner}-{k}", answers)
            info = zipfile.ZipInfo(where + name, time.localtime(now - age * 60)[:6])
            zf.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
            expected[learner] = float(sum(q.points for q in qs[:k]))
        # hostile and broken entries, each refused in one line
        zf.writestr(f"Bomb Ber_4012{M}/{A}.ipynb", b" " * (3 * MB))
        zf.writestr(f"Broken Json_4013{M}/{A}.ipynb", "{not a notebook")
        link = zipfile.ZipInfo(f"Lee Wu_4014{M}/{A}.ipynb")
        link.external_attr = (0o120777) << 16
        zf.writestr(link, f"/proc/self/cwd/source/{A}/{A}.ipynb")
        zf.writestr(f"../{A}.ipynb", "{}")
        zf.writestr("Untitled.ipynb", '{"cells": [], "metadata": {}, "nbformat": 4}')
        zf.writestr(f"Ravi Shah_4002{M}/notes.txt", "not a notebook, left out")
    mapping = tmp / "one-row.csv"
    mapping.write_text("in_file_name,learner_id\nLinh Tran,linh\n", encoding="utf-8")
    report = collect(course, A, archive, mapping=mapping,
                     limits=IntakeLimits(file_bytes=2 * MB))
    outcomes = {o.student: o for o in autograde_cohort(course, A, workers=2)}
    return course, expected, report, outcomes, tmp


def _learner_file(course: Path, scratch: Path, answers: dict) -> Path:
    (scratch / "release").mkdir(parents=True, exist_ok=True)
    if not (scratch / "release" / A).exists():
        shutil.copytree(course / "release" / A, scratch / "release" / A)
    return submission(scratch, "x", answers)


def test_every_learner_is_collected_under_their_own_lms_identity(trip):
    course, expected, report, _, _ = trip
    assert sorted(report.collected) == sorted(expected)
    assert len(expected) == 12  # 13 files, Kai's two are one learner
    for learner in expected:
        assert (course / "submitted" / learner / A / f"{A}.ipynb").is_file()
    assert report.collected["eve-ng-4005"].endswith(f"Ana Lima_{A}.ipynb")
    assert report.collected["ana-lima-4006"] == f"Ana Lima_4006{M}/{A}.ipynb"
    assert report.names["zoe-ortiz-4008"] == "Zoë Ortiz"
    assert report.names["jose-alvarez-ruiz-4007"] == "José Álvarez-Ruiz"
    assert report.duplicates == {"kai-berg-4010": [f"Kai Berg_4010{M}/{A} (1).ipynb",
                                                   f"Kai Berg_4010{M}/{A}.ipynb"]}
    people = read_identities(course)
    assert people["linh"] == {"lms": "Moodle", "name": "Linh Tran", "number": "4001",
                              "assignments": {A: {"source": f"Linh Tran_4001{M}/",
                                                  "late": False}}}
    assert people["okaforuche-7001"]["lms"] == "Canvas"
    assert people["okaforuche-7001"]["assignments"][A]["late"] is True


def test_each_refusal_has_its_sentence(trip):
    _, _, report, _, _ = trip
    why = dict(report.refused)
    assert "larger than the 2 MB" in why[f"Bomb Ber_4012{M}/{A}.ipynb"]
    assert "not a notebook" in why[f"Broken Json_4013{M}/{A}.ipynb"]
    assert "link stored in the zip" in why[f"Lee Wu_4014{M}/{A}.ipynb"]
    assert "leaves the download" in why[f"../{A}.ipynb"]
    assert dict(report.unmatched).keys() == {"Untitled.ipynb"}
    text = "\n".join(report.lines())
    for file in why:
        assert f"refused: {file}: " in text
    assert "several notebooks: kai-berg-4010 (Kai Berg) handed in 2" in text
    assert "not matched: Untitled.ipynb" in text
    assert "1 file(s) that are not notebooks were left out" in text


def test_every_learner_gets_exactly_their_own_score(trip):
    _, expected, _, outcomes, _ = trip
    got = {s: (o.status, o.score) for s, o in outcomes.items()}
    assert got == {s: (GRADED, score) for s, score in expected.items()}
    assert expected["ana-lima-4006"] > expected["eve-ng-4005"] == 0


def test_marks_go_back_as_moodles_worksheet(trip):
    course, expected, _, _, tmp = trip
    out = tmp / "moodle.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--out", str(out)])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == MOODLE_COLUMNS
    grades = {r["Identifier"]: (r["Full name"], float(r["Grade"])) for r in rows}
    assert grades["Participant 4001"] == ("Linh Tran", expected["linh"])
    assert grades["Participant 4008"] == ("Zoë Ortiz", expected["zoe-ortiz-4008"])
    assert grades["Participant 4009"] == ("Zoé Ortiz", expected["zoe-ortiz-4009"])
    assert len(grades) == 11  # every Moodle learner; the Canvas one is named apart
    assert "okaforuche-7001" in run.output and "written answers still to mark" in run.output
    # filling the worksheet Moodle downloaded keeps its rows and columns
    sheet = tmp / "worksheet.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(MOODLE_COLUMNS)
        w.writerow(["Participant 4006", "Ana Lima", "ana@example.org", "Submitted", "", "9.00",
                    "Yes", "Monday", "-", ""])
        w.writerow(["Participant 4999", "Did Not Submit", "dns@example.org", "No submission",
                    "", "9.00", "Yes", "-", "-", ""])
    out2 = tmp / "moodle-filled.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--from", str(sheet), "--out", str(out2)])
    assert run.exit_code == 0, run.output
    with out2.open(encoding="utf-8", newline="") as f:
        filled = list(csv.DictReader(f))
    assert [r["Identifier"] for r in filled] == ["Participant 4006", "Participant 4999"]
    assert float(filled[0]["Grade"]) == expected["ana-lima-4006"]
    assert filled[0]["Email address"] == "ana@example.org" and filled[1]["Grade"] == ""
    assert "no row in the LMS's file" in run.output and "linh" in run.output


def test_marks_go_back_as_canvas_gradebook(trip):
    course, expected, _, _, tmp = trip
    book = tmp / "canvas-export.csv"
    with book.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([*CANVAS_COLUMNS, f"{A} (55501)", "Other (55502)"])
        w.writerow(["    Points Possible", "", "", "", "", "9", "5"])
        w.writerow(["Okafor, Uche", "7001", "S7001", "uokafor", "Group A", "", "4"])
    out = tmp / "canvas.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "canvas", "--course",
                                    str(course), "--from", str(book), "--out", str(out)])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:5] == list(CANVAS_COLUMNS)
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "9"
    assert float(rows[2][5]) == expected["okaforuche-7001"] and rows[2][6] == "4"
    fresh = tmp / "canvas-new.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "canvas", "--course",
                                    str(course), "--column", f"{A} (55501)", "--out",
                                    str(fresh)])
    assert run.exit_code == 0, run.output
    with fresh.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [*CANVAS_COLUMNS, f"{A} (55501)"]
    assert [(r["ID"], float(r[f"{A} (55501)"])) for r in rows] == [
        ("7001", expected["okaforuche-7001"])]


def test_feedback_zip_follows_moodles_folder_pattern(trip):
    course, _, _, _, tmp = trip
    run = CliRunner().invoke(main, ["grade", "feedback", A, "--course", str(course),
                                    "--out", str(tmp / "hand-back")])
    assert run.exit_code == 0, run.output
    out = tmp / "feedback.zip"
    run = CliRunner().invoke(main, ["grade", "feedback-zip", A, "--course", str(course),
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        page = zf.read(f"Ana Lima_4006{M}/{A}-feedback.html").decode("utf-8")
    # Moodle's importer: first path part split on "_" -> name, participant id, plugin type,
    # plugin name, the rest (mod/assign/feedback/file/importziplib.php)
    pattern = re.compile(r"^[^_/]+_(\d+)_assignsubmission_file_/[^/]+\.html$")
    numbers = sorted(int(pattern.match(n).group(1)) for n in names)
    assert numbers == list(range(4001, 4012))  # every Moodle learner once, Kai once
    assert f"Zoë Ortiz_4008{M}/{A}-feedback.html" in names
    assert "okaforuche-7001" in run.output  # Canvas: not in the Moodle zip, and said so
    assert page == (course / "feedback" / "ana-lima-4006" / A / f"{A}.html").read_text(
        encoding="utf-8")  # Ana's own page in Ana's folder


def test_collecting_again_says_what_it_replaced(trip):
    course, _, _, _, tmp = trip
    again = tmp / "again.zip"
    src = course / "submitted" / "zoe-ortiz-4008" / A / f"{A}.ipynb"
    changed = json.loads(src.read_text(encoding="utf-8"))
    changed["metadata"]["handed-in"] = "again"
    with zipfile.ZipFile(again, "w") as zf:
        zf.writestr(f"Zoë Ortiz_4008{M}/{A} resubmitted.ipynb", json.dumps(changed))
        zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb",
                    (course / "submitted" / "ana-lima-4006" / A / f"{A}.ipynb").read_bytes())
    report = collect(course, A, again)
    assert sorted(report.collected) == ["ana-lima-4006", "zoe-ortiz-4008"]
    assert list(report.replaced) == ["zoe-ortiz-4008"]  # Ana's file is the same
    assert "linh" in report.earlier and "eve-ng-4005" in report.earlier
    text = "\n".join(report.lines())
    assert "replaced: zoe-ortiz-4008's earlier submission" in text
    assert "kept from an earlier collect" in text


def test_plain_folders_that_read_alike_are_kept_apart_and_reported(trip, tmp_path):
    course = trip[0]
    src = course / "submitted" / "zoe-ortiz-4008" / A / f"{A}.ipynb"
    inbox = tmp_path / "inbox"
    for name in ("Zoë Ortiz", "Zoé Ortiz"):
        (inbox / name).mkdir(parents=True)
        shutil.copy(src, inbox / name / f"{A} final.ipynb")
    report = collect(course, A, inbox)
    assert len(report.collected) == 2
    assert all(re.fullmatch(r"zoe-ortiz-[0-9a-f]{6}", s) for s in report.collected)
    assert len(report.clashes) == 1
    assert "'Zoë Ortiz' (from Zoë Ortiz/)" in report.clashes[0]
    assert "'Zoé Ortiz' (from Zoé Ortiz/)" in report.clashes[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give files to other accounts")
def test_nbgrader_collect_takes_only_each_accounts_own_entries(trip, tmp_path):
    course = trip[0]
    root = tmp_path / "exchange"
    inbound = root / "coursekit" / "inbound"
    inbound.mkdir(parents=True)
    src = course / "submitted" / "ana-lima-4006" / A / f"{A}.ipynb"
    uid = {u: pwd.getpwnam(u).pw_uid for u in ("nobody", "daemon")}
    fmt = "%Y-%m-%d %H:%M:%S.%f UTC"
    now = datetime.now(timezone.utc)

    def entry(user, when, owner, tag):
        folder = inbound / f"{user}+{A}+{when.strftime(fmt)}+{tag}"
        folder.mkdir()
        nb = json.loads(src.read_text(encoding="utf-8"))
        nb["metadata"]["entry"] = tag
        (folder / f"{A}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        (folder / "timestamp.txt").write_text(when.strftime(fmt), encoding="utf-8")
        for p in (folder, folder / f"{A}.ipynb", folder / "timestamp.txt"):
            os.chown(p, uid[owner], -1)

    # (times a few minutes back: an entry whose files changed long after its time is refused)
    entry("nobody", now - timedelta(minutes=3), "nobody", "honest")
    entry("nobody", now - timedelta(minutes=1), "daemon", "forged")  # daemon, in nobody's name
    entry("nobody", now + timedelta(days=3650), "nobody", "future")
    entry("daemon", now - timedelta(minutes=5), "daemon", "daemons-own")
    done = nbgrader(course, "collect", A, f"--Exchange.root={root}",
                    "--CourseDirectory.course_id=coursekit")
    log = done.stdout + done.stderr
    for user, tag in (("nobody", "honest"), ("daemon", "daemons-own")):
        got = json.loads((course / "submitted" / user / A / f"{A}.ipynb").read_text(
            encoding="utf-8"))
        assert got["metadata"]["entry"] == tag
    assert log.count("Not collected:") == 2
    assert "forged" in log and "handed in by another account" in log
    assert "future" in log and "is in the future" in log


def test_written_answers_are_counted_and_summarised(trip):
    from io import StringIO

    from nbgrader.api import Gradebook
    from rich.console import Console

    from coursekit.cli.grading import _written_awaiting
    from coursekit.grading.cohort import render_table
    from coursekit.grading.summary import MIN_GROUP, class_summary

    course, expected, _, outcomes, _ = trip
    written = _written_awaiting(course, A)
    assert {s: written[s] for s in expected} == {s: 1 for s in expected}
    shown = StringIO()
    Console(file=shown, width=200).print(render_table(list(outcomes.values()),
                                                      written=written))
    assert "written to mark" in shown.getvalue()
    run = CliRunner().invoke(main, ["grade", "summary", A, "--course", str(course), "--out",
                                    str(course / "s.png")])
    assert run.exit_code == 0, run.output
    assert f"written; 0 marked, {len(written)} awaiting marking; marks hidden" in run.output
    # mark five answers: the spread shows, still naming no one
    marked = sorted(expected)[:MIN_GROUP]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for n, learner in enumerate(marked):
            grade = gb.find_grade("answer-why-not-therapy", A, A, learner)
            grade.manual_score = float(n % 3)  # 0, 1, 2, 0, 1 of 2 points
            grade.needs_manual_grade = False  # as the Formgrader's save does
            gb.db.commit()
    q = class_summary(course, A).written[0]
    assert (q.marked, q.unmarked) == (MIN_GROUP, len(written) - MIN_GROUP)
    assert q.spread == (0.0, 0.5, 1.0)
    assert _written_awaiting(course, A)[marked[0]] == 0


def test_a_fresh_moodle_worksheet_is_dated_and_blanks_no_comments(trip):
    # Moodle's importer skips a row whose grade Moodle changed after "Last modified
    # (grade)" (an empty date is 1970: every learner with a grade) and writes every feedback
    # column it finds, an empty one too (mod/assign/feedback/offline/locallib.php)
    course, _, _, _, tmp = trip
    out = tmp / "moodle-fresh.csv"
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--out", str(out)])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(rows[0])
    assert not [c for c in rows[0] if "feedback" in c.lower() or "comment" in c.lower()]
    for row in rows:
        assert datetime.fromisoformat(row["Last modified (grade)"]) >= before


def test_a_moodle_worksheet_in_another_language_is_filled(trip):
    # a German Moodle: "Kennung" holds "Teilnehmer/in 4006", the grade column is "Bewertung"
    course, expected, _, _, tmp = trip
    sheet = tmp / "bewertungstabelle.csv"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Kennung", "Vollständiger Name", "E-Mail-Adresse", "Status", "Bewertung",
                    "Bestwertung", "Bewertung kann geändert werden",
                    "Zuletzt geändert (Abgabe)", "Zuletzt geändert (Bewertung)",
                    "Feedback als Kommentar"])
        w.writerow(["Teilnehmer/in 4006", "Ana Lima", "ana@example.org", "Abgegeben", "",
                    "9,00", "Ja", "-", "-", "Gut gemacht"])
        w.writerow(["Teilnehmer/in 4002", "Ravi Shah", "ravi@example.org", "Abgegeben", "",
                    "9,00", "Ja", "-", "-", ""])
    out = tmp / "moodle-de.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--from", str(sheet), "--out", str(out)])
    assert run.exit_code == 1 and "--column" in run.output and "Bewertung" in run.output
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--from", str(sheet), "--column", "Bewertung",
                                    "--out", str(out)])
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["Kennung"], float(r["Bewertung"])) for r in rows] == [
        ("Teilnehmer/in 4006", expected["ana-lima-4006"]),
        ("Teilnehmer/in 4002", expected["ravi-shah-4002"])]
    assert rows[0]["Feedback als Kommentar"] == "Gut gemacht"  # as Moodle wrote it


def test_a_fresh_canvas_gradebook_needs_the_assignments_id(trip):
    course, _, _, _, tmp = trip
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "canvas", "--course",
                                    str(course), "--out", str(tmp / "canvas-noid.csv")])
    assert run.exit_code == 1
    assert "--column" in run.output and "new assignment" in run.output
    assert not (tmp / "canvas-noid.csv").exists()


def test_one_person_collected_under_two_ids_is_said_and_never_exported_twice(trip):
    # the first collect renamed Linh with a mapping file; collecting her again without it
    # files her as linh-tran-4001: collect says so, and the export writes neither grade
    course, _, _, _, tmp = trip
    again = tmp / "linh-again.zip"
    with zipfile.ZipFile(again, "w") as zf:
        zf.writestr(f"Linh Tran_4001{M}/{A}.ipynb",
                    (course / "submitted" / "linh" / A / f"{A}.ipynb").read_bytes())
    report = collect(course, A, again)
    assert list(report.collected) == ["linh-tran-4001"]
    assert any("Moodle 4001 ('Linh Tran') was collected before as linh and now as "
               "linh-tran-4001" in line for line in report.clashes)
    autograde_cohort(course, A, workers=1, students=["linh-tran-4001"])
    out = tmp / "moodle-twice.csv"
    run = CliRunner().invoke(main, ["grade", "export", A, "--lms", "moodle", "--course",
                                    str(course), "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "one LMS id, several learners: 4001 is linh, linh-tran-4001" in run.output
    with out.open(encoding="utf-8", newline="") as f:
        assert "Participant 4001" not in [r["Identifier"] for r in csv.DictReader(f)]
