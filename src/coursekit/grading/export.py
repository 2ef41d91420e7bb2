"""Marks and feedback back into the LMS, without retyping.

Every learner collected from an LMS download keeps the identity the LMS gave them
(``lms/identities.json``, written by :func:`coursekit.grading.collect.collect`), so the
way back needs no name matching:

* **Moodle**: the assignment's *offline grading worksheet* (Assignment › View all
  submissions › Grading action › Download grading worksheet; imported with *Upload
  grading worksheet*). Its rows are keyed by the column ``Identifier``, whose value is
  ``Participant <id>``, the same participant id as in the submissions' folder names.
  Columns, as Moodle writes them (strings ``recordid``, ``fullname``, ``email``,
  ``status``, ``grade``, ``maxgrade``, ``gradecanbechanged``, ``lastmodifiedsubmission``,
  ``lastmodifiedgrade`` of mod/assign/lang/en/assign.php, read back by
  mod/assign/feedback/offline/importgradeslib.php, which finds the ``Identifier`` and
  ``Grade`` columns by name; Moodle docs: "Assignment settings › Offline grading
  worksheet", docs.moodle.org/en/Assignment_settings): :data:`MOODLE_COLUMNS`.
* **Canvas**: the Gradebook CSV (Grades › Export; imported with Grades › Import). Rows
  are matched on ``ID`` (the Canvas user id, the first number in a submission's file
  name), ``SIS User ID`` or ``SIS Login ID``; the grade goes in the assignment's column,
  headed ``<assignment name> (<assignment id>)`` (Canvas Instructor Guide: "How do I
  import grades in the Gradebook?" and "How do I export grades in the Gradebook?"):
  :data:`CANVAS_COLUMNS` and then that column.
* **Moodle feedback files**: a zip with one folder per learner, named as in the
  submissions download, ``Full Name_<participant id>_assignsubmission_file_/``
  (Assignment › View all submissions › Grading action › *Upload multiple feedback files in
  a zip*; mod/assign/feedback/file/importziplib.php reads the participant id from the
  second ``_``-separated part of the folder's name).

  Moodle's importer finds its columns by their names *in the teacher's language*
  (``get_string`` of ``recordid``, ``grade``, ``lastmodifiedgrade``; all three must be
  there) and reads the participant id after the localised ``Participant `` prefix; it
  compares ``Last modified (grade)`` with the grade Moodle holds and skips a row whose
  Moodle grade is newer (unless *Allow updating...* is ticked), and writes every
  feedback column it finds, an empty one too (so an empty ``Feedback comments`` column
  would blank the comments written in Moodle).
  (mod/assign/feedback/offline/locallib.php, ``process_import_grades``.)

Best is to fill the file the LMS itself downloaded (``--from``): every other column, and
every learner who handed nothing in, stay exactly as the LMS wrote them, in the LMS's own
language. The worksheet the kit writes itself (no ``--from``) is in English, dated now in
``Last modified (grade)``, and has no feedback column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..errors import GradingError
from .collect import csv_delimiter, read_identities
from .worksheet import GROUP_COLUMNS, identifier_column, participant_id, same_name

__all__ = ["CANVAS_COLUMNS", "MOODLE_COLUMNS", "Export", "Marks", "export_grades",
           "marks", "moodle_feedback_zip", "moodle_folder"]

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade",
                  "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                  "Last modified (grade)")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_PARTICIPANT = "Participant "


@dataclass
class Marks:
    """One learner's marks in the gradebook."""

    score: float
    max_score: float
    written_awaiting: int = 0  # written answers not marked yet
    written_marked: int = 0


def marks(course: Path, assignment: str) -> dict[str, Marks]:
    """``{learner id: Marks}`` for every graded submission of ``assignment``."""
    from nbgrader.api import Gradebook, MissingEntry

    db = Path(course) / "gradebook.db"
    if not db.is_file():
        raise GradingError(f"{db} does not exist; autograde {assignment} first "
                           f"(`coursekit grade autograde {assignment}`)")
    out: dict[str, Marks] = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            subs = list(gb.find_assignment(assignment).submissions)
        except MissingEntry:
            raise GradingError(f"the gradebook has no assignment {assignment!r}; "
                               "autograde it first") from None
        for sub in subs:
            m = Marks(float(sub.score or 0), float(sub.max_score or 0))
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell_type != "markdown":
                        continue
                    if grade.needs_manual_grade or grade.score is None:
                        m.written_awaiting += 1
                    else:
                        m.written_marked += 1
            out[sub.student.id] = m
    return out


