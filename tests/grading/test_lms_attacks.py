"""Real LMS downloads and hostile files against the LMS round trip (fast; no nbgrader run).

Each case is a shape the LMS really writes, or a file a learner (or a Mac, or Windows)
really makes: Canvas names that keep only word characters (an emoji-only name, a name with
``_``, anonymous grading), a name stored decomposed (NFD) by a Mac, a zip made on a Mac
with UTF-8 names but no UTF-8 flag, a name longer than the disk allows, a learner who
handed in a zip of their notebook, damaged, encrypted and twice-named entries, and a zip
of very many notebooks. (The shared exchange's entries: test_inbound_attacks.py.)
"""

from __future__ import annotations

import json
import struct
import unicodedata
import zipfile
from pathlib import Path

import pytest

from coursekit.grading.arguments import check_source
from coursekit.grading.collect import CollectReport, plan
from coursekit.grading.intake import MB, IntakeLimits, bring_in
from coursekit.grading.lms import identify, learner_id

A = "01-check"
M = "_assignsubmission_file_"
NB = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _plan(archive: Path, tmp: Path) -> tuple[dict, CollectReport]:
    intake = bring_in(archive, tmp / "out")
    report = CollectReport(A, refused=list(intake.refused))
    chosen = plan(tmp / "out", A, None, report, renamed=intake.renamed,
                  not_notebooks=intake.not_notebooks)
    return chosen, report


