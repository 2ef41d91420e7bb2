"""Bring returned notebooks in safely: only regular files, and zips with a size cap.

A folder or zip of returned work is the learners' input, so nothing in it is trusted:

* only regular files are read. A link (even one to ``/proc/self/cwd/...`` or
  ``/dev/zero``), a named pipe, a device or a folder named like a notebook is refused with
  one line, and the rest goes on. Files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and
  checked with ``fstat`` on the open descriptor, so a file swapped for a link or a pipe
  between the look and the open is refused too, and a pipe never blocks the run;
* a zip's links and paths that leave the folder (``../``, ``/etc/...``) are refused, and
  what it expands to is capped per file, in total and in number of notebooks
  (:class:`IntakeLimits`), counting every byte actually expanded (kept or refused), not the
  sizes the zip declares, so a zip of many entries that each stop at the cap stops too;
* a damaged, encrypted or twice-named entry is refused on its own; the others are kept;
* a name too long for the disk (a long name in a Moodle folder) is shortened on disk
  only: :attr:`Intake.renamed` keeps the name the LMS gave, which alone names the learner;
* a zip made on a Mac stores UTF-8 names without saying so: they are read as UTF-8;
* only ``.ipynb`` files are copied (an LMS receipt or an attachment is never graded).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import GradingError

__all__ = ["Intake", "IntakeLimits", "bring_in"]

_SKIP = {".ipynb_checkpoints", "__MACOSX", ".DS_Store"}
_CHUNK = 1024 * 1024
MB = 1024 * 1024
#: How deep a download's folders may go (Python's own walks stop near a thousand).
MAX_DEPTH = 32


@dataclass(frozen=True)
class IntakeLimits:
    """How much a collection may expand to (``coursekit grade collect --max-file-mb``...)."""

    file_bytes: int = 50 * MB  # one notebook (autograding refuses larger ones anyway)
    total_bytes: int = 2048 * MB  # everything expanded from one download
    files: int = 20_000  # notebooks taken from one zip (--max-files)


@dataclass
class Intake:
    """What :func:`bring_in` copied, and what it refused (``(path, one sentence)``)."""

    copied: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    ignored: int = 0  # files that are not notebooks (receipts, attachments)
    not_notebooks: list[str] = field(default_factory=list)  # their paths
    total: int = 0  # bytes expanded, kept or refused
    renamed: dict[str, str] = field(default_factory=dict)  # path on disk -> path in the zip


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _is_notebook_name(name: str) -> bool:
    return name.lower().endswith(".ipynb")


class _Sink:
    """Writes one file under the caps; too much raises ``_TooBig``."""

    def __init__(self, intake: Intake, limits: IntakeLimits):
        self.intake, self.limits = intake, limits

    def write(self, read, target: Path) -> None:
        room = min(self.limits.file_bytes, self.limits.total_bytes - self.intake.total)
        if room <= 0:  # the budget is spent: nothing more is expanded
            raise _TooBig(False)
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        out = target.open("xb")  # never over a file already taken (only ours is removed)
        try:
            with out:
                while chunk := read(_CHUNK):
                    written += len(chunk)
                    if written > room:
                        raise _TooBig(written > self.limits.file_bytes)
                    out.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            self.intake.total += written  # expanded bytes count, kept or refused


class _TooBig(Exception):
    def __init__(self, per_file: bool):
        self.per_file = per_file


def _too_big(limits: IntakeLimits, per_file: bool) -> str:
    if per_file:
        return (f"larger than the {limits.file_bytes // MB} MB a notebook may be: refused "
                "(raise --max-file-mb if it is honest)")
    return (f"the collection would pass its {limits.total_bytes // MB} MB in all: refused "
            "(raise --max-total-mb if the class's files are honest)")


def _copy_folder(source: Path, into: Path, intake: Intake, limits: IntakeLimits,
                 rel: PurePosixPath | None = None) -> None:
    rel = rel or PurePosixPath()
    if len(rel.parts) > MAX_DEPTH:
        intake.refused.append((f"{rel}/", f"folders more than {MAX_DEPTH} deep: refused"))
        return
    sink = _Sink(intake, limits)
    try:
        entries = sorted(os.scandir(source / rel), key=lambda e: e.name)
    except OSError as exc:
        intake.refused.append((f"{rel}/", f"cannot be read ({exc.strerror}): skipped"))
        return
    for entry in entries:
        if entry.name in _SKIP or entry.name.startswith("._"):  # a Mac's AppleDouble file
            continue
        path = rel / entry.name
        if entry.is_symlink():
            if _is_notebook_name(entry.name) or entry.is_dir():
                intake.refused.append((str(path), "a link, not a file: refused (links are "
                                       "never followed; ask for the file itself)"))
            continue
        if entry.is_dir(follow_symlinks=False):
            if _is_notebook_name(entry.name):
                intake.refused.append((str(path), "a folder named like a notebook: refused"))
                continue
            _copy_folder(source, into, intake, limits, path)
            continue
        if not _is_notebook_name(entry.name):
            intake.ignored += 1
            intake.not_notebooks.append(str(path))
            continue
        try:
            fd = os.open(source / path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            why = ("a link, not a file: refused" if exc.errno == getattr(os, "ELOOP", -1)
                   else f"cannot be opened ({exc.strerror}): refused")
            intake.refused.append((str(path), why))
            continue
        with os.fdopen(fd, "rb", buffering=0) as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                intake.refused.append((str(path), f"{_kind(info.st_mode)}, not a file: "
                                       "refused"))
                continue
            try:
                sink.write(f.read, into / path)
            except _TooBig as exc:
                intake.refused.append((str(path), _too_big(limits, exc.per_file)))
                continue
        os.utime(into / path, (info.st_mtime, info.st_mtime))
        intake.copied.append(str(path))


_NAME_MAX = 255  # bytes in one file or folder name, on the file systems the kit runs on


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as the zip meant it: ``/``-separated, UTF-8 even when the zip
    (made on a Mac, by Archive Utility or ``ditto``) forgot to set its UTF-8 flag, NFC."""
    name = info.filename
    if not info.flag_bits & 0x800:
        # else really cp437 (an old Windows zip): kept as Python read it
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = info.orig_filename.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def _on_disk(parts: tuple[str, ...]) -> PurePosixPath:
    """``parts`` with any name too long for the disk shortened (its start, a hash of the
    whole, and its extension), so a long name is never a reason to lose a file."""
    short = []
    for part in parts:
        if len(part.encode("utf-8")) > _NAME_MAX:
            digest = hashlib.sha256(part.encode("utf-8")).hexdigest()[:10]
            ext = ".ipynb" if _is_notebook_name(part) else ""
            head = part.encode("utf-8")[:150].decode("utf-8", "ignore")
            part = f"{head}~{digest}{ext}"
        short.append(part)
    return PurePosixPath(*short)


