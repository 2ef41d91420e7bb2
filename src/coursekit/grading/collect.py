"""Route 2, no shared machine: gather returned notebooks from a folder or a zip.

Learners hand their check back however the group works (e-mail, a USB stick, an LMS
"download all submissions" zip). :func:`collect` puts those files where nbgrader
expects them, ``submitted/<learner id>/<assignment>/<assignment>.ipynb``:

1. :func:`coursekit.grading.intake.bring_in` copies only regular ``.ipynb`` files (no
   link, pipe or device; a zip's size capped), each refusal one line of the report;
2. :func:`plan` names each file's learner from the LMS's folder or prefix
   (:mod:`coursekit.grading.lms`), never from what the learner typed; a mapping CSV may
   rename some learners (the others keep their LMS identity); names that would read
   alike are kept apart and reported; a learner with several notebooks gets the one
   saved last (the others are listed); a file that is not a notebook is refused;
3. nbgrader's own ``zip_collect`` copies the planned files, through :class:`KitCollector`;
4. the report says what was replaced from an earlier collect, and the LMS identity of
   each learner is kept (``lms/identities.json``) for the marks and feedback going back.

Every collected submission gets the two small files nbgrader's exchange would have
written (``timestamp.txt`` and ``submission_secret.txt``), so ``generate_feedback``,
``release_feedback`` and every other nbgrader step work on these submissions exactly as
on exchange submissions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

from ..errors import GradingError
from .arguments import check_source
from .intake import IntakeLimits, bring_in
from .lms import Identity, identify, learner_id, slug
from .worksheet import Worksheet, csv_delimiter, read_worksheet, who_is_it

__all__ = ["CollectReport", "IntakeLimits", "KitCollector", "collect", "learner_key", "plan",
           "read_identities", "read_mapping", "record_identities"]

#: The columns a mapping CSV needs (any other columns are ignored).
MAPPING_COLUMNS = ("in_file_name", "learner_id")
_LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


def learner_key(text: str) -> str:
    """How a name from a mapping CSV is compared: ASCII, lower case, words joined by hyphens."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9@.]+", "-", anyascii(text).strip().lower()).strip("-.")


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping CSV: ``in_file_name,learner_id`` per row (a name, login or LMS number as it
    appears in file names, and the learner id to file it under)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            text = f.read()
        rows = list(csv.DictReader(io.StringIO(text), delimiter=csv_delimiter(text)))
        header = [h.strip() for h in (rows[0].keys() if rows else [])]
    except FileNotFoundError:
        raise GradingError(f"mapping file {path} does not exist; give the CSV's path "
                           f"(columns: {', '.join(MAPPING_COLUMNS)})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GradingError(f"mapping file {path} is not a readable CSV ({exc}); save it as "
                           "CSV (UTF-8) from your spreadsheet") from None
    missing = [c for c in MAPPING_COLUMNS if c not in header]
    if not rows or missing:
        raise GradingError(f"mapping file {path} needs a header row with the columns "
                           f"{', '.join(MAPPING_COLUMNS)} and one row per learner"
                           + (f"; missing: {', '.join(missing)}" if rows else ""))
    mapping: dict[str, str] = {}
    for n, row in enumerate(rows, 2):
        name = (row.get("in_file_name") or "").strip()
        learner = (row.get("learner_id") or "").strip()
        if not name or not _LEARNER_ID.match(learner):
            raise GradingError(
                f"{path}, line {n}: needs a name and a learner id made of letters, digits, "
                f"'.', '_', '@' or '-' (got {name!r}, {learner!r}); fix or delete the row")
        key = learner_key(name)
        if mapping.get(key, learner) != learner:
            raise GradingError(f"{path}, line {n}: {name!r} is mapped to both "
                               f"{mapping[key]!r} and {learner!r}; keep one")
        mapping[key] = learner
    return mapping


# -- who handed in what -------------------------------------------------------------------

@dataclass
class _Found:
    file: str  # path inside the download
    identity: Identity
    mtime: float
    learner: str = ""
    mapped: bool = False
    disk: str = ""  # path under the extracted folder (a name too long is shortened there)


