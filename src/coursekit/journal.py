"""The learner's private reflection journal: one SQLite file per learner.

The journal imports nothing from Jupyter, so the command line, the tests and the
widgets all share it. What it promises:

* **Versions, not overwrites.** Every :meth:`Journal.save` adds a new version of a
  prompt's answer with a timestamp; :meth:`Journal.latest` reads the newest and
  :meth:`Journal.history` all of them. Skipping a prompt is a version too.
* **Durable.** WAL mode with ``synchronous=FULL``: a save returns only after its
  commit is in the write-ahead log on disk, so it survives the kernel being killed
  (and a power cut). ``NORMAL`` would survive a killed process but can lose the
  last commits on a power cut; the saves are small, so ``FULL`` costs little.
* **Private.** A folder the journal creates is owner-only (0700), and the files
  are 0600; a folder that was already there is never changed. Erasing
  uses ``secure_delete`` and a ``VACUUM`` so erased words do not linger in free pages
  or in the write-ahead log. Nothing here prints a learner's words: an
  :class:`Entry` reprs as its length only.
* **Faults are sentences.** A corrupted file is moved aside to
  ``journal.db.broken-<timestamp>`` (never deleted) and a new journal started;
  :attr:`Journal.notice` says so, naming both paths. A locked, read-only, full or
  deleted journal raises :class:`~coursekit.errors.JournalUnavailable` whose
  message says what happened and what to do; the caller keeps the unsaved text and
  tries again later.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import config
from .errors import JournalCorrupted, JournalError, JournalUnavailable

FILENAME = "journal.db"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt_id TEXT NOT NULL,
    lesson    TEXT NOT NULL,
    prompt    TEXT NOT NULL,
    text      TEXT NOT NULL,
    skipped   INTEGER NOT NULL DEFAULT 0,
    saved_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_prompt ON entries (prompt_id, id);
CREATE INDEX IF NOT EXISTS entries_by_lesson ON entries (lesson, id);
CREATE TABLE IF NOT EXISTS records (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    lesson   TEXT NOT NULL,
    data     TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, key, id);
CREATE INDEX IF NOT EXISTS records_by_lesson ON records (lesson, id);
"""

# SQLite result codes (primary code = extended code & 0xff).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Entry:
    """One saved version of a prompt's answer. Its repr never shows the text."""

    prompt_id: str
    lesson: str
    prompt: str
    text: str = field(repr=False)
    saved_at: datetime
    skipped: bool = False
    version: int = 1
    id: int = 0

    def __repr__(self) -> str:
        what = "skipped" if self.skipped else f"{len(self.text)} characters"
        return (f"Entry(prompt_id={self.prompt_id!r}, version={self.version}, "
                f"saved_at={self.saved_at.isoformat(timespec='seconds')}, {what})")


@dataclass(frozen=True)
class Record:
    """One structured result: a rating, checklist, sorting, belief ratings, a visit..."""

    kind: str
    key: str
    lesson: str
    data: dict = field(repr=False)
    saved_at: datetime
    id: int = 0

    def __repr__(self) -> str:
        return (f"Record(kind={self.kind!r}, key={self.key!r}, lesson={self.lesson!r}, "
                f"saved_at={self.saved_at.isoformat(timespec='seconds')})")


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()  # Python 3.10: match SQLite's fixed messages
    for needle, value in (("not a database", _SQLITE_NOTADB), ("malformed", _SQLITE_CORRUPT),
                          ("locked", _SQLITE_BUSY), ("readonly", _SQLITE_READONLY),
                          ("disk is full", _SQLITE_FULL), ("unable to open", _SQLITE_CANTOPEN),
                          ("disk i/o", _SQLITE_IOERR)):
        if needle in text:
            return value
    return None