def _text(value: str) -> str:
    """A name as a spreadsheet shows it, never runs it: a learner's display name starting
    with ``=``, ``+``, ``-`` or ``@`` (a formula, OWASP "CSV injection") gets a ``'`` first.
    The LMS matches rows on Identifier or ID, never on this name."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class Export:
    """What :func:`export_grades` wrote, and who could not go into it."""

    out: Path
    written: dict[str, str] = field(default_factory=dict)  # learner -> grade written
    not_from_lms: list[str] = field(default_factory=list)  # no identity from this LMS
    not_in_sheet: list[str] = field(default_factory=list)  # the LMS's file had no row
    same_number: dict[str, list[str]] = field(default_factory=dict)  # LMS id -> learners
    unmarked: dict[str, int] = field(default_factory=dict)  # learner -> written unmarked
    teams: list[str] = field(default_factory=list)  # Moodle teams with no member known
    unchecked: list[str] = field(default_factory=list)  # Moodle ids no worksheet confirmed
    other_name: dict[str, str] = field(default_factory=dict)  # learner -> why not written

    def lines(self) -> list[str]:
        out = [f"{len(self.written)} grade(s) written to {self.out}"]
        if self.unmarked:
            out.append(f"  {len(self.unmarked)} learner(s) have written answers still to mark "
                       f"({sum(self.unmarked.values())} answers); their grades count only what "
                       "is marked: " + ", ".join(sorted(self.unmarked)))
        if self.not_from_lms:
            out.append("  not collected from this LMS (enter by hand): "
                       + ", ".join(self.not_from_lms))
        if self.teams:
            out.append("  Moodle teams, collected without a worksheet, so no member is known "
                       "(a team's number is a group id, never a participant's): "
                       + ", ".join(self.teams) + "; none written: collect again with "
                       "--worksheet, or grade these teams in Moodle itself")
        for learner, why in sorted(self.other_name.items()):
            out.append(f"  not written: {learner}: {why}")
        if self.unchecked:
            out.append("  not checked against Moodle's grading worksheet (the participant id "
                       "is read from the folder name alone): " + ", ".join(self.unchecked)
                       + "; give --from the worksheet so each row is matched by name too")
        for number, learners in sorted(self.same_number.items()):
            out.append(f"  one LMS id, several learners: {number} is {', '.join(learners)} "
                       "(collected under different ids, e.g. once with a mapping file and "
                       "once without); none written, enter by hand or merge them")
        if self.not_in_sheet:
            out.append("  no row in the LMS's file (enter by hand, or download it again): "
                       + ", ".join(self.not_in_sheet))
        return out


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GradingError(f"{path} cannot be read as a UTF-8 CSV ({exc}); download it "
                           "from the LMS again") from None
    rows = list(csv.reader(io.StringIO(text), delimiter=csv_delimiter(text)))
    if not rows:
        raise GradingError(f"{path} is empty; download it from the LMS again")
    return rows[0], rows[1:]


def export_grades(course: Path, assignment: str, lms: str, out: Path, *,
                  downloaded: Path | None = None, column: str | None = None) -> Export:
    """Write ``assignment``'s grades as the CSV ``lms`` (moodle or canvas) imports.

    ``downloaded``: the worksheet or gradebook the LMS exported; its rows and columns are
    kept and only the grade of each collected learner is filled in. ``column`` (Canvas):
    the assignment's column header, ``Name (id)``.
    """
    lms = lms.lower()
    if lms not in ("moodle", "canvas"):
        raise GradingError(f"unknown LMS {lms!r}; use moodle or canvas")
    course = Path(course)
    graded = marks(course, assignment)
    people = read_identities(course)
    result = Export(Path(out))
    claims: dict[str, list[str]] = {}
    for learner in sorted(graded):
        who = people.get(learner, {})
        if who.get("lms", "").lower() == lms and who.get("number"):
            claims.setdefault(str(who["number"]), []).append(learner)
        elif who.get("lms") == "Moodle team" and lms == "moodle":
            result.teams.append(learner)
        else:
            result.not_from_lms.append(learner)
        if graded[learner].written_awaiting:
            result.unmarked[learner] = graded[learner].written_awaiting
    by_number = {number: ls[0] for number, ls in claims.items() if len(ls) == 1}
    result.same_number = {number: ls for number, ls in claims.items() if len(ls) > 1}
    if lms == "moodle" and downloaded is None:
        result.unchecked = sorted(
            learner for learner in by_number.values()
            if not people[learner].get("assignments", {}).get(assignment, {}).get("checked"))
    if lms == "moodle":
        header, rows = _moodle(assignment, graded, people, by_number, downloaded, column,
                               result)
    else:
        header, rows = _canvas(assignment, graded, people, by_number, downloaded, column,
                               result)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with Path(out).open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_MINIMAL).writerows([header, *rows])
    return result


def _moodle(assignment, graded, people, by_number, downloaded, column, result):
    if downloaded is None:
        header = list(MOODLE_COLUMNS)
        rows = []
        # Moodle skips a row whose grade it changed after "Last modified (grade)": an empty
        # date reads as 1970, which would skip every learner Moodle holds a grade for.
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        for number, learner in sorted(by_number.items(), key=lambda kv: int(kv[0])):
            m = graded[learner]
            rows.append([f"{_PARTICIPANT}{number}", _text(people[learner]["name"]), "", "",
                         _number(m.score), _number(m.max_score), "Yes", "", now])
            result.written[learner] = _number(m.score)
        return header, rows
    header, rows = _read_csv(downloaded)
    # Moodle names the columns in the teacher's language; its Identifier is always first
    # ("Participant 12345", "Teilnehmer/in 12345", ...) and the id is the number at its end.
    ident = identifier_column(header, rows)
    name = column or "Grade"
    if name not in header or not any(participant_id(r[ident]) for r in rows
                                     if len(r) > ident):
        raise GradingError(
            f"{downloaded} has no {name!r} column with participants beside it; download the "
            "grading worksheet from the assignment (View all submissions › Grading action › "
            "Download grading worksheet), and if Moodle is not in English, name its grade "
            "column with --column (its columns: " + ", ".join(header) + ")")
    grade = header.index(name)
    full = header.index("Full name") if "Full name" in header else None
    team_sheet = any(h.strip() in GROUP_COLUMNS for h in header)
    seen = set()
    for row in rows:
        if len(row) <= max(ident, grade):
            continue
        number = participant_id(row[ident])
        learner = by_number.get(number)
        if learner and team_sheet and not people[learner].get("assignments", {}).get(
                assignment, {}).get("team"):  # a team download read as participants'
            seen.add(number)
            result.other_name[learner] = (
                f"this worksheet is a team assignment's (it has a Group column), but "
                f"{learner} was collected from a folder read as participant {number}'s, "
                "which in a team download is a group id: collect again with --worksheet")
            continue
        if learner and full is not None and full < len(row) and row[full].strip():
            collected = people[learner].get("name", "")
            if collected and not collected.startswith("Participant") and not same_name(
                    collected, row[full]):  # the folder's number is someone else's here
                seen.add(number)
                result.other_name[learner] = (
                    f"collected as {collected!r} (number {number}), but the worksheet's "
                    f"Participant {number} is {row[full].strip()!r}: a team assignment's "
                    "folder carries a group id (collect again with --worksheet), or the "
                    "worksheet is another assignment's")
                continue
        if learner:
            row[grade] = _number(graded[learner].score)
            result.written[learner] = row[grade]
            seen.add(number)
    result.not_in_sheet = sorted(by_number[n] for n in by_number if n not in seen)
    return header, rows


def _canvas(assignment, graded, people, by_number, downloaded, column, result):
    if downloaded is None:
        if not column or not re.search(r"\(\d+\)$", column):
            raise GradingError(
                f"name the Canvas assignment with --column \"<its name> (<its id>)\", e.g. "
                f"--column \"{assignment} (55501)\" (the id is the number at the end of the "
                "assignment's address); a column without its id makes Canvas create a new "
                "assignment. Or give --from the gradebook Canvas exported")
        header = [*CANVAS_COLUMNS, column]
        rows = []
        for number, learner in sorted(by_number.items(), key=lambda kv: int(kv[0])):
            score = _number(graded[learner].score)
            rows.append([_text(people[learner]["name"]), number, "", "", "", score])
            result.written[learner] = score
        return header, rows
    header, rows = _read_csv(downloaded)
    if "ID" not in header:
        raise GradingError(f"{downloaded} has no ID column; export the Gradebook from "
                           "Canvas (Grades › Export › Export Entire Gradebook)")
    if column is None:
        found = [h for h in header if re.match(rf"^{re.escape(assignment)}\b.*\(\d+\)$", h)]
        if len(found) != 1:
            raise GradingError(f"{downloaded}: say which column is {assignment} with "
                               f"--column (e.g. \"{assignment} (12345)\"); "
                               + ("several match" if found else "none is named after it"))
        column = found[0]
    if column not in header:
        raise GradingError(f"{downloaded} has no column {column!r}; the assignment columns "
                           "are: " + ", ".join(h for h in header if h.endswith(")")))
    ident, col = header.index("ID"), header.index(column)
    seen = set()
    for row in rows:
        if len(row) <= max(ident, col):
            continue
        learner = by_number.get(row[ident].strip())
        if learner:
            row[col] = _number(graded[learner].score)
            result.written[learner] = row[col]
            seen.add(row[ident].strip())
    result.not_in_sheet = sorted(by_number[n] for n in by_number if n not in seen)
    return header, rows


# -- feedback files, zipped for Moodle ---------------------------------------------------------

_MOODLE_FOLDER = re.compile(r"^[^_/]+_\d+_assignsubmission_[a-z]+_$")


def moodle_folder(name: str, number: str) -> str:
    """``Full Name_<participant id>_assignsubmission_file_``: the folder Moodle names a
    learner's files by (an ``_`` in the name would split it, so it becomes a space)."""
    clean = re.sub(r"[_/\\\x00-\x1f]+", " ", name).strip() or "Participant"
    return f"{clean}_{number}_assignsubmission_file_"