def _notebook_problem(path: Path) -> str | None:
    """Why the file is not a notebook (None: it is one)."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        return f"not a notebook (not valid JSON: {str(exc)[:60]}): refused"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) \
            or "nbformat" not in data:
        return "not a notebook (JSON without notebook cells): refused"
    return None


def _strip_wrapper(extracted: Path, assignment: str, renamed: dict[str, str]) -> str:
    """A download zipped as one folder (``01-check-submissions/...``): its files' paths
    are read from inside that folder, so the wrapper is never taken for a learner."""
    entries = list(extracted.iterdir())
    if len(entries) != 1 or not entries[0].is_dir():
        return ""
    inner = entries[0]
    original = next((o.split("/", 1)[0] for d, o in renamed.items()
                     if d.startswith(inner.name + "/")), inner.name)
    who = identify(f"{original}/x.ipynb", "")
    if who is not None and who.lms != "plain":
        return ""  # a Moodle learner folder alone is a learner, not a wrapper
    children = list(inner.iterdir())
    if all(c.is_file() and identify(c.name, assignment) is None for c in children):
        return ""  # one learner's folder of loose notebooks: the folder names them
    return original + "/"


def _resolve_ids(found: list[_Found], mapping: dict[str, str] | None,
                 report: CollectReport) -> None:
    """Give each file its learner id: the mapping's where it names the learner, else the
    LMS's; names that would read alike are kept apart and reported."""
    for f in found:
        ident = f.identity
        auto = learner_id(ident)
        if mapping:
            for key in (ident.number, learner_key(ident.name), auto):
                if key and key in mapping:
                    f.learner, f.mapped = mapping[key], True
                    break
        if not f.learner:
            f.learner = auto
    by_id: dict[str, dict[tuple, _Found]] = {}
    for f in found:
        by_id.setdefault(f.learner, {}).setdefault(f.identity.key, f)
    for learner, people in sorted(by_id.items()):
        if len(people) < 2:
            continue
        mapped = [f for f in people.values() if f.mapped]
        if len(mapped) == len(people):
            continue  # the mapping file says these names are one learner
        sources = " and ".join(f"{f.identity.name!r} (from {f.identity.source})"
                               for f in people.values())
        new_ids = {}
        for f in people.values():
            if not f.mapped:
                new_ids[f.identity.key] = learner_id(f.identity, disambiguate=True)
        for f in found:
            if f.learner == learner and f.identity.key in new_ids:
                f.learner = new_ids[f.identity.key]
        report.clashes.append(
            f"{sources} would both be learner {learner}; kept apart as "
            + ", ".join(sorted({new_ids.get(k, learner) for k in people})))


def _teams_in(found: list[_Found], teams: bool, worksheet: Worksheet | None,
              report: CollectReport) -> bool:
    """True for a team assignment's download: said so (the option, or the worksheet's
    Group column), or holding a ``Default group`` folder (a Moodle folder without a
    number, which only a team assignment writes)."""
    if teams or (worksheet is not None and worksheet.teams):
        return True
    default = next((f for f in found if f.identity.lms == "Moodle"
                    and not f.identity.number), None)
    if default is not None:
        report.notes.append(
            f"{default.identity.source.rstrip('/')} is a team assignment's folder (only a "
            "team assignment has a folder without a number), so every Moodle folder here "
            "is read as a team's, its number as a group id")
    return default is not None


def _confirm(found: list[_Found], worksheet: Worksheet | None, teams: bool,
             report: CollectReport) -> list[_Found]:
    """Each Moodle file as the participants it stands for (:func:`who_is_it`): a team's
    file once per member listed in the worksheet; a file no participant can be confirmed
    for is refused with the reason."""
    if teams:  # the worksheet names a group only by its name: two alike are ambiguous
        numbers: dict[str, set[str]] = {}
        for f in found:
            if f.identity.lms == "Moodle":
                numbers.setdefault(slug(f.identity.name), set()).add(f.identity.number)
    out: list[_Found] = []
    if teams and worksheet is not None:
        for number, rows in sorted(worksheet.conflicts.items()):
            report.notes.append(
                f"participant {number} is listed twice in the worksheet "
                f"{worksheet.path.name}, as {rows}, so is given no team's notebook: download "
                "the worksheet from Moodle again (unedited)")
    for f in found:
        if teams and worksheet is not None and f.identity.lms == "Moodle" and len(
                numbers[slug(f.identity.name)]) > 1:
            report.refused.append((f.file, (
                f"two Moodle groups are called {f.identity.name!r} (numbers "
                f"{', '.join(sorted(numbers[slug(f.identity.name)]))}) and the worksheet "
                "names groups only by name: rename one group in Moodle (Participants › "
                "Groups), then download both files again")))
            continue
        people, why = who_is_it(f.identity, worksheet, teams)
        if why:
            report.refused.append((f.file, why))
        for person in people:
            out.append(_Found(f.file, person, f.mtime, disk=f.disk))
    return out