def _is_corrupt(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and _code(exc) in (_SQLITE_CORRUPT,
                                                                      _SQLITE_NOTADB)


class Journal:
    """The learner's private journal in one SQLite file.

    Opening is lazy: creating a ``Journal`` never fails, so a lesson always starts;
    the first read or write opens the file and raises a
    :class:`~coursekit.errors.JournalError` whose message says what to do.
    """

    def __init__(self, path: Path | str, *, timeout: float = BUSY_TIMEOUT_MS / 1000):
        self.path = Path(path)
        self.timeout = timeout
        #: One sentence for the learner when the journal had to recover (or None).
        self.notice: str | None = None
        self._conn: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None
        self._lock = threading.RLock()
        #: Where the file is kept beyond this process, when that is not a plain disk: an
        #: object with ``load(journal)`` (before the file is opened), ``persist(journal)``
        #: (after every change) and ``erased(journal, everything)``. The browser edition
        #: sets it (:mod:`coursekit.browserstore`, IndexedDB); None elsewhere.
        self.store = None

    @classmethod
    def open_default(cls) -> Journal:
        """The learner's journal: ``journal.db`` in the kit's private data folder.

        A journal an earlier version of the kit kept directly in ``COURSEKIT_DATA_DIR``
        is still used (never left behind) while the kit's own folder holds none. In the
        browser edition the folder is kept in IndexedDB (:mod:`coursekit.browserstore`).
        """
        path = config.data_dir() / FILENAME
        legacy = config.data_root() / FILENAME
        if sys.platform == "emscripten":  # the browser edition (Pyodide)
            from .browserstore import attach

            return attach(cls(path))
        if legacy != path and not path.exists() and legacy.is_file():
            return cls(legacy)
        return cls(path)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # -- connection ----------------------------------------------------------------
    def _prepare_folder(self) -> None:
        """Make sure the journal's folder exists; create it owner-only (0700) if it does not.

        A folder that is already there is used as it is: the kit never changes the
        mode of a folder it did not create (the files inside are 0600 anyway).
        """
        folder = self.path.parent
        if folder.is_dir():
            return
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700)
            folder.chmod(0o700)  # whatever the umask
        except (FileExistsError, NotADirectoryError) as exc:
            if folder.is_dir():  # made at the same moment by another process
                return
            blocker = next((p for p in (folder, *folder.parents)
                            if (p.exists() or p.is_symlink()) and not p.is_dir()), folder)
            raise JournalUnavailable(
                f"The journal folder {folder} cannot be created because {blocker} is a "
                f"file, not a folder; move that file away, or set {config.DATA_DIR_ENV} "
                "to a folder.") from exc
        except PermissionError as exc:
            raise JournalUnavailable(
                f"The journal folder {folder} cannot be created ({exc.strerror}); "
                f"set {config.DATA_DIR_ENV} to a folder you can write to.") from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                advice = f"free some disk space, or set {config.DATA_DIR_ENV} to another folder"
            elif exc.errno == errno.EROFS:
                advice = f"that disk is read-only; set {config.DATA_DIR_ENV} to a writable folder"
            else:
                advice = f"check that disk, or set {config.DATA_DIR_ENV} to another folder"
            raise JournalUnavailable(
                f"The journal folder {folder} cannot be created ({exc.strerror}); "
                f"{advice}.") from exc

    def _connect(self) -> sqlite3.Connection:
        self._prepare_folder()
        if not self.path.exists():
            with contextlib.suppress(OSError):  # create it owner-only before SQLite does
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA foreign_keys=ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}"
                                   f"PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
            # Reading every table proves the file is a working database.
            conn.execute("SELECT count(*) FROM entries").fetchone()
            conn.execute("SELECT count(*) FROM records").fetchone()
        except BaseException:
            conn.close()
            raise
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.chmod(f"{self.path}{suffix}", 0o600)
        st = os.stat(self.path)
        self._inode = (st.st_dev, st.st_ino)
        return conn

    def _file_is_ours(self) -> bool:
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._inode

    def _open(self) -> sqlite3.Connection:
        if self._conn is not None and not self._file_is_ours():
            # Deleted (or replaced) while open: writing on would go to a file nobody sees.
            self._close_quietly()
            self.notice = (f"The journal file {self.path} disappeared while the lesson was "
                           "open; a new journal was started there and your text is saved in it.")
        if self._conn is None:
            if self.store is not None:
                self.store.load(self)
            try:
                self._conn = self._connect()
            except sqlite3.Error as exc:
                if _is_corrupt(exc):
                    self._move_aside()
                    self._conn = self._connect()
                else:
                    raise self._unavailable(exc) from exc
        return self._conn

    def _close_quietly(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._inode = None

    def close(self) -> None:
        """Close the file (the next use opens it again)."""
        with self._lock:
            self._close_quietly()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _move_aside(self) -> Path:
        self._close_quietly()
        tag = _now().strftime("%Y%m%dT%H%M%S%fZ")
        broken = self.path.with_name(f"{self.path.name}.broken-{tag}")
        try:
            os.replace(self.path, broken)
            for suffix in ("-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{broken}{suffix}"))
        except OSError as exc:
            raise JournalCorrupted(
                f"Your journal file {self.path} cannot be read and could not be moved to "
                f"{broken} ({exc.strerror}); move it aside yourself, then press Retry.",
                broken=broken, fresh=self.path) from exc
        self.notice = (f"Your journal file could not be read, so it was moved to {broken} "
                       f"(nothing was deleted) and a new journal was started at {self.path}.")
        return broken

    def _unavailable(self, exc: BaseException) -> JournalError:
        code = _code(exc) if isinstance(exc, sqlite3.Error) else None
        where = self.path
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return JournalUnavailable(
                f"The journal {where} is locked by another program; close other windows of "
                "this course (or wait a moment), then edit again or press Retry.")
        if code == _SQLITE_READONLY or isinstance(exc, PermissionError):
            return JournalUnavailable(
                f"The journal {where} is read-only; make the file and its folder writable "
                "(or set COURSEKIT_DATA_DIR to a folder you can write to), then press Retry.")
        if code == _SQLITE_FULL or (isinstance(exc, OSError) and exc.errno == 28):
            return JournalUnavailable(
                f"The disk holding the journal {where} is full; free some space, then press "
                "Retry.")
        if code == _SQLITE_CANTOPEN:
            return JournalUnavailable(
                f"The journal {where} cannot be opened; check that its folder exists and is "
                "writable (or set COURSEKIT_DATA_DIR), then press Retry.")
        return JournalUnavailable(
            f"The journal {where} could not be used ({exc}); check the disk and the file, "
            "then press Retry.")

    def _run(self, fn, *, write: bool):
        """Run ``fn(conn)`` in a transaction, once more on a fresh file after corruption."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._transaction_once(write) as conn:
                        result = fn(conn)
                    if write and self.store is not None:
                        self.store.persist(self)
                    return result
                except sqlite3.Error as exc:
                    if _is_corrupt(exc) and attempt == 1:
                        self._move_aside()
                        continue
                    raise self._unavailable(exc) from exc
                except OSError as exc:
                    raise self._unavailable(exc) from exc
        raise JournalError(f"the journal {self.path} could not be used")  # pragma: no cover

    @contextlib.contextmanager
    def _transaction_once(self, write: bool) -> Iterator[sqlite3.Connection]:
        conn = self._open()
        if write:
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            if write:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    # -- reflections ---------------------------------------------------------------
    def save(self, prompt_id: str, text: str, *, lesson: str, prompt: str = "",
             skipped: bool = False) -> Entry:
        """Store a new version of the answer to ``prompt_id``; returns it once on disk."""
        if not isinstance(text, str):
            raise TypeError(f"a reflection is text, not {type(text).__name__}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise JournalError(
                f"the text for {prompt_id} holds a character that is not valid Unicode "
                f"(position {exc.start}); remove it and save again") from exc
        when = _now()

        def insert(conn: sqlite3.Connection) -> Entry:
            cur = conn.execute(
                "INSERT INTO entries (prompt_id, lesson, prompt, text, skipped, saved_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (prompt_id, lesson, prompt, text, int(skipped), _stamp(when)))
            version = conn.execute("SELECT count(*) FROM entries WHERE prompt_id = ?",
                                   (prompt_id,)).fetchone()[0]
            return Entry(prompt_id, lesson, prompt, text, when, skipped, version, cur.lastrowid)

        return self._run(insert, write=True)

    def skip(self, prompt_id: str, *, lesson: str, prompt: str = "") -> Entry:
        """Record that the learner chose to skip this prompt (respected until they answer)."""
        return self.save(prompt_id, "", lesson=lesson, prompt=prompt, skipped=True)

    def is_skipped(self, prompt_id: str) -> bool:
        latest = self.latest(prompt_id)
        return bool(latest and latest.skipped)

    @staticmethod
    def _entries(rows: list[tuple]) -> list[Entry]:
        return [Entry(r[1], r[2], r[3], r[4], _parse(r[6]), bool(r[5]), r[7], r[0])
                for r in rows]

    _ENTRY_COLS = ("id, prompt_id, lesson, prompt, text, skipped, saved_at, "
                   "row_number() OVER (PARTITION BY prompt_id ORDER BY id) AS version")

    def latest(self, prompt_id: str) -> Entry | None:
        """The newest version (which may be a skip), or None when there is none."""
        rows = self._run(lambda c: c.execute(
            "SELECT id, prompt_id, lesson, prompt, text, skipped, saved_at, "
            "(SELECT count(*) FROM entries WHERE prompt_id = ?1) FROM entries "
            "WHERE prompt_id = ?1 ORDER BY id DESC LIMIT 1", (prompt_id,)).fetchall(),
            write=False)
        return self._entries(rows)[0] if rows else None

    def latest_answer(self, prompt_id: str) -> Entry | None:
        """The newest version that is an answer rather than a skip."""
        return next((e for e in reversed(self.history(prompt_id)) if not e.skipped), None)

    def history(self, prompt_id: str) -> list[Entry]:
        """Every version, oldest first."""
        rows = self._run(lambda c: c.execute(
            f"SELECT {self._ENTRY_COLS} FROM entries WHERE prompt_id = ? ORDER BY id",
            (prompt_id,)).fetchall(), write=False)
        return self._entries(rows)

    def latest_entries(self, lesson: str | None = None) -> list[Entry]:
        """The newest version of every prompt (of one lesson), in lesson then prompt order."""
        where, args = ("WHERE lesson = ?", (lesson,)) if lesson else ("", ())
        rows = self._run(lambda c: c.execute(
            f"SELECT * FROM (SELECT {self._ENTRY_COLS} FROM entries {where}) AS e "
            "WHERE e.id IN (SELECT max(id) FROM entries GROUP BY prompt_id) "
            "ORDER BY e.lesson, e.prompt_id", args).fetchall(), write=False)
        return self._entries(rows)

    # -- structured results --------------------------------------------------------
    def record(self, kind: str, key: str, *, lesson: str, data: dict[str, Any]) -> Record:
        """Store a structured result (JSON-serialisable ``data``) as a new version."""
        try:
            payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise JournalError(f"the {kind} result {key!r} cannot be stored as JSON: {exc}; "
                               "pass plain numbers, text, lists and dicts") from exc
        when = _now()

        def insert(conn: sqlite3.Connection) -> Record:
            cur = conn.execute(
                "INSERT INTO records (kind, key, lesson, data, saved_at) VALUES (?, ?, ?, ?, ?)",
                (kind, key, lesson, payload, _stamp(when)))
            return Record(kind, key, lesson, json.loads(payload), when, cur.lastrowid)

        return self._run(insert, write=True)

    def records(self, kind: str | None = None, lesson: str | None = None,
                key: str | None = None) -> list[Record]:
        """Every stored result, oldest first, optionally of one kind, lesson or key."""
        clauses, args = [], []
        for column, value in (("kind", kind), ("lesson", lesson), ("key", key)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._run(lambda c: c.execute(
            f"SELECT id, kind, key, lesson, data, saved_at FROM records {where} ORDER BY id",
            args).fetchall(), write=False)
        return [Record(r[1], r[2], r[3], json.loads(r[4]), _parse(r[5]), r[0]) for r in rows]

    def latest_record(self, kind: str, key: str) -> Record | None:
        """The newest result of ``kind`` stored under ``key``, or None."""
        rows = self._run(lambda c: c.execute(
            "SELECT id, kind, key, lesson, data, saved_at FROM records WHERE kind = ? AND "
            "key = ? ORDER BY id DESC LIMIT 1", (kind, key)).fetchall(), write=False)
        return ([Record(r[1], r[2], r[3], json.loads(r[4]), _parse(r[5]), r[0]) for r in rows]
                or [None])[0]

    # -- the learner's controls ------------------------------------------------------
    def erase(self, lesson: str | None = None) -> int:
        """Erase everything, or one lesson; returns how many versions and results went.

        Deleted rows are overwritten (``secure_delete``), the write-ahead log is
        truncated and the file is rebuilt (``VACUUM``), so erased words do not linger.
        """
        def delete(conn: sqlite3.Connection) -> int:
            if lesson is None:
                n = conn.execute("DELETE FROM entries").rowcount
                n += conn.execute("DELETE FROM records").rowcount
            else:
                n = conn.execute("DELETE FROM entries WHERE lesson = ?", (lesson,)).rowcount
                n += conn.execute("DELETE FROM records WHERE lesson = ?", (lesson,)).rowcount
            return n

        removed = self._run(delete, write=True)

        def compact(conn: sqlite3.Connection) -> None:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._run(compact, write=False)
        if self.store is not None:
            self.store.erased(self, lesson is None)
        return removed

    def broken_files(self) -> list[Path]:
        """Damaged journals moved aside earlier (kept for the learner to rescue or delete)."""
        return sorted(self.path.parent.glob(f"{self.path.name}.broken-*"))

    # -- export ----------------------------------------------------------------------
    def export_markdown(self) -> str:
        """Every latest answer and result as Markdown (:func:`coursekit.journaltext.markdown`)."""
        from .journaltext import markdown

        return markdown(self)

    def export_html(self) -> str:
        """One standalone HTML page of the journal (:func:`coursekit.journaltext.page`)."""
        from .journaltext import page

        return page(self)
