"""Moodle's grading worksheet, read to confirm who a submissions download names.

A Moodle folder ``<prefix>_<number>_assignsubmission_file`` carries a *participant* id
for an individual assignment, but the *group* id for a team assignment ("Students submit
in groups"): Moodle's submissions downloader (mod/assign/classes/downloader.php,
``get_student_prefix``) writes ``<group name>_<group id>`` for a team, and the bare
``Default group`` (localised ``defaultteam``, no number) for members of no group. Nothing
in the folder's name tells the two kinds of number apart.

The assignment's grading worksheet (View all submissions › Grading action › Download
grading worksheet) does: it is written by mod/assign/gradingtable.php, and lists every
participant as ``Participant <id>`` in its first column (``recordid``), their full name
(``fullname``), and, for a team assignment only, a column ``Group`` (the string
``submissionteam``; ``Groupe``, ``Gruppe``... in other languages) holding the name of the
group whose submission counts for them (``col_team``: the group's name, or ``Default
group`` for a learner in no group). Moodle's grade import (assignfeedback_offline,
``process_import_grades``) sets the grade of each row's participant only, so a team's
grade goes back through one row per member, which is what :mod:`coursekit.grading.collect`
does with a worksheet: each member listed under the team's group gets the team's notebook.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GradingError
from .lms import Identity, slug

__all__ = ["DEFAULT_TEAMS", "GROUP_COLUMNS", "Participant", "Worksheet", "csv_delimiter",
           "folder_name", "identifier_column", "participant_id", "read_worksheet",
           "same_name", "who_is_it"]

#: The worksheet's team column as Moodle's language packs name it (``submissionteam`` in
#: en, fr, de, es and pt, ca, tr and id, nl, sv, eu, zh_tw); others: ``group_column``.
GROUP_COLUMNS = ("Group", "Groupe", "Gruppe", "Grupo", "Grup", "Groep", "Grupp", "Taldea",
                 "群組")
# "Participant 4005", "Teilnehmer/in 4005": words, then the id (never "7.50", a grade)
_PARTICIPANT_ID = re.compile(r"^\s*[^\d\s][^\d]*?\s(\d+)\s*$")
# The column after the id when blind marking leaves out the name: Moodle's "Status" (and
# the group column) in its language packs, never a name.
_NOT_NAME_COLUMNS = {h.casefold() for h in (
    "Status", "Statut", "Estado", "Stato", "Estat", "Durum", "Tila", "Stan", "Állapot",
    "Stav", "Состояние", "Статус", "状态", "狀態", "ステータス", "상태", *GROUP_COLUMNS)}
#: What the worksheet's Group column says for a learner in no group, or in more than one
#: (``defaultteam`` in Moodle's English pack): a group a teacher named so cannot be told
#: apart from them.
DEFAULT_TEAMS = ("Default group",)
# Characters clean_filename (PARAM_FILE) takes out of a folder name: control characters
# and & < > " ` | ' : \ /
_NOT_IN_FOLDER = re.compile(r"[\x00-\x1f\x7f&<>\"`|':\\/]")


@dataclass(frozen=True)
class Participant:
    """One row of the worksheet: a learner as Moodle knows them."""

    number: str  # the participant id, "Participant <number>"
    name: str  # the "Full name" column ("" when Moodle hid names: blind marking)
    group: str = ""  # the "Group" column of a team assignment


@dataclass
class Worksheet:
    """The participants of one Moodle assignment, from its grading worksheet."""

    path: Path
    participants: dict[str, Participant] = field(default_factory=dict)  # number -> row
    group_column: str = ""  # "" : the assignment is not a team assignment
    # participant ids the worksheet lists twice, with different rows: {id: the rows, said}
    conflicts: dict[str, str] = field(default_factory=dict)

    @property
    def teams(self) -> bool:
        return bool(self.group_column)

    def groups_for(self, folder: str) -> list[str]:
        """The worksheet's groups a Moodle folder named ``folder`` can be: those Moodle
        writes exactly so (:func:`folder_name`); failing that, those :func:`same_name`
        matches. Two or more means the folder cannot say which group handed it in."""
        folder = unicodedata.normalize("NFC", folder)
        groups = sorted({p.group for p in self.participants.values() if p.group})
        exact = [g for g in groups if folder in folder_name(g)]
        return exact or [g for g in groups if same_name(g, folder)]

    def members(self, group: str) -> list[Participant]:
        """The participants whose team is exactly ``group`` (a name the worksheet gives)."""
        return [p for p in self.participants.values() if p.group == group]


def csv_delimiter(text: str) -> str:
    """``,``, or the ``;`` (or tab) a spreadsheet in a decimal-comma language saves a CSV
    with, judged by the header row."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda d: (header.count(d), d == ","))