def plan(extracted: Path, assignment: str, mapping: dict[str, str] | None,
         report: CollectReport, *, renamed: dict[str, str] | None = None,
         not_notebooks: list[str] | None = None, worksheet: Worksheet | None = None,
         teams: bool = False) -> dict[str, _Found]:
    """The one notebook to collect for each learner (``{learner id: file}``), with every
    other file reported: not matched, not a notebook, or not used.

    ``renamed``: ``{path on disk: path in the download}`` for names the intake shortened
    (the download's name alone names the learner). ``not_notebooks``: the download's other
    files; a learner who handed in only such files (a zip of the notebook, a PDF, Moodle's
    online text) is named in the report, never dropped in silence.
    """
    renamed = renamed or {}
    wrapper = _strip_wrapper(extracted, assignment, renamed)
    found: list[_Found] = []
    for path in sorted(extracted.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        disk = path.relative_to(extracted).as_posix()
        file = renamed.get(disk, disk)
        ident = identify(file.removeprefix(wrapper), assignment)
        if ident is None:
            report.unmatched.append((file, "the path names no learner: no LMS folder or "
                                     "prefix, and no name beside the check's"))
            continue
        problem = _notebook_problem(path)
        if problem:
            report.refused.append((file, problem))
            continue
        found.append(_Found(file, ident, path.stat().st_mtime, disk=disk))
    teams = _teams_in(found, teams, worksheet, report)
    found = _confirm(found, worksheet, teams, report)
    handed_in = {f.identity.key for f in found}
    for file, _ in report.refused:  # a refused notebook is said already
        ident = identify(file.removeprefix(wrapper), assignment)
        if ident:
            handed_in.add(ident.key)
    for file in not_notebooks or ():
        ident = identify(file.removeprefix(wrapper), assignment)
        if ident is None and file.lower().endswith(".zip"):
            report.unmatched.append((file, "a zip inside the download: collect that zip "
                                     "itself"))
            continue
        if ident is None or ident.key in handed_in or (
                ident.lms == "plain" and not ident.source.endswith("/")):
            continue
        handed_in.add(ident.key)
        report.refused.append((file, f"{_who(ident, teams)} handed in no notebook, only this file: "
                               "ask them for the .ipynb itself (a zip of it is not unpacked)"))
    _resolve_ids(found, mapping, report)
    chosen: dict[str, _Found] = {}
    by_learner: dict[str, list[_Found]] = {}
    for f in found:
        by_learner.setdefault(f.learner, []).append(f)
    for learner, files in sorted(by_learner.items()):
        # Newest first (the LMS keeps the time each file was saved; Blackboard names it);
        # a tie goes to the file named exactly like the check, then to the path's order.
        def order(f: _Found):
            stamp = f.identity.timestamp or datetime.fromtimestamp(
                f.mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            return (stamp, Path(f.file).name == f"{assignment}.ipynb", _neg(f.file))
        files.sort(key=order, reverse=True)
        chosen[learner] = files[0]
        if len(files) > 1:
            report.duplicates[learner] = [f.file for f in files]
    return chosen


def _who(ident: Identity, teams: bool = False) -> str:
    """``Ana Lima (Moodle participant 4006)``: a learner as the facilitator finds them."""
    where = {"Moodle": f"Moodle {'group' if teams else 'participant'} {ident.number}",
             "Canvas": f"Canvas user {ident.number}" if ident.number else "Canvas"}
    return f"{ident.name or '(no name)'} ({where.get(ident.lms, 'from ' + ident.source)})"


def _neg(text: str) -> tuple[int, ...]:
    """Sorts ``text`` backwards (so a reversed sort keeps paths in ascending order)."""
    return tuple(-ord(ch) for ch in text)


# -- the nbgrader collector plugin ---------------------------------------------------------

class KitCollector(FileNameCollectorPlugin):
    """nbgrader ``zip_collect`` collector that files exactly what :func:`plan` chose.

    :func:`collect` decides who handed in each file (from the LMS's folder and prefix
    names, :mod:`coursekit.grading.lms`) and writes the plan; this plugin hands nbgrader
    the planned learner id, file id and time for those files, and nothing for any other.
    """

    plan = Unicode("", help="The JSON plan written by coursekit.grading.collect.collect: "
                   "{file inside the extracted folder: {student_id, timestamp}}.").tag(
        config=True)
    assignment = Unicode("", help="The assignment being collected (e.g. 01-check).").tag(
        config=True)
    extracted = Unicode("", help="The folder the files were extracted to.").tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        if not hasattr(self, "_plan"):
            self._plan = json.loads(Path(self.plan).read_text(encoding="utf-8")) \
                if self.plan else {}
        base = self.extracted or os.path.dirname(submitted_file)
        row = self._plan.get(Path(os.path.relpath(submitted_file, base)).as_posix())
        if not row:
            return None
        return {"student_id": row["student_id"], "file_id": f"{self.assignment}.ipynb",
                "timestamp": row["timestamp"]}


# -- the command -------------------------------------------------------------------------

@dataclass
class CollectReport:
    """What :func:`collect` did: who was collected, and what needs the facilitator's eye."""

    assignment: str
    collected: dict[str, str] = field(default_factory=dict)  # learner id -> file kept
    names: dict[str, str] = field(default_factory=dict)  # learner id -> name in the LMS
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # learner -> files, kept 1st
    clashes: list[str] = field(default_factory=list)
    replaced: dict[str, str] = field(default_factory=dict)  # learner -> what was replaced
    earlier: list[str] = field(default_factory=list)  # kept from an earlier collect
    ignored: int = 0
    notes: list[str] = field(default_factory=list)  # what the kit read the download as
    teams: dict[str, str] = field(default_factory=dict)  # learner -> the team's folder

    def lines(self) -> list[str]:
        out = [f"{self.assignment}: collected {len(self.collected)} learner(s) into submitted/"]
        out += [f"  note: {line}" for line in self.notes]
        for learner, team in sorted(self.teams.items()):
            out.append(f"  team: {learner}: {team}")
        for file, why in self.refused:
            out.append(f"  refused: {file}: {why}")
        for line in self.clashes:
            out.append(f"  names that read alike: {line}")
        for learner, files in sorted(self.duplicates.items()):
            who = f"{learner} ({self.names[learner]})" if learner in self.names else learner
            out.append(f"  several notebooks: {who} handed in {len(files)}; kept the one saved "
                       f"last, {files[0]} (not used: {', '.join(files[1:])})")
        for learner, what in sorted(self.replaced.items()):
            out.append(f"  replaced: {learner}'s earlier submission ({what})")
        if self.earlier:
            out.append(f"  kept from an earlier collect (not in this download): "
                       f"{', '.join(self.earlier)}")
        for file, why in self.unmatched:
            out.append(f"  not matched: {file} ({why})")
        if self.unmatched:
            out.append("  Put an unmatched file in a folder named after its learner (or "
                       f"rename it <learner>_{self.assignment}.ipynb) and collect again.")
        if self.ignored:
            out.append(f"  {self.ignored} file(s) that are not notebooks were left out "
                       "(receipts, attachments)")
        return out


def _nbgrader_env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def _snapshot(course: Path, assignment: str) -> dict[str, tuple[str, str]]:
    """``{learner: (hash of the notebook, its time)}`` of what submitted/ holds now."""
    out = {}
    for nb in (course / "submitted").glob(f"*/{assignment}/{assignment}.ipynb"):
        stamp = nb.parent / "timestamp.txt"
        out[nb.parent.parent.name] = (
            hashlib.sha256(nb.read_bytes()).hexdigest(),
            stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else "no time")
    return out


def collect(course: Path, assignment: str, source: Path, *,
            mapping: Path | None = None, limits: IntakeLimits | None = None,
            worksheet: Path | None = None, teams: bool = False,
            group_column: str | None = None) -> CollectReport:
    """Collect the notebooks in ``source`` (a folder or a zip) for ``assignment``.

    ``worksheet``: the assignment's Moodle grading worksheet; every Moodle folder is
    checked against its participants (a team's folder goes to each member it lists).
    ``teams``: the download is a Moodle team assignment's (also read from the worksheet).
    """
    course, source = Path(course).resolve(), Path(source).absolute()
    if not source.exists():
        raise GradingError(f"{source} does not exist; give the folder or zip of returned "
                           "notebooks")
    if not (course / "release" / assignment).is_dir():
        raise GradingError(f"{course / 'release' / assignment} does not exist; make the "
                           f"learners' version first (`nbgrader generate_assignment "
                           f"{assignment}`), so collected files can be checked against it")
    names = read_mapping(mapping) if mapping is not None else None
    sheet = read_worksheet(worksheet, group_column=group_column) \
        if worksheet is not None else None
    work = course / "downloaded" / assignment
    if work.exists():
        shutil.rmtree(work)
    extracted = work / "extracted"
    extracted.mkdir(parents=True)
    if not source.is_dir():
        check_source(source)  # a damaged zip and a file that is no zip each get their sentence
    intake = bring_in(source, extracted, limits)
    result = CollectReport(assignment, refused=list(intake.refused), ignored=intake.ignored)
    chosen = plan(extracted, assignment, names, result, renamed=intake.renamed,
                  not_notebooks=intake.not_notebooks, worksheet=sheet, teams=teams)
    if not chosen:
        return result
    rows = {}
    for learner, f in chosen.items():
        stamp = f.identity.timestamp or datetime.fromtimestamp(
            f.mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        disk = f.disk or f.file
        if f.identity.team and f.identity.lms == "Moodle":  # one team file, one copy per
            copy = Path(".coursekit-team-copies") / learner / f"{assignment}.ipynb"  # member
            (extracted / copy).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(extracted / disk, extracted / copy)
            disk = copy.as_posix()
            result.teams[learner] = (f"the notebook of the team {f.identity.team!r} "
                                     f"({f.identity.source.rstrip('/')})")
        elif f.identity.lms == "Moodle team":
            result.teams[learner] = (
                f"{f.identity.name!r} (Moodle group {f.identity.number or '(none)'}): no "
                "participant is known for it, so no grade or feedback goes back to Moodle "
                "by itself; collect again with --worksheet to give it to each member")
        rows[disk] = {"student_id": learner, "timestamp": stamp}
        result.collected[learner] = f.file
        result.names[learner] = f.identity.name
    plan_path = work / "plan.json"
    plan_path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    before = _snapshot(course, assignment)
    args = [sys.executable, "-m", "nbgrader", "zip_collect", assignment, "--force",
            "--collector=coursekit.grading.collect.KitCollector",
            f"--KitCollector.assignment={assignment}",
            f"--KitCollector.plan={plan_path}",
            f"--KitCollector.extracted={extracted}"]
    done = subprocess.run(args, cwd=course, env=_nbgrader_env(), capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise GradingError(f"nbgrader zip_collect could not collect {assignment}: "
                           + " / ".join(tail))
    after = _snapshot(course, assignment)
    for learner in sorted(before):
        if learner not in result.collected:
            result.earlier.append(learner)
        elif before[learner][0] != after.get(learner, ("",))[0]:
            result.replaced[learner] = (f"from {before[learner][1]}, by "
                                        f"{result.collected[learner]}")
    for learner in result.collected:
        folder = course / "submitted" / learner / assignment
        secret = folder / "submission_secret.txt"
        if folder.is_dir() and not secret.exists():
            secret.write_text(secrets.token_hex(64), encoding="utf-8")
    known = read_identities(course)
    for learner in sorted(result.collected):
        ident = chosen[learner].identity
        twins = sorted(other for other, who in known.items() if other != learner
                       and ident.number and who.get("number") == ident.number
                       and who.get("lms") == ident.lms)
        if twins:
            result.clashes.append(
                f"{ident.lms} {ident.number} ({ident.name!r}) was collected before as "
                f"{', '.join(twins)} and now as {learner}: one person under two ids (a mapping "
                "file given once and not again?); collect again with the same mapping file")
    record_identities(course, assignment, {learner: chosen[learner].identity
                                           for learner in result.collected},
                      checked=sheet is not None)
    return result


# -- the LMS identities, kept for the way back ------------------------------------------------

IDENTITIES = Path("lms") / "identities.json"


def record_identities(course: Path, assignment: str, people: dict[str, Identity], *,
                      checked: bool = False) -> Path:
    """Keep each learner's LMS identity (``COURSE/lms/identities.json``) for the export of
    marks and the feedback zip; a later collect updates, never forgets, a learner.
    ``checked``: the Moodle participants were confirmed against a grading worksheet."""
    path = Path(course) / IDENTITIES
    data = read_identities(course)
    for learner, ident in people.items():
        entry = data.setdefault(learner, {"assignments": {}})
        entry.update(lms=ident.lms, name=ident.name, number=ident.number)
        entry["assignments"][assignment] = {"source": ident.source, "late": ident.late}
        if ident.team:
            entry["assignments"][assignment]["team"] = ident.team
        if checked and ident.lms == "Moodle":
            entry["assignments"][assignment]["checked"] = True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")
    return path


def read_identities(course: Path) -> dict[str, dict]:
    """``{learner id: {"lms", "name", "number", "assignments": {...}}}`` (empty: none)."""
    path = Path(course) / IDENTITIES
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
