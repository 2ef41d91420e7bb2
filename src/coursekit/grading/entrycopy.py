"""Copy one checked inbound entry exactly as it was checked, whatever its owner does meanwhile.

A learner owns their own inbound entry, so between :class:`~coursekit.grading.inbound.
CheckedCollect`'s check and the copy they may swap a notebook for a link (to the answer
key, say), the whole entry for a link to another folder, or the entry for another folder
of their own. nbgrader's copy (``shutil.copytree``) follows links, so the copy must not
trust names: :func:`copy_checked` opens the entry and everything in it by file descriptor,
never following a link, and copies only what is still the folder that was checked
(:class:`Checked`: same inode, same owner, nothing changed since) into a private folder
of the facilitator's. Anything else is a problem sentence and nothing is kept.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

__all__ = ["Checked", "copy_checked"]

_DIR = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_DIRECTORY", 0)
_FILE = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Checked:
    """What the check saw of one entry: its folder's ``(st_dev, st_ino)``, the account that
    must own everything in it (None: not checked), the latest change time in it, the most
    bytes it may hold and the deepest its folders may go."""

    inode: tuple[int, int]
    uid: int | None
    changed: float
    max_bytes: int | None
    max_depth: int


class _Refused(Exception):
    pass


def copy_checked(src: str, dest: str, checked: Checked) -> str | None:
    """Copy the entry ``src`` to the new folder ``dest`` by file descriptor; the reason it
    was not (``dest`` may then hold part of it: remove it), or None."""
    try:
        top = os.open(src, _DIR)
    except OSError as exc:
        return (f"became a link, or was removed, after the check ({exc.strerror}); "
                "nothing of it was collected")
    try:
        info = os.fstat(top)
        if (info.st_dev, info.st_ino) != checked.inode:
            return ("changed after the check: another folder now has its name (swapped in by "
                    "its owner); nothing of it was collected")
        _copy_folder(top, info, dest, checked, "", [0])
    except _Refused as why:
        return str(why)
    except OSError as exc:
        return f"could not be copied ({exc.strerror}: {exc.filename or ''})"
    finally:
        os.close(top)
    return None


def _same(info: os.stat_result, rel: str, checked: Checked) -> None:
    where = rel or "the entry's folder"
    if checked.uid is not None and info.st_uid != checked.uid:
        raise _Refused(f"holds {where}, written by another account (uid {info.st_uid}) "
                       "after the check")
    if info.st_ctime > checked.changed:
        raise _Refused(f"{where} changed after the check (while it was being collected); "
                       "nothing of it was collected: collect again once its owner stops")


def _copy_folder(fd: int, info: os.stat_result, dest: str, checked: Checked, rel: str,
                 total: list[int]) -> None:
    if rel.count("/") + bool(rel) > checked.max_depth:
        raise _Refused(f"holds folders more than {checked.max_depth} deep ({rel})")
    os.mkdir(dest, 0o700)
    for name in sorted(os.listdir(fd)):
        child = f"{rel}/{name}" if rel else name
        inner = os.stat(name, dir_fd=fd, follow_symlinks=False)
        if stat.S_ISLNK(inner.st_mode):
            raise _Refused(f"holds a link ({child}) put there after the check")
        if stat.S_ISDIR(inner.st_mode):
            sub = os.open(name, _DIR, dir_fd=fd)
            try:
                _copy_folder(sub, os.fstat(sub), os.path.join(dest, name), checked, child,
                             total)
            finally:
                os.close(sub)
        elif stat.S_ISREG(inner.st_mode):
            _copy_file(fd, name, os.path.join(dest, name), checked, child, total)
        else:
            raise _Refused(f"holds {child}, not a regular file, put there after the check")
    _same(os.fstat(fd), rel, checked)  # last: a swap inside it shows in its change time
    os.chmod(dest, stat.S_IMODE(info.st_mode) | stat.S_IRWXU)
    os.utime(dest, ns=(info.st_atime_ns, info.st_mtime_ns))


def _copy_file(dir_fd: int, name: str, dest: str, checked: Checked, rel: str,
               total: list[int]) -> None:
    try:
        fd = os.open(name, _FILE, dir_fd=dir_fd)
    except OSError as exc:
        raise _Refused(f"holds {rel}, which became a link or went after the check "
                       f"({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(f"holds {rel}, not a regular file, put there after the check")
        _same(info, rel, checked)
        with open(dest, "xb") as out:
            while chunk := os.read(fd, _CHUNK):
                total[0] += len(chunk)
                if checked.max_bytes is not None and total[0] > checked.max_bytes:
                    raise _Refused(f"grew past the {checked.max_bytes // 1_000_000} MB an "
                                   f"entry may hold after the check ({rel})")
                out.write(chunk)
        _same(os.fstat(fd), rel, checked)  # written to while being read
        os.chmod(dest, stat.S_IMODE(info.st_mode) | stat.S_IRUSR)
        os.utime(dest, ns=(info.st_atime_ns, info.st_mtime_ns))
    finally:
        os.close(fd)
