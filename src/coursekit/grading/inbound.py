"""Route 1: collect from the shared exchange only what each learner's own account handed in.

On a shared exchange every account may write into ``inbound/`` (that is how
``nbgrader submit`` works), and an entry's name says whose it is:
``<user>+<assignment>+<time>+<random>``. Plain nbgrader only warns when the entry's
owner is another account, and takes the newest time, so one learner could hand in work in
another's name, or with a time far in the future that wins over every later submission.

:class:`CheckedCollect` is nbgrader's own collector with a check first: an entry is
collected only if it is a real folder (not a link), owned, with everything in it, by the
account its name carries, holding only folders and regular files (a named pipe would stop
nbgrader's copy, and with it the whole class's collect), no larger than nbgrader copies
(``CourseDirectory.max_dir_size``), its time is not in the future, and its
``timestamp.txt`` (where nbgrader reads lateness from) says the time in its name, as
``nbgrader submit`` writes it (the whole file, one short plain line: nbgrader reads all of
it, and padding after a good time moves or breaks what it reads), and nothing in it
changed more than ten minutes after that time (by the kernel's change time, which no
learner can set: a learner owns their entry and could otherwise edit it in place after
the deadline). Anything else is reported (one line each, in nbgrader's log and
:attr:`CheckedCollect.refused`) and never graded; the learner's own newest honest entry is
collected instead, also when the chosen one cannot be copied. A learner's earlier
collected copy is replaced only by an entry already copied whole, and put back if
nbgrader's copy then fails. The course's ``nbgrader_config.py`` makes it the collector of
``nbgrader collect`` and the Formgrader.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import sys
import tempfile
from datetime import datetime, timedelta, timezone

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import parse_utc
from traitlets import Dict, Float, List

from .entrycopy import Checked, copy_checked

__all__ = ["CheckedCollect", "check_entry", "inbound_problem"]

#: Clocks on one machine agree; this much ahead is still taken as "now".
SKEW = timedelta(minutes=5)
#: nbgrader submit writes an entry within seconds of the time in its name.
WRITTEN_AFTER = timedelta(minutes=10)


def _account(username: str):
    if sys.platform == "win32":  # pragma: no cover (the exchange needs POSIX accounts)
        return None
    import pwd

    try:
        return pwd.getpwnam(username)
    except KeyError:
        return None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def inbound_problem(path: str, now: datetime | None = None,
                    max_bytes: int | None = None, check_owner: bool = True,
                    written_after: timedelta | None = WRITTEN_AFTER) -> str | None:
    """Why the inbound entry at ``path`` must not be collected (None: it may be).
    See :func:`check_entry` for the arguments."""
    return check_entry(path, now, max_bytes, check_owner, written_after)[0]


def check_entry(path: str, now: datetime | None = None, max_bytes: int | None = None,
                check_owner: bool = True, written_after: timedelta | None = WRITTEN_AFTER
                ) -> tuple[str | None, Checked | None]:
    """``(why the inbound entry at path must not be collected, None)``, or ``(None, what
    the check saw)`` for :func:`~coursekit.grading.entrycopy.copy_checked`.

    ``max_bytes``: the most an entry may hold (nbgrader's copy fails, for the whole class,
    on a larger one). ``check_owner`` False (nbgrader's ``ExchangeCollect.check_owner``):
    every learner writes as one account (a hub whose pods all run as ``jovyan``), so the
    owner names no one and is not checked; everything else still is. ``written_after``:
    how long after the time in its name the entry's files may last have been changed (the
    kernel's change time, which no learner can set): more means it was written, or edited
    in place, after it was handed in (late work under an on-time name); None: not checked.
    """
    seen: list[Checked] = []
    problem = _problem(path, now, max_bytes, check_owner, written_after, seen)
    return (problem, None) if problem else (None, seen[0])


def _problem(path, now, max_bytes, check_owner, written_after, seen: list) -> str | None:
    name = os.path.basename(path)
    parts = name.rsplit("+", 3)
    if len(parts) < 3:
        return "its name is not <user>+<assignment>+<time>+<id>, as nbgrader submit writes"
    username, stamp = parts[0], parts[2]
    if username in ("", ".", ".."):
        return (f"its name starts with {username!r}, not a learner's name: nbgrader would "
                "collect it outside submitted/<learner>/")
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "a link, not a folder nbgrader submit wrote"
    if not stat.S_ISDIR(info.st_mode):
        return "not a folder nbgrader submit wrote"
    account = _account(username) if check_owner else None
    if check_owner and account is None:
        return f"no account named {username!r} on this machine"
    if account is not None and info.st_uid != account.pw_uid:
        return (f"handed in by another account (uid {info.st_uid}), not by {username!r} "
                f"(uid {account.pw_uid})")
    size, changed = 0, info.st_ctime
    for rel, inner in _walk(path):
        if inner is None:
            return (f"holds folders more than {MAX_DEPTH} deep ({rel}); nbgrader submit "
                    "writes the assignment's own few")
        if stat.S_ISLNK(inner.st_mode):
            return f"holds a link ({rel})"
        if account is not None and inner.st_uid != account.pw_uid:
            return f"holds {rel}, written by another account (uid {inner.st_uid})"
        if not (stat.S_ISREG(inner.st_mode) or stat.S_ISDIR(inner.st_mode)):
            return f"holds {rel}, {_kind(inner.st_mode)}, not a file"
        if stat.S_ISREG(inner.st_mode):
            size += inner.st_size
        changed = max(changed, inner.st_ctime)
    if max_bytes is not None and size > max_bytes:
        return (f"holds {size // 1_000_000} MB, more than the {max_bytes // 1_000_000} MB an "
                "entry may (nbgrader's CourseDirectory.max_dir_size)")
    when = _time(stamp)
    if when is None:
        return f"its time {stamp!r} cannot be read"
    now = now or datetime.now(timezone.utc)
    if when > now + SKEW:
        return f"its time {stamp} is in the future"
    try:
        written = _stamp(path)
    except FileNotFoundError:
        return "it holds no timestamp.txt, which nbgrader submit always writes"
    except OSError as exc:
        return f"its timestamp.txt cannot be read ({exc.strerror})"
    except ValueError as exc:
        return f"its timestamp.txt {exc}; nbgrader submit writes one short line"
    if _time(written) != when:
        return (f"its timestamp.txt says {written[:40]!r}, not the time in its name "
                f"({stamp}); nbgrader would read lateness from it")
    last = datetime.fromtimestamp(changed, timezone.utc)
    if written_after is not None and last > when + written_after:
        return (f"its files were last changed at {last:%Y-%m-%d %H:%M} UTC, after the time "
                f"in its name ({stamp}): written or edited after it was handed in (if the "
                "exchange was copied or restored since, set "
                "CheckedCollect.written_after_seconds = 0)")
    seen.append(Checked((info.st_dev, info.st_ino), account.pw_uid if account else None,
                        changed, max_bytes, MAX_DEPTH))
    return None


#: How deep an entry's folders may go (Python's own walks stop near a thousand, and
#: nbgrader's copy with them, for the whole class).
MAX_DEPTH = 32


def _walk(path: str):
    """``(relative path, lstat)`` of everything under ``path``, without following links and
    without recursion; ``(relative path, None)`` once a folder lies deeper than MAX_DEPTH."""
    stack = [("", 0)]
    while stack:
        rel, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield rel, None
            return
        with os.scandir(os.path.join(path, rel) if rel else path) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            inner = entry.stat(follow_symlinks=False)
            child = f"{rel}/{entry.name}" if rel else entry.name
            yield child, inner
            if stat.S_ISDIR(inner.st_mode):
                stack.append((child, depth + 1))


#: nbgrader submit writes ``timestamp.txt`` as one short line.
STAMP_BYTES = 100


def _stamp(folder: str) -> str:
    """The whole ``timestamp.txt`` in ``folder``, stripped, as nbgrader reads it (all of
    it: padding after a valid time changes what nbgrader parses, or makes it fail on every
    later collect). ValueError: longer than STAMP_BYTES or not plain ASCII."""
    with open(os.path.join(folder, "timestamp.txt"), "rb") as fh:
        raw = fh.read(STAMP_BYTES + 1)
    if len(raw) > STAMP_BYTES:
        raise ValueError(f"is longer than {STAMP_BYTES} bytes")
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ValueError("holds bytes that are not plain text (ASCII)") from None


def _says(folder: str, name: str) -> bool:
    """Whether the ``timestamp.txt`` in ``folder`` holds the time in the entry's ``name``."""
    try:
        return _time(_stamp(folder)) == _time(name.rsplit("+", 3)[2])
    except (OSError, ValueError, IndexError):
        return False


def _time(text: str) -> datetime | None:
    try:
        when = parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when


class CheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that takes only entries their own account handed in."""

    skew_seconds = Float(SKEW.total_seconds(), help="How far in the future an entry's time "
                         "may be and still count as now (clocks a little apart).").tag(
        config=True)
    written_after_seconds = Float(WRITTEN_AFTER.total_seconds(), help="How long after the "
                                  "time in its name an entry's files may last have changed "
                                  "(later: edited after it was handed in, refused); 0 turns "
                                  "the check off (after the exchange was copied or "
                                  "restored, which renews every change time).").tag(config=True)
    refused = List(help="(entry, why) for every inbound entry not collected.")
    checked = Dict(help="What the check saw of each entry it passed (path: Checked); the "
                   "copy takes only that.")
    staged = Dict(help="The private copy of each entry nbgrader will collect (entry path: "
                  "folder; beside it, 'earlier': the copy it replaces), made before nbgrader "
                  "removes a learner's earlier copy.")

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path,
                               f"{glob.escape(student_id) if student_id != '*' else '*'}+"
                               f"{glob.escape(self.coursedir.assignment_id)}+*")
        now = datetime.now(timezone.utc) + timedelta(seconds=self.skew_seconds) - SKEW
        records = []
        for path in sorted(glob.glob(pattern)):
            after = self.written_after_seconds
            problem, seen = check_entry(path, now, 1000 * self.coursedir.max_dir_size,
                                        self.check_owner,
                                        timedelta(seconds=after) if after > 0 else None)
            if problem is None:
                self.checked[path] = seen
            else:
                self.refused.append((os.path.basename(path), problem))
                self.log.warning("Not collected: %s: %s", os.path.basename(path), problem)
                continue
            records.append(self._path_to_record(path))
        usergroups = groupby(records, lambda item: item["username"])
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for group in usergroups.values():
            group = self._sort_by_timestamp(group)
            if self.duedate is not None and self.before_duedate:
                before = [r for r in group if r["timestamp"] <= self.duedate]
                group = before + [r for r in group if r not in before]
            for record in group:  # the first nbgrader would take; if it cannot be copied,
                taken = self._stage(record)  # the learner's next one, as if it were refused
                if taken is not None:
                    if taken:
                        self.src_records.append(record)
                    break

    def start(self):
        try:
            super().start()
        finally:
            for inner in self.staged.values():
                shutil.rmtree(os.path.dirname(inner), ignore_errors=True)
            self.staged.clear()

    def _replaces(self, record: dict) -> bool:
        """Whether nbgrader's ``copy_files`` will copy ``record`` (its own test, repeated).
        Raises when the learner's collected copy has a ``timestamp.txt`` nbgrader cannot
        read (nbgrader's copy would then stop the whole collect on it)."""
        dest = self._dest(record)
        if not os.path.isdir(dest):
            return True
        existing = self.coursedir.get_existing_timestamp(dest)
        if self.update and (existing is None or record["timestamp"] > existing):
            return True
        return bool(self.before_duedate and existing != record["timestamp"])

    def _dest(self, record: dict) -> str:
        return self.coursedir.format_path(self.coursedir.submitted_directory,
                                          record["username"], self.coursedir.assignment_id)

    def _stage(self, record: dict) -> bool | None:
        """Copy a checked entry nbgrader will take into a private folder now, before
        nbgrader removes the learner's earlier collected copy to make room for it, and keep
        a copy of that earlier one (put back if nbgrader's copy then fails): an entry that
        cannot be copied is refused and the earlier copy stays. True: nbgrader may take the
        record; False: nothing of this learner can be taken; None: refused, try the next."""
        path = os.path.join(self.inbound_path, record["filename"])
        try:
            replaces = self._replaces(record)
        except Exception as exc:  # nbgrader's own fail() there raises AttributeError
            dest = self._dest(record)
            self._refuse(record["filename"], (
                f"not collected over {dest}, whose timestamp.txt nbgrader cannot read ({exc}); "
                f"move {dest} away, then collect again"))
            return False
        if not replaces:
            return True
        inner = self._copy(path, record, self._dest(record))
        if inner is None:
            return None
        self.staged[path] = inner
        return True

    def _copy(self, path: str, record: dict, dest: str) -> str | None:
        """The private copy of the checked entry at ``path`` (and of ``dest``, the copy it
        replaces), or None once refused."""
        checked = self.checked.get(path)
        if checked is None:
            self._refuse(record["filename"], "could not be copied: it was never checked; "
                         "nothing of it was collected")
            return None
        staging = tempfile.mkdtemp(prefix="coursekit-collect-")
        inner = os.path.join(staging, "entry")
        why = copy_checked(path, inner, checked)
        if why is None and not _says(inner, record["filename"]):
            why = "its timestamp.txt changed after the check; nothing of it was collected"
        if why is None and os.path.isdir(dest):
            try:
                shutil.copytree(dest, os.path.join(staging, "earlier"), symlinks=True)
            except (OSError, shutil.Error) as exc:
                why = (f"not collected: the copy of it collected before ({dest}) could not be "
                       f"kept aside first ({str(exc)[:200]})")
        if why is not None:
            shutil.rmtree(staging, ignore_errors=True)
            self._refuse(record["filename"], why)
            return None
        return inner

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy of what the check saw, never of what a name points to now.

        A learner owns their entry and may swap things in it (or the entry itself) for a
        link between the check and the copy; nbgrader's copy follows links. So a checked
        entry was copied by file descriptor (:func:`~coursekit.grading.entrycopy.
        copy_checked`) into a private folder when it was chosen (:meth:`_stage`), and
        nbgrader copies from there (never from the exchange: an entry not staged yet is
        staged now). One entry that cannot be copied is reported, the learner's earlier
        collected copy put back, and the others still go."""
        name = os.path.basename(src)
        inner = self.staged.pop(src, None)
        if inner is None:
            inner = self._copy(src, {"filename": name}, dest)
            if inner is None:
                return
        try:
            super().do_copy(inner, dest, log)
        except BaseException as exc:  # one learner's copy never stops the class's collect
            shutil.rmtree(dest, ignore_errors=True)
            kept = self._put_back(inner, dest)
            if not isinstance(exc, Exception):  # ctrl-C: stop, with the earlier copy back
                raise
            self._refuse(name, f"could not be copied ({str(exc)[:200]}){kept}")
        finally:
            shutil.rmtree(os.path.dirname(inner), ignore_errors=True)

    @staticmethod
    def _put_back(inner: str, dest: str) -> str:
        earlier = os.path.join(os.path.dirname(inner), "earlier")
        if not os.path.isdir(earlier):
            return ""
        if os.path.lexists(dest):  # never inside what is left there (shutil.move would)
            return f"; the copy collected before could not be put back ({dest} is in the way)"
        try:
            shutil.move(earlier, dest)
        except (OSError, shutil.Error) as exc:
            return f"; the copy collected before could not be put back either ({exc})"
        return "; the copy collected before is kept"

    def _refuse(self, name: str, why: str) -> None:
        self.refused.append((name, why))
        self.log.warning("Not collected: %s: %s", name, why)
