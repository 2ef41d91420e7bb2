"""Journal exports the learner sees and controls.

An export is a copy of the learner's own words, so it goes only where they can see
it and chose it, and never where it could be handed in by accident:

* From a lesson, an export is a real **download**: one click on a link styled as a
  button, and the browser saves it to its downloads folder (:func:`download_html` builds
  the link; nothing is written on the server side).
* From the command line, ``coursekit journal export`` writes into the current folder,
  or the file or folder given with ``-o``, owner-only (0600). It refuses a folder
  that holds notebooks (a lesson or assignment folder), the kit's ``lessons/``, and
  anything inside an nbgrader course, where ``nbgrader submit`` or ``collect`` could
  pick the copy up; it says why and what to do instead.
* Every file written is remembered (its path and a fingerprint, never its text) in
  ``exports.json`` beside the journal, so erasing everything removes those copies as
  well, and says plainly which copies remain (edited since, or downloads the kit
  cannot see).

Imports nothing from Jupyter (the command line and the browser edition use it too).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import config
from .errors import JournalError
from .journal import Journal

#: Every export's file name starts with this (nbgrader's ignore list matches it too).
PREFIX = "coursekit-journal"
FORMATS = {"md": ("Markdown", ".md", "text/markdown"),
           "html": ("HTML", ".html", "text/html")}
LOG = "exports.json"
#: Name patterns nbgrader ignores on submit and collect (facilitator/nbgrader).
NBGRADER_IGNORE = [f"{PREFIX}*", "journal-*.md", "journal-*.html", "*-journal.md",
                   "*-journal.html"]
_NBGRADER_MARKERS = ("nbgrader_config.py", "gradebook.db")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise JournalError(f"export format {fmt!r} is not one of {sorted(FORMATS)}; "
                           "use md (Markdown) or html (a web page)")


def render(journal: Journal, fmt: str) -> str:
    """The export's text. Refuses to export a journal that was just replaced.

    When the journal file could not be read, it is moved aside and a new, empty one
    started (:attr:`Journal.notice`); an export then would be empty and look like a
    lost journal, so this raises instead, naming where the old file went.
    """
    _check_format(fmt)
    text = journal.export_markdown() if fmt == "md" else journal.export_html()
    if journal.notice:
        broken = journal.broken_files()
        where = f" The damaged file is kept at {broken[-1]}." if broken else ""
        raise JournalError(
            f"{journal.notice} Nothing was exported, because the new journal is empty.{where} "
            "Keep that file: a helper or a SQLite tool may recover it; your next "
            "reflections are saved in the new journal.")
    return text


def default_name(fmt: str, when: datetime | None = None) -> str:
    _check_format(fmt)
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{PREFIX}-{stamp}{FORMATS[fmt][1]}"


def unsafe_reason(folder: Path) -> str | None:
    """Why ``folder`` must not receive an export (None when it may)."""
    folder = Path(folder).expanduser().resolve()
    with contextlib.suppress(config.ConfigError, OSError):
        lessons = config.lessons_dir().resolve()
        if folder == lessons or lessons in folder.parents:
            return (f"{folder} is the course's lessons folder; an export there would sit "
                    "beside the lesson notebooks and could be shared with them")
    for place in (folder, *folder.parents):
        for marker in _NBGRADER_MARKERS:
            if (place / marker).exists():
                return (f"{folder} is inside an nbgrader course ({place / marker}); "
                        "an export there could be submitted or collected")
    try:
        notebooks = any(folder.glob("*.ipynb"))
    except OSError:
        notebooks = False
    if notebooks:
        return (f"{folder} holds notebooks (a lesson or assignment folder); an export there "
                "could be submitted or collected with them")
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _log_path(journal: Journal) -> Path:
    return journal.path.parent / LOG


def _read_log(journal: Journal) -> list[dict]:
    try:
        items = json.loads(_log_path(journal).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [i for i in items if isinstance(i, dict) and "path" in i] if isinstance(
        items, list) else []


def _write_log(journal: Journal, items: list[dict]) -> None:
    path = _log_path(journal)
    if not items:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(path, json.dumps(items, indent=1) + "\n")


def write_export(journal: Journal, fmt: str, output: Path | str | None = None) -> Path:
    """Write an export to ``output`` (a file, or a folder), default the current folder.

    Refuses (with the reason and what to do) a place where the copy could be handed
    in; the file is owner-only (0600) and remembered for :func:`erase_exports`.
    """
    _check_format(fmt)
    target = Path(output).expanduser() if output is not None else Path.cwd()
    if target.is_dir():
        target = target / default_name(fmt)
    reason = unsafe_reason(target.parent)
    if reason:
        raise JournalError(f"Not exported: {reason}. Choose a folder of your own, for "
                           "example your Documents folder: coursekit journal export "
                           f"--format {fmt} -o ~/Documents")
    if not target.parent.is_dir():
        raise JournalError(f"Not exported: the folder {target.parent} does not exist; "
                           "create it first or choose another one with -o")
    text = render(journal, fmt)
    try:
        _write_private(target, text)
    except OSError as exc:
        raise JournalError(f"Not exported: {target} could not be written ({exc.strerror}); "
                           "choose another folder with -o") from exc
    items = [i for i in _read_log(journal) if Path(i["path"]) != target.resolve()]
    items.append({"path": str(target.resolve()), "sha256": _digest(text),
                  "at": datetime.now().astimezone().isoformat(timespec="seconds")})
    with contextlib.suppress(OSError):
        _write_log(journal, items)
    return target


@dataclass
class ExportCopies:
    """What erasing did to the copies: removed, and kept (with the reason)."""

    removed: list[Path]
    kept: list[tuple[Path, str]]

    def sentences(self) -> list[str]:
        out = []
        if self.removed:
            out.append(f"Removed {len(self.removed)} exported copy(ies): "
                       + ", ".join(str(p) for p in self.removed) + ".")
        for path, why in self.kept:
            out.append(f"Still there: {path} ({why}); delete it yourself if you wish.")
        out.append("Copies you downloaded from a lesson are in your browser's downloads "
                   "folder; the kit cannot see or erase those.")
        return out


def known_exports(journal: Journal) -> list[Path]:
    """Every export the kit wrote that is still there (and old-style ones beside the journal)."""
    found = [Path(i["path"]) for i in _read_log(journal) if Path(i["path"]).is_file()]
    legacy = journal.path.parent / "exports"
    if legacy.is_dir():
        found += sorted(p for p in legacy.glob("journal-*") if p.is_file())
    return found


def erase_exports(journal: Journal) -> ExportCopies:
    """Remove every export the kit wrote that is unchanged; report the ones kept."""
    removed: list[Path] = []
    kept: list[tuple[Path, str]] = []
    remaining = []
    for item in _read_log(journal):
        path = Path(item["path"])
        if not path.is_file():
            continue
        try:
            same = _digest(path.read_text("utf-8")) == item.get("sha256")
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            kept.append((path, "changed since it was exported, so it is yours now"))
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError as exc:
            kept.append((path, f"could not be removed: {exc.strerror}"))
            remaining.append(item)
    legacy = journal.path.parent / "exports"
    if legacy.is_dir():
        for path in sorted(legacy.glob("journal-*")):
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:
                kept.append((path, f"could not be removed: {exc.strerror}"))
        with contextlib.suppress(OSError):
            legacy.rmdir()
    with contextlib.suppress(OSError):
        _write_log(journal, remaining)
    return ExportCopies(removed, kept)


def download_html(journal: Journal, fmt: str, label: str | None = None) -> tuple[str, str]:
    """``(file name, HTML)`` of a link that downloads an export in the learner's browser.

    The export travels inside the link (a ``data:`` address); nothing is written on
    the server, and the browser saves it where the learner's downloads go. The link is
    styled as a button (``coursekit-download``); ``label`` is its text (default
    "Save <file name>").
    """
    text = render(journal, fmt)
    name = default_name(fmt)
    mime = FORMATS[fmt][2]
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    link = (f'<a class="coursekit-download" download="{html.escape(name)}" '
            f'href="data:{mime};charset=utf-8;base64,{payload}">'
            f"{html.escape(label or f'Save {name}')}</a>")
    return name, link