def _unzip(source: Path, into: Path, intake: Intake, limits: IntakeLimits) -> None:
    sink = _Sink(intake, limits)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise GradingError(f"{source} cannot be opened as a zip ({exc}); download it "
                           "again from the LMS") from None
    taken: set[PurePosixPath] = set()
    over = 0
    with zf:
        for info in zf.infolist():
            name = _entry_name(info)
            parts = PurePosixPath(name).parts
            if any(p in _SKIP for p in parts) or (parts and parts[-1].startswith("._")):
                continue  # a Mac's extras (__MACOSX/, .DS_Store, ._name AppleDouble files)
            if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
                intake.refused.append((name, "its path leaves the download's folder: "
                                       "refused"))
                continue
            if len(parts) > MAX_DEPTH + 1:
                intake.refused.append((name, f"its path is more than {MAX_DEPTH} folders "
                                       "deep: refused"))
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                intake.refused.append((name, "a link stored in the zip, not a file: "
                                       "refused"))
                continue
            if info.is_dir():
                if _is_notebook_name(name.rstrip("/")):
                    intake.refused.append((name, "a folder named like a notebook: refused"))
                continue
            if not _is_notebook_name(name):
                intake.ignored += 1
                intake.not_notebooks.append(name)
                continue
            if mode and stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                intake.refused.append((name, f"{_kind(mode)} stored in the zip: refused"))
                continue
            if info.flag_bits & 0x1:
                intake.refused.append((name, "encrypted in the zip (it needs a password): "
                                       "refused; ask for the notebook itself"))
                continue
            if info.file_size > limits.file_bytes:
                intake.refused.append((name, _too_big(limits, True)))
                continue
            disk = _on_disk(parts)
            if disk in taken:
                intake.refused.append((name, "the zip holds this name twice: the first one "
                                       "is kept, this one refused"))
                continue
            if len(taken) >= limits.files:
                over += 1
                continue
            if intake.total >= limits.total_bytes:  # spent: nothing more is expanded
                intake.refused.append((name, _too_big(limits, False)))
                continue
            target = into / disk
            try:
                with zf.open(info) as src:
                    sink.write(src.read, target)
            except _TooBig as exc:
                intake.refused.append((name, _too_big(limits, exc.per_file)))
                continue
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
                    ValueError, zlib.error, LookupError) as exc:
                if isinstance(exc, FileExistsError | NotADirectoryError):
                    why = "its path is taken by another entry of the same name: refused"
                else:
                    why = f"damaged in the zip ({exc}): refused"
                intake.refused.append((name, why))
                continue
            taken.add(disk)
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            os.utime(target, (stamp, stamp))
            intake.copied.append(name)
            if disk.as_posix() != name:
                intake.renamed[disk.as_posix()] = name
    if over:
        intake.refused.append((f"{over} more notebook(s)", f"the zip holds more than "
                               f"{limits.files} notebooks: the rest refused (a zip of this "
                               "many is not one class's download; raise --max-files if it "
                               "is)"))


def bring_in(source: Path, into: Path, limits: IntakeLimits | None = None) -> Intake:
    """Copy the notebooks of a folder, or unpack those of a zip, into ``into``."""
    limits = limits or IntakeLimits()
    intake = Intake()
    source = Path(source)
    if source.is_dir():
        _copy_folder(source, into, intake, limits)
    elif zipfile.is_zipfile(source):
        _unzip(source, into, intake, limits)
    else:
        raise GradingError(f"{source} is neither a folder nor a zip file; give the folder "
                           "or the .zip your LMS downloaded")
    return intake