def _damage(archive: Path, entry: str, how: str) -> None:
    """Damage one entry of ``archive`` in place: its data (``deflate``), its CRC (``crc``),
    or mark it encrypted (``encrypted``)."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(entry)
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26:at + 30])
    central = data.find(b"PK\x01\x02" + data[at + 4:at + 6], 0)
    while data[central + 46:central + 46 + len(info.orig_filename.encode())] != \
            info.orig_filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    if how == "deflate":
        start = at + 30 + name_len + extra_len
        for i in range(start, start + 16):
            data[i] ^= 0xFF
    elif how == "crc":
        data[at + 14] ^= 0xFF
        data[central + 16] ^= 0xFF
    elif how == "encrypted":
        data[at + 6] |= 1
        data[central + 8] |= 1
    archive.write_bytes(bytes(data))


# -- who a real download names ---------------------------------------------------------------

@pytest.mark.parametrize("path, name, number, late", [
    # Canvas keeps only word characters of "Last, First": an emoji-only name is empty
    (f"_7004_9004_{A}.ipynb", "", "7004", False),
    (f"_LATE_7005_9005_{A}.ipynb", "", "7005", True),
    # ... and a "_" in a name stays (sortable_name "Doe_Smith, Jane")
    (f"doe_smithjane_7007_9007_{A}.ipynb", "doe_smithjane", "7007", False),
    (f"álvarezruizjosé_LATE_7002_9002_{A}-1.ipynb", "álvarezruizjosé", "7002", True),
    (f"王小明_7003_9003_{A}.ipynb", "王小明", "7003", False),
])
def test_canvas_names_as_canvas_writes_them(path, name, number, late):
    who = identify(path, A)
    assert (who.lms, who.name, who.number, who.late) == ("Canvas", name, number, late)


def test_canvas_anonymous_grading_is_one_learner_per_anonymous_id():
    first = identify(f"anon_aB3xZ_9006_{A}.ipynb", A)
    again = identify(f"LATE_anon_aB3xZ_9011_{A}-1.ipynb", A)  # another attachment, late
    other = identify(f"anon_Qw7Rt_9007_{A}.ipynb", A)
    assert first.lms == "Canvas" and first.key == again.key != other.key
    assert again.late and first.number == ""  # no gradebook ID to send marks to
    assert learner_id(first) != learner_id(other)


def test_a_name_a_mac_wrote_decomposed_is_the_same_learner():
    composed = identify(f"Zoë Ortiz_4008{M}/{A}.ipynb", A)
    decomposed = identify(unicodedata.normalize("NFD", f"Zoë Ortiz_4008{M}/{A} v2.ipynb"), A)
    assert composed.key == decomposed.key
    assert learner_id(composed) == learner_id(decomposed) == "zoe-ortiz-4008"


@pytest.mark.parametrize("path", [f"{A} final final.ipynb", f"{A}_final_v2.ipynb",
                                  f"{A}_copy_2.ipynb", f"my {A}.ipynb",
                                  f"{A}_submission_1.ipynb", f"{A}_answers_final.ipynb"])
def test_words_that_name_no_one_never_make_a_learner(path):
    # two learners who both send "01-check final final.ipynb" must not become one "final-final"
    assert identify(path, A) is None


# -- the zip as an LMS (or a Mac) writes it ------------------------------------------------------

def test_a_mac_zip_with_utf8_names_but_no_flag_keeps_the_names(tmp_path):
    archive = tmp_path / "mac.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in (f"Zoë Ortiz_4008{M}/{A}.ipynb", f"José Álvarez-Ruiz_4007{M}/{A}.ipynb"):
            info = zipfile.ZipInfo(unicodedata.normalize("NFD", name))
            zf.writestr(info, NB)
    data = bytearray(archive.read_bytes())  # Archive Utility writes UTF-8 without bit 11
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            data[at + flag_at + 1] &= ~0x08 & 0xFF
            at = data.find(sig, at + 4)
    archive.write_bytes(bytes(data))
    with zipfile.ZipFile(archive) as zf:
        assert "╠" in "".join(zf.namelist())  # what Python alone reads: cp437 mojibake
    chosen, _ = _plan(archive, tmp_path)
    assert sorted(chosen) == ["jose-alvarez-ruiz-4007", "zoe-ortiz-4008"]
    assert chosen["zoe-ortiz-4008"].identity.name == "Zoë Ortiz"


def test_a_name_too_long_for_the_disk_is_still_its_learners(tmp_path):
    long_name = "王" * 90  # 270 bytes in UTF-8: more than a file name may hold on Linux
    archive = tmp_path / "long.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{long_name}_4020{M}/{A}.ipynb", NB)
        zf.writestr(f"Ana Lima_4006{M}/{'x' * 300} {A}.ipynb", NB)
    chosen, report = _plan(archive, tmp_path)
    assert report.refused == []
    assert len(chosen) == 2 and "ana-lima-4006" in chosen
    wang = next(learner for learner in chosen if learner != "ana-lima-4006")
    assert wang.startswith("wangwang") and wang.endswith("-4020") and len(wang) < 80
    assert chosen[wang].identity.name == long_name
    assert chosen[wang].file == f"{long_name}_4020{M}/{A}.ipynb"
    assert (tmp_path / "out" / chosen[wang].disk).is_file()


def test_a_learner_who_handed_in_only_a_zip_or_online_text_is_named(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb", NB)
        zf.writestr(f"Ana Lima_4006{M}/receipt.pdf", b"%PDF")  # beside a notebook: fine
        zf.writestr(f"Kim Lee_4010{M}/{A}.zip", b"PK\x03\x04 her notebook, zipped")
        zf.writestr("Ravi Shah_4002_assignsubmission_onlinetext_/onlinetext.html", "<p>hi</p>")
        zf.writestr("okaforuche_7001_9001_01-check.pdf", b"%PDF")
    chosen, report = _plan(archive, tmp_path)
    assert list(chosen) == ["ana-lima-4006"]
    why = dict(report.refused)
    assert set(why) == {f"Kim Lee_4010{M}/{A}.zip",
                        "Ravi Shah_4002_assignsubmission_onlinetext_/onlinetext.html",
                        "okaforuche_7001_9001_01-check.pdf"}
    assert why[f"Kim Lee_4010{M}/{A}.zip"].startswith(
        "Kim Lee (Moodle participant 4010) handed in no notebook")
    assert "Canvas user 7001" in why["okaforuche_7001_9001_01-check.pdf"]


def test_damaged_and_encrypted_entries_are_refused_one_by_one(tmp_path):
    archive = tmp_path / "download.zip"
    names = {how: f"{who}{M}/{A}.ipynb" for how, who in (
        ("good", "Ana Lima_4006"), ("deflate", "Bo Ek_4021"), ("crc", "Cy Fu_4022"),
        ("encrypted", "Di Gu_4023"), ("good2", "Ed Ho_4024"))}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names.values():
            zf.writestr(name, NB + " " * 4000)
    for how in ("deflate", "crc", "encrypted"):
        _damage(archive, names[how], how)
    assert check_source(archive) == archive  # one damaged entry does not refuse the class
    chosen, report = _plan(archive, tmp_path)
    assert sorted(chosen) == ["ana-lima-4006", "ed-ho-4024"]
    why = dict(report.refused)
    assert "damaged in the zip" in why[names["deflate"]]
    assert "damaged in the zip" in why[names["crc"]]
    assert "encrypted" in why[names["encrypted"]] and "password" in why[names["encrypted"]]


def test_the_source_check_reads_only_the_zips_table_of_contents(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in range(8):
            zf.writestr(f"Bomb Ber_{4030 + n}{M}/{A}.ipynb", b"\0" * (8 * MB))
    assert bomb.stat().st_size < MB

    def expand(*args, **kwargs):
        raise AssertionError("check_source expanded an entry (testzip)")

    monkeypatch.setattr(zipfile.ZipFile, "open", expand)
    assert check_source(bomb) == bomb


def test_a_name_twice_in_a_zip_keeps_the_first_and_says_so(tmp_path):
    archive = tmp_path / "twice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        first = json.loads(NB)
        first["metadata"]["which"] = "first"
        zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb", json.dumps(first))
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb", NB)
        zf.writestr(f"Ana Lima_4006{M}\\{A}.ipynb", NB)  # the same path, Windows' way
    chosen, report = _plan(archive, tmp_path)
    kept = tmp_path / "out" / chosen["ana-lima-4006"].disk
    assert json.loads(kept.read_text(encoding="utf-8"))["metadata"] == {"which": "first"}
    assert [why for _, why in report.refused] == [
        "the zip holds this name twice: the first one is kept, this one refused"] * 2


def test_a_zip_of_very_many_notebooks_is_capped_with_one_line(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for n in range(12):
            zf.writestr(f"Many Files_{5000 + n}{M}/{A}.ipynb", NB)
    intake = bring_in(archive, tmp_path / "out", IntakeLimits(files=5))
    assert len(intake.copied) == 5
    assert len(intake.refused) == 1
    assert intake.refused[0][0] == "7 more notebook(s)"
    assert "more than 5 notebooks" in intake.refused[0][1]


def test_a_spent_budget_expands_nothing_more(tmp_path, monkeypatch):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n in range(6):
            zf.writestr(f"Big Class_{6000 + n}{M}/{A}.ipynb", b" " * MB + NB.encode())
    opened = []
    real_open = zipfile.ZipFile.open

    def counting(self, name, *args, **kwargs):
        opened.append(name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    intake = bring_in(archive, tmp_path / "out",
                      IntakeLimits(file_bytes=2 * MB, total_bytes=2 * MB + MB // 2))
    assert len(intake.copied) == 2
    assert len(intake.refused) == 4 and all("in all" in why for _, why in intake.refused)
    assert len(opened) == 3  # the third passes the budget; the other three are not expanded


def test_folders_that_hold_a_class_never_merge_its_learners(tmp_path):
    # a teacher zips grading/01-check/<learner>/...: neither wrapper is a learner
    archive = tmp_path / "wrapped.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("grading/README.txt", "how I collected")
        for who in ("Ana Lima", "Bo Ek"):
            zf.writestr(f"grading/{A}/{who}/{A}.ipynb", NB)
        zf.writestr(f"grading/{A} submissions (2)/Cy Fu/work/{A}.ipynb", NB)
    chosen, report = _plan(archive, tmp_path)
    assert sorted(chosen) == ["ana-lima", "bo-ek", "cy-fu"]
    assert report.duplicates == {}
    assert chosen["cy-fu"].identity.source == f"{A} submissions (2)/Cy Fu/"


def test_a_macs_extras_and_a_zip_inside_the_zip(tmp_path):
    archive = tmp_path / "from-a-mac.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb", NB)
        zf.writestr(f"Ana Lima_4006{M}/._{A}.ipynb", b"\0\x05\x16\x07AppleDouble")
        zf.writestr(f"__MACOSX/Ana Lima_4006{M}/._{A}.ipynb", b"\0\x05\x16\x07")
        zf.writestr(f"._ana_{A}.ipynb", b"\0\x05\x16\x07")
        zf.writestr("moodle-download-part-2.zip", b"PK\x03\x04")
    chosen, report = _plan(archive, tmp_path)
    assert list(chosen) == ["ana-lima-4006"]
    assert report.refused == []  # AppleDouble files are no one's notebook
    assert report.unmatched == [("moodle-download-part-2.zip",
                                 "a zip inside the download: collect that zip itself")]


# -- Moodle team submissions, and what goes back ----------------------------------------------

def test_a_team_without_a_group_is_not_a_plain_learner():
    who = identify(f"Default group_assignsubmission_file/{A}.ipynb", A)
    assert (who.lms, who.name, who.number) == ("Moodle", "Default group", "")


def test_a_moodle_team_folder_is_not_taken_for_a_participant(tmp_path):
    # Moodle 4.1+: "<group name>_<group id>_assignsubmission_file" (downloader.php,
    # get_student_prefix). The name alone reads like a participant's, so the number is
    # confirmed elsewhere: the worksheet's Group column, or --moodle-teams.
    from coursekit.grading.worksheet import read_worksheet, who_is_it

    who = identify(f"Team Blue_17_assignsubmission_file/{A}.ipynb", A)
    sheet = tmp_path / "ws.csv"
    sheet.write_text("Identifier,Full name,Status,Group,Grade\n"
                     "Participant 17,Kim Lee,Submitted,Team Red,\n"
                     "Participant 4006,Ana Lima,Submitted,Team Blue,\n", encoding="utf-8")
    people, why = who_is_it(who, read_worksheet(sheet), teams=False)
    assert [p.number for p in people] == ["4006"] and not why  # Team Blue's member, not Kim
    alone, _ = who_is_it(who, None, teams=True)
    assert alone[0].lms == "Moodle team" and learner_id(alone[0]) == "team-blue-group-17"


def test_a_learners_name_never_runs_as_a_formula_in_the_exports(tmp_path, monkeypatch):
    import csv

    from coursekit.grading import export
    from coursekit.grading.collect import record_identities
    from coursekit.grading.lms import Identity

    course = tmp_path / "course"
    record_identities(course, A, {
        "x-4040": Identity("Moodle", '=HYPERLINK("http://example.org/x","open")', "4040"),
        "y-7040": Identity("Canvas", "@SUM(1+1)", "7040")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "x-4040": export.Marks(5.0, 9.0), "y-7040": export.Marks(4.0, 9.0)})
    export.export_grades(course, A, "moodle", tmp_path / "m.csv")
    export.export_grades(course, A, "canvas", tmp_path / "c.csv", column=f"{A} (55501)")
    with (tmp_path / "m.csv").open(encoding="utf-8", newline="") as f:
        moodle = list(csv.DictReader(f))
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as f:
        canvas = list(csv.DictReader(f))
    assert moodle[0]["Full name"] == '\'=HYPERLINK("http://example.org/x","open")'
    assert (moodle[0]["Identifier"], moodle[0]["Grade"]) == ("Participant 4040", "5")
    assert canvas[0]["Student"] == "'@SUM(1+1)" and canvas[0]["ID"] == "7040"


def test_one_lms_id_under_two_learner_ids_is_never_exported(tmp_path, monkeypatch):
    from coursekit.grading import export
    from coursekit.grading.collect import record_identities
    from coursekit.grading.lms import Identity

    course = tmp_path / "course"
    linh = Identity("Moodle", "Linh Tran", "4001")
    record_identities(course, A, {"linh": linh, "linh-tran-4001": linh,
                                  "ana-lima-4006": Identity("Moodle", "Ana Lima", "4006")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "linh": export.Marks(9.0, 9.0), "linh-tran-4001": export.Marks(2.0, 9.0),
        "ana-lima-4006": export.Marks(7.0, 9.0)})
    result = export.export_grades(course, A, "moodle", tmp_path / "m.csv")
    assert result.written == {"ana-lima-4006": "7"}
    assert result.same_number == {"4001": ["linh", "linh-tran-4001"]}
    assert "one LMS id, several learners: 4001 is linh, linh-tran-4001" in "\n".join(
        result.lines())


def test_csvs_saved_by_a_spreadsheet_with_semicolons_are_read(tmp_path, monkeypatch):
    import csv

    from coursekit.grading import export
    from coursekit.grading.collect import read_mapping, record_identities
    from coursekit.grading.lms import Identity

    mapping = tmp_path / "mapping.csv"
    mapping.write_text("\ufeffin_file_name;learner_id\nLinh Tran;linh\n", encoding="utf-8")
    assert read_mapping(mapping) == {"linh-tran": "linh"}
    course = tmp_path / "course"
    record_identities(course, A, {"ana-lima-4006": Identity("Moodle", "Ana Lima", "4006")})
    monkeypatch.setattr(export, "marks", lambda course, assignment: {
        "ana-lima-4006": export.Marks(7.5, 9.0)})
    sheet = tmp_path / "worksheet.csv"  # Moodle's worksheet after Excel in German saved it
    sheet.write_text("Identifier;Full name;Status;Grade;Maximum Grade;Last modified (grade)\n"
                     "Participant 4006;Ana Lima;Submitted;;9,00;-\n", encoding="utf-8")
    result = export.export_grades(course, A, "moodle", tmp_path / "out.csv", downloaded=sheet)
    assert result.written == {"ana-lima-4006": "7.5"}
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    assert (row["Identifier"], row["Grade"], row["Maximum Grade"]) == (
        "Participant 4006", "7.5", "9,00")


@pytest.mark.slow
def test_real_download_shapes_reach_exactly_their_learners_through_nbgrader(tmp_path):
    # the whole route-2 collect (intake, plan, nbgrader's zip_collect) on the shapes above:
    # every learner's own notebook lands in their own submitted/ folder, nothing else does
    import hashlib
    import os

    from coursekit.grading.collect import collect

    from .factories import make_course, nbgrader

    os.environ["COURSEKIT_ROOT"] = str(Path(__file__).resolve().parents[2])
    a = "00-check"
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", a, "--force")
    release = json.loads((course / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8"))
    emoji = "🌊" * 40  # 40 emoji: 280 letters once transliterated
    shapes = {  # where in the download -> who must get it
        f"{'王' * 90}_4020{M}/{a}.ipynb": "4020",
        f"{emoji}_4021{M}/{a} final.ipynb": "4021",
        f"Ana Lima_4006{M}/{'x' * 300} {a}.ipynb": "4006",
        unicodedata.normalize("NFD", f"Zoë Ortiz_4008{M}/{a}.ipynb"): "4008",
        f"Zoé Ortiz_4009{M}/{a}.ipynb": "4009",
        f"_7004_9004_{a}.ipynb": "7004",
        f"anon_aB3xZ_9006_{a}.ipynb": "anonymous aB3xZ",
        f"grading/{a}/Bo Ek/{a}.ipynb": "Bo Ek",
        f"grading/{a}/Cy Fu/{a}.ipynb": "Cy Fu",
    }
    archive = tmp_path / "download.zip"
    sent = {}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for where, who in shapes.items():
            nb = json.loads(json.dumps(release))
            nb["metadata"]["handed-in-by"] = who
            data = json.dumps(nb).encode("utf-8")
            zf.writestr(where, data)
            sent[who] = hashlib.sha256(data).hexdigest()
    report = collect(course, a, archive)
    assert report.refused == [] and report.unmatched == [] and report.duplicates == {}
    assert len(report.collected) == len(shapes)
    got = {}
    for learner in report.collected:
        assert len(learner) < 100
        data = (course / "submitted" / learner / a / f"{a}.ipynb").read_bytes()
        got[json.loads(data)["metadata"]["handed-in-by"]] = hashlib.sha256(data).hexdigest()
    assert got == sent  # each learner's own bytes, once


def test_folders_a_thousand_deep_are_refused_not_a_crash(tmp_path):
    # Python's own walks (Path.rglob, os.walk, copytree) stop near a thousand levels deep
    archive = tmp_path / "deep.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("d/" * 1200 + f"{A}.ipynb", NB)
        zf.writestr(f"Ana Lima_4006{M}/{A}.ipynb", NB)
    chosen, report = _plan(archive, tmp_path)
    assert list(chosen) == ["ana-lima-4006"]
    assert [why for _, why in report.refused] == ["its path is more than 32 folders deep: "
                                                  "refused"]
    folder = tmp_path / "usb-stick"
    (folder / "Bo Ek").mkdir(parents=True)
    (folder / "Bo Ek" / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    deep = folder / "Cy Fu" / Path(*["d"] * 40)
    deep.mkdir(parents=True)
    (deep / f"{A}.ipynb").write_text(NB, encoding="utf-8")
    intake = bring_in(folder, tmp_path / "out2")
    assert intake.copied == [f"Bo Ek/{A}.ipynb"]
    assert [why for _, why in intake.refused] == ["folders more than 32 deep: refused"]
