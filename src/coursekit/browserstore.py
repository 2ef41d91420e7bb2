"""The journal's storage in the browser edition: this browser profile's IndexedDB.

In the browser edition (JupyterLite, Python running in Pyodide) every file lives in
memory and is gone after a reload. SQLite cannot work on JupyterLite's ``/drive``, so the
journal keeps its ordinary SQLite file in memory and this module keeps a copy of the
journal folder in the site's IndexedDB, through Emscripten's IDBFS:

* **load** (before the journal file is first opened): mount IDBFS over the data folder
  and copy what IndexedDB holds into it (``FS.syncfs(true)``);
* **persist** (after every change the journal commits): copy the folder back
  (``FS.syncfs(false)``), so a reflection survives a reload and a browser restart;
* **erased** (after "erase everything"): delete the journal's files and persist, so the
  site's storage keeps nothing of what the learner wrote.

Both directions are asynchronous in the browser. Where the browser can suspend Python
while JavaScript works (JSPI, :func:`pyodide.ffi.can_run_sync`), each step finishes before
the journal goes on: a save returns once the text is in IndexedDB. Elsewhere the load
runs in the background and the journal says "still loading, press Retry" until it is
done, and a persist is started without waiting for it.

This module imports nothing from Jupyter, like the journal. It works only under Pyodide
(``sys.platform == "emscripten"``); :func:`attach` does nothing anywhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

from .errors import JournalUnavailable

#: Where the learner's reflections live in this edition ("Your reflections are kept ...").
WHERE = ("only in this browser profile, in this site's own storage (IndexedDB) on this "
         "computer, and are sent nowhere; your browser's \"clear site data\" for this site "
         "erases them too")


def in_browser() -> bool:
    """True in the browser edition (Python running in Pyodide)."""
    return sys.platform == "emscripten"


class BrowserStore:
    """Keeps one folder of the in-memory file system in IndexedDB (Emscripten IDBFS).

    ``fs`` is Emscripten's ``FS`` object (Pyodide's ``pyodide_js.FS`` by default).
    """

    def __init__(self, folder: Path | str, fs: Any = None):
        self.folder = Path(folder)
        self._fs = fs
        self.mounted = False
        self.loaded = False
        #: The last failure to reach IndexedDB (a sentence), or None.
        self.problem: str | None = None
        self._loading: asyncio.Future | None = None
        self._pending: set[asyncio.Future] = set()

    def __repr__(self) -> str:
        return f"BrowserStore({str(self.folder)!r}, loaded={self.loaded})"

    @property
    def fs(self) -> Any:
        if self._fs is None:
            import pyodide_js  # only exists under Pyodide

            self._fs = pyodide_js.FS
        return self._fs

    # -- the three hooks the journal calls ----------------------------------------------
    def load(self, journal: Any = None) -> None:
        """Fill the folder from IndexedDB once, before the journal opens its file."""
        if self.loaded:
            return
        self._mount()
        if _can_run_sync():
            self._wait(self._sync(populate=True), "read")
            self.loaded = True
            return
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._sync(populate=True))
        if self._loading.done():
            exc = self._loading.exception()
            self._loading = None
            if exc is not None:
                raise self._unavailable("read", exc) from exc
            self.loaded = True
            return
        raise JournalUnavailable(
            "Your journal is still being read from this browser's storage; wait a moment, "
            "then edit again or press Retry.")

    def persist(self, journal: Any = None) -> None:
        """Copy the folder to IndexedDB (waits for it where the browser allows)."""
        if not self.loaded:
            return
        if _can_run_sync():
            self._wait(self._sync(populate=False), "save")
            return
        # Widget callbacks (comm messages) cannot suspend Python: start the copy, and let a
        # failure reach the learner through the journal's notice on their next action.
        task = asyncio.ensure_future(self._sync(populate=False))
        self._pending.add(task)
        task.add_done_callback(lambda t: self._finished(t, journal))

    def erased(self, journal: Any, everything: bool) -> None:
        """After an erase: with ``everything``, delete the journal's files too, then persist."""
        if everything:
            journal.close()
            for path in sorted(self.folder.glob(f"{journal.path.name}*")):
                with contextlib.suppress(OSError):
                    path.unlink()
        self.persist(journal)

    # -- helpers ------------------------------------------------------------------------
    def _mount(self) -> None:
        if self.mounted:
            return
        from pyodide.ffi import to_js

        fs = self.fs
        fs.mkdirTree(str(self.folder))
        try:  # once per kernel: store_for() keeps one store per folder
            fs.mount(fs.filesystems.IDBFS, to_js({}, dict_converter=_js_object()),
                     str(self.folder))
        except Exception as exc:  # pyodide.ffi.JsException
            raise self._unavailable("open", exc) from exc
        self.mounted = True

    def _sync(self, populate: bool) -> asyncio.Future:
        from pyodide.ffi import create_once_callable

        loop = asyncio.get_event_loop()
        done: asyncio.Future = loop.create_future()

        def finished(err: Any = None) -> None:
            if done.done():
                return
            if err:
                done.set_exception(OSError(f"IndexedDB: {err}"))
            else:
                done.set_result(None)

        self.fs.syncfs(populate, create_once_callable(finished))
        return done

    def _wait(self, future: asyncio.Future, what: str) -> None:
        from pyodide.ffi import run_sync

        try:
            run_sync(future)
        except Exception as exc:
            raise self._unavailable(what, exc) from exc
        self.problem = None

    def _finished(self, task: asyncio.Future, journal: Any = None) -> None:
        self._pending.discard(task)
        exc = task.exception()
        self.problem = None if exc is None else str(self._unavailable("save", exc))
        if self.problem and journal is not None:
            journal.notice = self.problem

    def _unavailable(self, what: str, exc: BaseException) -> JournalUnavailable:
        verb = {"read": "read from", "save": "saved to", "open": "opened in"}[what]
        return JournalUnavailable(
            f"Your journal could not be {verb} this browser's storage ({exc}); the site may "
            "be blocked from keeping data (a private window, or storage turned off for it), "
            "or the storage is full. Allow this site to store data, then press Retry.")


def _can_run_sync() -> bool:
    try:
        from pyodide.ffi import can_run_sync
    except ImportError:  # Pyodide without JSPI support
        return False
    return bool(can_run_sync())


def _js_object():
    import js

    return js.Object.fromEntries


_STORES: dict[Path, BrowserStore] = {}


def store_for(folder: Path | str) -> BrowserStore:
    """One store per folder in this kernel (mounting twice would fail)."""
    folder = Path(folder)
    if folder not in _STORES:
        _STORES[folder] = BrowserStore(folder)
    return _STORES[folder]


def attach(journal: Any) -> Any:
    """Keep ``journal``'s folder in IndexedDB (browser edition only); returns the journal."""
    if in_browser():
        journal.store = store_for(journal.path.parent)
    return journal