@dataclass
class FeedbackZip:
    out: Path
    learners: list[str] = field(default_factory=list)
    not_from_moodle: list[str] = field(default_factory=list)
    no_feedback: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)  # Moodle teams with no member known

    def lines(self) -> list[str]:
        out = [f"{len(self.learners)} learner(s)' feedback in {self.out} (Moodle: View all "
               "submissions › Grading action › Upload multiple feedback files in a zip)"]
        if self.not_from_moodle:
            out.append("  not collected from Moodle (hand back yourself): "
                       + ", ".join(self.not_from_moodle))
        if self.teams:
            out.append("  Moodle teams with no member known (collected without a worksheet; "
                       "a team folder's number is a group id, which Moodle's upload would "
                       "read as a participant's): " + ", ".join(self.teams)
                       + "; collect again with --worksheet")
        if self.no_feedback:
            out.append("  no feedback page yet (run `coursekit grade feedback` first): "
                       + ", ".join(self.no_feedback))
        return out


def moodle_feedback_zip(course: Path, assignment: str, out: Path) -> FeedbackZip:
    """Zip each Moodle learner's feedback page into their Moodle folder."""
    course = Path(course)
    people = read_identities(course)
    learners = sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}")
                      if p.is_dir())
    if not learners:
        raise GradingError(f"no submissions of {assignment} in {course / 'submitted'}; "
                           "collect them first (`coursekit grade collect`)")
    result = FeedbackZip(Path(out))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for learner in learners:
            who = people.get(learner, {})
            if who.get("lms") == "Moodle team":
                result.teams.append(learner)
                continue
            if who.get("lms") != "Moodle" or not who.get("number"):
                result.not_from_moodle.append(learner)
                continue
            pages = sorted((course / "feedback" / learner / assignment).glob("*.html"))
            if not pages:
                result.no_feedback.append(learner)
                continue
            took = who.get("assignments", {}).get(assignment, {})
            folder = took.get("source", "").rstrip("/").rsplit("/", 1)[-1]
            if took.get("team") or not _MOODLE_FOLDER.match(
                    folder + ("" if folder.endswith("_") else "_")):
                # a team's folder carries the group id: each member gets their own folder
                folder = moodle_folder(who["name"], str(who["number"]))
            folder = folder if folder.endswith("_") else folder + "_"
            for page in pages:
                zf.write(page, f"{folder}/{assignment}-feedback"
                         f"{'' if page.stem == assignment else '-' + page.stem}.html")
            result.learners.append(learner)
    return result
