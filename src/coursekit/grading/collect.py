"""Route 2, no shared machine: gather returned notebooks from a folder or a zip.

Learners hand their check back however the group works (e-mail, a USB stick, an LMS
"download all submissions" zip). :func:`collect` puts those files where nbgrader
expects them, ``submitted/<learner id>/<assignment>/<assignment>.ipynb``, by running
nbgrader's own ``zip_collect`` with :class:`KitCollector`, a collector plugin that
recognises the file names common LMSs give, and an optional CSV that maps names in
file names to learner ids. It then reports the files it could not match and the
learners who handed in more than one copy (the newest copy is kept).

Every collected submission gets the two small files nbgrader's exchange would have
written (``timestamp.txt`` and ``submission_secret.txt``), so ``generate_feedback``,
``release_feedback`` and every other nbgrader step work on these submissions exactly as
on exchange submissions.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

from ..errors import GradingError
from .arguments import check_source

__all__ = ["CollectReport", "KitCollector", "collect", "learner_key", "read_mapping"]

#: The columns a mapping CSV needs (any other columns are ignored).
MAPPING_COLUMNS = ("in_file_name", "learner_id")
_LEARNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


# -- recognising file names ------------------------------------------------------------

def _patterns(assignment: str) -> list[tuple[str, re.Pattern]]:
    a = re.escape(assignment)
    nb = rf"{a}(?:-\d+)?\.ipynb"  # Canvas adds -1, -2 to a re-submitted file's name
    return [
        # Moodle: "Ana Lima_1234_assignsubmission_file_01-check.ipynb", or a folder
        # "Ana Lima_1234_assignsubmission_file_/01-check.ipynb"
        ("Moodle", re.compile(
            rf"^(?P<name>[^/_]+?)_(?P<number>\d+)_assignsubmission_[a-z]+_/?(?:.*/)?{nb}$")),
        # Blackboard: "01-check_alima_attempt_2024-03-01-10-15-00_01-check.ipynb"
        ("Blackboard", re.compile(
            rf"^(?:.*/)?{a}_(?P<name>[^/_]+)_attempt_(?P<timestamp>[\d-]+)_{nb}$")),
        # Canvas: "limaana_1234_5678_01-check.ipynb", "limaana_LATE_1234_5678_01-check-1.ipynb"
        ("Canvas", re.compile(
            rf"^(?:.*/)?(?P<name>[a-z0-9]+)_(?:LATE_)?(?P<number>\d+)_\d+_{nb}$")),
        # Plain: "ana-lima_01-check.ipynb", "01-check_ana-lima.ipynb", "ana-lima/01-check.ipynb"
        ("plain", re.compile(rf"^(?:.*/)?(?P<name>[^/]+?)[ _-]+{nb}$")),
        ("plain", re.compile(rf"^(?:.*/)?{a}[ _-]+(?P<name>[^/]+?)\.ipynb$")),
        ("folder", re.compile(rf"^(?:.*/)?(?P<name>[^/]+)/{nb}$")),
    ]


def learner_key(text: str) -> str:
    """How a name from a file name is compared: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9@.]+", "-", text.strip().lower()).strip("-.")


def _clean(relative: str) -> str:
    """A file name without the copy marks browsers and systems add: " (1)", " copy"."""
    stem, ext = os.path.splitext(relative)
    stem = re.sub(r"(?:\s*\(\d+\)|\s+copy(?:\s+\d+)?)$", "", stem)
    return stem + ext


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping CSV: ``in_file_name,learner_id`` per row (a name, login or LMS number as it
    appears in file names, and the learner id to file it under)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
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


def match_file(relative: str, assignment: str, mapping: dict[str, str] | None = None
               ) -> dict | None:
    """Who handed in the file at ``relative`` (a path inside the collected folder).

    Returns ``{"student_id", "file_id", "lms", "key"}`` (and ``"timestamp"`` when the
    name carries one), or None when the name does not say.
    """
    relative = _clean(relative.replace(os.sep, "/"))
    for lms, pattern in _patterns(assignment):
        m = pattern.match(relative)
        if not m:
            continue
        groups = m.groupdict()
        candidates = [groups.get("name") or "", groups.get("number") or ""]
        if mapping is not None:
            learner = next((mapping[learner_key(c)] for c in candidates
                            if c and learner_key(c) in mapping), None)
            if learner is None:
                return {"student_id": None, "lms": lms, "key": candidates[0]}
        else:
            learner = learner_key(candidates[0])
            if not learner or not _LEARNER_ID.match(learner):
                continue
        out = {"student_id": learner, "file_id": f"{assignment}.ipynb", "lms": lms,
               "key": candidates[0]}
        if groups.get("timestamp"):
            out["timestamp"] = _blackboard_time(groups["timestamp"])
        return out
    return None


def _blackboard_time(text: str) -> str:
    parts = text.split("-")
    if len(parts) == 6:
        y, mo, d, h, mi, s = parts
        return f"{y}-{mo}-{d} {h}:{mi}:{s}"
    return text


# -- the nbgrader collector plugin ---------------------------------------------------------