def same_name(a: str, b: str) -> bool:
    """True when two names are the same once written as Moodle writes a folder: an ``_``
    becomes a space and ``clean_filename`` drops characters a disk refuses, so the names
    are compared by their letters and digits (``Team_Blue`` and ``Team Blue`` agree)."""
    def letters(text: str) -> str:
        return slug(unicodedata.normalize("NFC", text).replace("_", " "))
    return bool(letters(a)) and letters(a) == letters(b)


def folder_name(group: str) -> set[str]:
    """The folder names Moodle's downloader may write for a group called ``group``: ``_``
    becomes a space, then ``clean_filename`` drops what a disk refuses; the group's name
    may first be HTML-escaped by ``format_string`` (``&`` as ``&amp;``)."""
    group = unicodedata.normalize("NFC", group)
    return {_NOT_IN_FOLDER.sub("", form.replace("_", " ")).strip()
            for form in (group, html.escape(group, quote=False), html.escape(group))}


def participant_id(cell: str) -> str:
    """The id in a worksheet's Identifier cell (``Participant 4005`` -> ``4005``), or ""."""
    found = _PARTICIPANT_ID.match(cell)
    return found.group(1) if found else ""


def identifier_column(header: list[str], rows: list[list[str]]) -> int:
    """The Identifier column: by its English name, else the column whose cells read
    ``<word> <id>`` most often (first in Moodle's order, but a spreadsheet may move it;
    taking a grade such as ``7.50`` for participant 50 would give a mark to someone else)."""
    if "Identifier" in header:
        return header.index("Identifier")
    counts = [sum(1 for r in rows if i < len(r) and participant_id(r[i]))
              for i in range(len(header))]
    return max(range(len(counts)), key=lambda i: (counts[i], -i)) if counts else 0


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def read_worksheet(path: Path, *, group_column: str | None = None) -> Worksheet:
    """Read a grading worksheet downloaded from a Moodle assignment.

    ``group_column``: the team column's name when Moodle's language is not one of
    :data:`GROUP_COLUMNS`. A row without a participant id is skipped; a file with none
    at all is refused.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GradingError(f"worksheet {path} does not exist; download it from the "
                           "assignment (View all submissions › Grading action › Download "
                           "grading worksheet) and give its path") from None
    except (OSError, UnicodeDecodeError) as exc:
        if path.is_file() and path.read_bytes()[:4] == b"PK\x03\x04":  # a zip: xlsx, ods
            what = ("a spreadsheet (.xlsx or .ods), not a CSV; give the .csv file Moodle "
                    "downloaded, or save the sheet as 'CSV UTF-8'")
        else:
            what = (f"not a UTF-8 CSV ({exc}); a spreadsheet program may have saved it in "
                    "another encoding: save it as 'CSV UTF-8', or give the .csv file Moodle "
                    "downloaded")
        raise GradingError(f"worksheet {path} is {what} (View all submissions › Grading "
                           "action › Download grading worksheet)") from None
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=csv_delimiter(text)))
    except csv.Error as exc:
        raise GradingError(f"worksheet {path} is not a readable CSV ({exc}); download it "
                           "from Moodle again") from None
    header = [h.strip() for h in rows[0]] if rows else []
    # Moodle's first column is the Identifier ("Participant 123", "Teilnehmer/in 123")
    ident = identifier_column(header, rows[1:])
    # "Full name" is second, unless Moodle hides names (blind marking: no such column);
    # a worksheet in another language is read by position
    name = header.index("Full name") if "Full name" in header else (
        ident + 1 if "Identifier" not in header and len(header) > ident + 1
        and header[ident + 1].casefold() not in _NOT_NAME_COLUMNS else None)
    sheet = Worksheet(path)
    if group_column is not None:
        if group_column not in header:
            raise GradingError(f"worksheet {path} has no column {group_column!r}; its "
                               f"columns are: {', '.join(header)}")
        sheet.group_column = group_column
    else:
        sheet.group_column = next((h for h in header if h in GROUP_COLUMNS), "")
    group = header.index(sheet.group_column) if sheet.group_column else None
    for row in rows[1:]:
        if len(row) <= ident:
            continue
        number = participant_id(row[ident])
        if not number:
            continue
        person = Participant(number, unicodedata.normalize("NFC", _cell(row, name)),
                             unicodedata.normalize("NFC", _cell(row, group)))
        before = sheet.participants.get(number)
        if before is not None and before != person:  # neither row can be trusted
            sheet.conflicts[number] = " and ".join(
                f"{p.name or '(no name)'!r}" + (f" in {p.group!r}" if p.group else "")
                for p in (before, person))
        sheet.participants[number] = person
    for number in sheet.conflicts:
        del sheet.participants[number]
    if not sheet.participants and not sheet.conflicts:
        raise GradingError(
            f"worksheet {path} lists no participant (no 'Participant <id>' in its first "
            "column); download the grading worksheet of this assignment from Moodle (View "
            "all submissions › Grading action › Download grading worksheet)")
    return sheet


def who_is_it(ident: Identity, sheet: Worksheet | None, teams: bool
              ) -> tuple[list[Identity], str]:
    """The learners a Moodle folder (or prefix) stands for, or ``([], why it is refused)``.

    ``teams``: the download is a team assignment's (said by the facilitator, by the
    worksheet's Group column, or by a ``Default group`` folder, which only a team
    assignment writes). With a worksheet, a team folder stands for every participant the
    worksheet lists in that group, and a participant's folder must name a participant of
    the worksheet, by the same name. Without one, a team folder stands for the team alone
    (``Moodle team``): no participant id, so no grade or feedback goes back by itself.
    """
    if ident.lms != "Moodle":
        return [ident], ""
    teams = teams or (sheet is not None and sheet.teams)
    if teams and sheet is None:
        return [Identity("Moodle team", ident.name, ident.number, ident.source,
                         team=ident.name)], ""
    if teams and not sheet.teams:
        return [], (f"a team assignment's folder ({ident.name!r}, Moodle group "
                    f"{ident.number or '(none)'}), but the worksheet {sheet.path.name} has no "
                    "Group column, so it is not this assignment's worksheet: download the "
                    "worksheet of this assignment again (if Moodle is not in English, name "
                    "its group column with --group-column)")
    if teams:
        groups = sheet.groups_for(ident.name)
        if len(groups) > 1:
            return [], (f"the folder {ident.source.rstrip('/')!r} can be any of the "
                        f"worksheet's groups {', '.join(map(repr, groups))} (Moodle writes "
                        "their folders alike), so it goes to no one: rename one of these "
                        "groups in Moodle (Participants › Groups), then download both files "
                        "again")
        if ident.number and any(same_name(ident.name, d) for d in DEFAULT_TEAMS):
            return [], (f"a Moodle group is called {ident.name!r} (group {ident.number}), "
                        "the name the worksheet also gives every learner in no group or in "
                        "two groups, so its members cannot be told apart: rename the group in "
                        "Moodle (Participants › Groups), then download both files again")
        members = sheet.members(groups[0]) if groups else []
        if not members:
            groups = sorted({p.group for p in sheet.participants.values() if p.group})
            return [], (f"no participant of the worksheet {sheet.path.name} is in the group "
                        f"{ident.name!r} (its groups: {', '.join(groups) or 'none'}); download "
                        "the worksheet and the submissions of the same assignment again")
        return [Identity("Moodle", p.name or "Participant", p.number,  # blind marking
                         ident.source, late=ident.late, team=ident.name)
                for p in sorted(members, key=lambda p: int(p.number))], ""
    if sheet is None:  # an individual assignment, no worksheet: the folder's number
        return [ident], ""  # (the export checks it against the worksheet's names)
    if ident.number in sheet.conflicts:
        return [], (f"participant {ident.number} is listed twice in the worksheet "
                    f"{sheet.path.name}, as {sheet.conflicts[ident.number]}, so neither row "
                    "can be trusted: download the worksheet from Moodle again (unedited)")
    row = sheet.participants.get(ident.number)
    if row is None:
        return [], (f"participant {ident.number or '(no number)'} ({ident.name!r}) is not in "
                    f"the worksheet {sheet.path.name}: download the worksheet and the "
                    "submissions of the same assignment again (for a team assignment, the "
                    "number is a group's, and the worksheet has a Group column)")
    if row.name and not ident.name.startswith("Participant") and not same_name(
            row.name, ident.name):
        return [], (f"the folder names {ident.name!r} with number {ident.number}, but the "
                    f"worksheet's participant {ident.number} is {row.name!r}: if this is a "
                    "team assignment, the number is the group's (collect with --moodle-teams "
                    "and this assignment's worksheet); else download both files again")
    return [ident], ""