class KitCollector(FileNameCollectorPlugin):
    """nbgrader ``zip_collect`` collector: LMS file names, an optional mapping CSV.

    Recognised names (``01-check`` stands for the assignment):
    Moodle ``Ana Lima_1234_assignsubmission_file_01-check.ipynb`` (or such a folder),
    Canvas ``limaana_1234_5678_01-check.ipynb`` (``_LATE_``, ``-1`` re-submissions),
    Blackboard ``01-check_alima_attempt_2024-03-01-10-15-00_01-check.ipynb``, and plain
    ``ana-lima_01-check.ipynb``, ``01-check_ana-lima.ipynb``, ``ana-lima/01-check.ipynb``.
    A file's time is the one in its name, else the file's own time (kept from the zip).
    """

    assignment = Unicode("", help="The assignment being collected (e.g. 01-check).").tag(
        config=True)
    mapping = Unicode("", help="A CSV with in_file_name,learner_id columns.").tag(config=True)
    report = Unicode("", help="Where to write a JSON list of every file and its match.").tag(
        config=True)
    extracted = Unicode("", help="The folder the files were extracted to.").tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        if not hasattr(self, "_rows"):
            self._rows: list[dict] = []
            self._map = read_mapping(Path(self.mapping)) if self.mapping else None
        base = self.extracted or os.path.dirname(submitted_file)
        relative = os.path.relpath(submitted_file, base)
        row = {"file": relative, "student_id": None}
        info = None
        if submitted_file.endswith(".ipynb"):
            info = match_file(relative, self.assignment, self._map)
        if info and info.get("student_id"):
            info.setdefault("timestamp", datetime.fromtimestamp(
                os.path.getmtime(submitted_file), timezone.utc).strftime(
                "%Y-%m-%d %H:%M:%S.%f UTC"))
            row.update(info)
        elif info:
            row.update(info, reason="not in the mapping file")
        else:
            row["reason"] = ("not a notebook" if not submitted_file.endswith(".ipynb")
                             else "the name says neither who nor which check")
        self._rows.append(row)
        if self.report:
            Path(self.report).write_text(json.dumps(self._rows, indent=1), encoding="utf-8")
        if not row.get("student_id"):
            return None
        return {k: row[k] for k in ("student_id", "file_id", "timestamp")}


# -- the command -------------------------------------------------------------------------

@dataclass
class CollectReport:
    """What :func:`collect` did: who was collected, and what needs the facilitator's eye."""

    assignment: str
    collected: dict[str, str] = field(default_factory=dict)  # learner id -> file kept
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # learner -> files, kept 1st

    def lines(self) -> list[str]:
        out = [f"{self.assignment}: collected {len(self.collected)} learner(s) into submitted/"]
        for learner, files in sorted(self.duplicates.items()):
            out.append(f"  duplicate: {learner} handed in {len(files)} files; kept the newest, "
                       f"{files[0]} (not used: {', '.join(files[1:])})")
        for file, why in self.unmatched:
            out.append(f"  not matched: {file} ({why})")
        if self.unmatched:
            out.append("  Rename an unmatched file to <learner id>_" + self.assignment +
                       ".ipynb, or add its name to the mapping CSV, and collect again.")
        return out


def _extract(source: Path, into: Path) -> None:
    """Copy a folder, or unpack a zip, into ``into``, keeping each file's time."""
    if source.is_dir():
        shutil.copytree(source, into, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__MACOSX"))
        return
    check_source(source)  # a damaged zip and a file that is no zip each get their sentence
    with zipfile.ZipFile(source) as zf:
        for info in zf.infolist():
            name = info.filename
            parts = Path(name).parts
            if info.is_dir() or "__MACOSX" in parts or ".." in parts or name.startswith("/"):
                continue
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (stamp, stamp))


def _nbgrader_env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def collect(course: Path, assignment: str, source: Path, *,
            mapping: Path | None = None) -> CollectReport:
    """Collect the notebooks in ``source`` (a folder or a zip) for ``assignment``."""
    course, source = Path(course).resolve(), Path(source).resolve()
    if not source.exists():
        raise GradingError(f"{source} does not exist; give the folder or zip of returned "
                           "notebooks")
    if not (course / "release" / assignment).is_dir():
        raise GradingError(f"{course / 'release' / assignment} does not exist; make the "
                           f"learners' version first (`nbgrader generate_assignment "
                           f"{assignment}`), so collected files can be checked against it")
    if mapping is not None:
        read_mapping(mapping)  # fail early, with the CSV's own message
    work = course / "downloaded" / assignment
    if work.exists():
        shutil.rmtree(work)
    extracted = work / "extracted"
    extracted.mkdir(parents=True)
    _extract(source, extracted)
    report_path = work / "matches.json"
    args = [sys.executable, "-m", "nbgrader", "zip_collect", assignment, "--force",
            "--collector=coursekit.grading.collect.KitCollector",
            f"--KitCollector.assignment={assignment}",
            f"--KitCollector.report={report_path}",
            f"--KitCollector.extracted={extracted}"]
    if mapping is not None:
        args.append(f"--KitCollector.mapping={Path(mapping).resolve()}")
    done = subprocess.run(args, cwd=course, env=_nbgrader_env(), capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise GradingError(f"nbgrader zip_collect could not collect {assignment}: "
                           + " / ".join(tail))
    rows = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else []
    result = CollectReport(assignment)
    by_learner: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("student_id"):
            by_learner.setdefault(row["student_id"], []).append(row)
        elif not row["file"].endswith(".ipynb"):
            continue  # attachments and LMS receipts are not submissions
        else:
            result.unmatched.append((row["file"], row.get("reason", "")))
    for learner, found in sorted(by_learner.items()):
        # zip_collect keeps the newest copy (a later or equal time replaces an earlier one)
        newest = sorted(found, key=lambda r: (r["timestamp"], r["file"]), reverse=True)
        result.collected[learner] = newest[0]["file"]
        if len(found) > 1:
            result.duplicates[learner] = [r["file"] for r in newest]
        folder = course / "submitted" / learner / assignment
        secret = folder / "submission_secret.txt"
        if folder.is_dir() and not secret.exists():
            secret.write_text(secrets.token_hex(64), encoding="utf-8")
    return result
