"""The learner's controls over their journal: download a copy, or erase it after a confirmation."""

from __future__ import annotations

import contextlib
import os
import weakref
from pathlib import Path

import ipywidgets as W

from ..browserstore import in_browser
from ..course import lessons
from ..journal import Journal
from ..privacy import journal_sentence
from ._base import ChoiceDropdown, KitWidget, PrivateHTML, _kernel_loop, buttons, esc
from ._shared import button, html, lean, own_layout

FORMATS = {"md": ("Markdown", ".md"), "html": ("HTML", ".html")}
#: How often (seconds) the download links look for a change to the journal file, made in
#: this kernel or another (a second lesson open at the same time).
WATCH_SECONDS = 2.0


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, readable by the owner only (0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def export_journal(journal: Journal, fmt: str, path: Path | None = None) -> Path:
    """Export to ``path`` (a file or folder; default the current folder), see :mod:`coursekit.exports`."""
    from ..exports import write_export

    return write_export(journal, fmt, path)


class JournalControls(KitWidget):
    """Download links (one click saves a copy) and erase behind a confirmation step.

    Each download is a real link, styled as a button, that holds the journal's current
    export: it is written again whenever the journal file changes (checked every
    :data:`WATCH_SECONDS` in a kernel), so one click always saves what is there now.
    Actions: :meth:`export`, :meth:`request_erase`, :meth:`confirm_erase`,
    :meth:`cancel_erase`.
    """

    css_class = "coursekit-journal-controls"

    def __init__(self, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        # The wording comes from coursekit.privacy, which knows the setting.
        where = esc(journal_sentence("browser") if in_browser()
                    else journal_sentence(path=self.journal.path))
        self.intro = html(f"<p><strong>Your journal.</strong> {where} Download a copy or "
                          "erase them whenever you like. A download goes to your browser's "
                          "downloads folder and is not stored anywhere else.</p>")
        # The links are built with their first export in them (not filled in afterwards),
        # so a lesson sends no update messages for them as it starts.
        signature = self._file_signature()
        made = self._render_downloads(quietly=True)
        #: One download link per format (Markdown, HTML), each styled as a button.
        self.links: dict[str, W.HTML] = {
            fmt: lean(PrivateHTML, value=made[fmt][1] if made else "",
                      layout=own_layout(display="" if made else "none"))
            for fmt in FORMATS}
        #: The file name each link saves as.
        self.names: dict[str, str] = {fmt: name for fmt, (name, _h) in (made or {}).items()}
        self._signature: tuple | None = signature if made else None
        try:
            options = [(f"lesson {i.id} · {i.title}", i.id) for i in lessons()]
        except Exception:
            options = []
        # "everything" is the first option, and shown while nothing else is picked.
        self.scope = lean(ChoiceDropdown, placeholder="everything", options=options,
                          description="What to erase", tooltip="Everything, or one lesson")
        self.erase_button = button("Erase…", icon="trash",
                                   tooltip="Erase after a confirmation step")
        self.erase_button.on_click(lambda _b: self.request_erase(self.scope.value))
        self._confirm_box: W.VBox | None = None  # the confirmation step, built when asked
        self.pending_erase: tuple[str | None] | None = None
        self.last_export: str | None = None
        self._erase_row = buttons(self.scope, self.erase_button)
        self.children = [self.intro, self._row(*self.links.values()),
                         self._erase_row, self.status]
        if made is None:
            self.refresh_downloads()  # again, now that the status line and Retry can show why
        self._watch()

    # -- downloads ----------------------------------------------------------------------
    def _file_signature(self) -> tuple:
        """What changes when anyone commits to the journal (the file and its WAL)."""
        out = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(f"{self.journal.path}{suffix}")
            except OSError:
                out.append(None)
            else:
                out.append((st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _render_downloads(self, *, quietly: bool = False) -> dict[str, tuple[str, str]] | None:
        """``{format: (file name, link HTML)}`` from the journal as it is now; None when
        the journal cannot be exported (the reason goes to the status line, unless
        ``quietly``)."""
        from ..exports import download_html

        made = {}
        for fmt, (label, _suffix) in FORMATS.items():
            def render(f: str = fmt, lab: str = label) -> tuple[str, str]:
                return download_html(self.journal, f, label=f"Download as {lab}")

            if quietly:
                try:
                    made[fmt] = render()
                except Exception:
                    return None
                continue
            ok, got = self.attempt(render, failed="no download yet")
            if not ok:
                return None
            made[fmt] = got
        return made

    def refresh_downloads(self) -> bool:
        """Write both download links again from the journal as it is now."""
        signature = self._file_signature()
        made = self._render_downloads(quietly=True)
        if made is None:
            for link in self.links.values():
                link.layout.display = "none"
            self._signature = None  # try again at the next look
            return False
        for fmt, (name, link_html) in made.items():
            self.names[fmt] = name
            self.links[fmt].value = link_html
            self.links[fmt].layout.display = ""
        self._signature = signature
        return True

    def _watch(self) -> None:
        """In a kernel: look for journal changes every few seconds while this is shown."""
        loop = _kernel_loop()
        if loop is None:
            return
        ref = weakref.ref(self)

        def look() -> None:
            widget = ref()
            if widget is None or getattr(widget, "comm", None) is None:
                return  # closed or gone: stop looking
            with contextlib.suppress(Exception):  # a look never raises into the kernel
                if widget._file_signature() != widget._signature:
                    widget.refresh_downloads()
            loop.call_later(WATCH_SECONDS, look)

        loop.call_later(WATCH_SECONDS, look)

    def export(self, fmt: str = "md") -> str | None:
        """What a click on a download link saves: brings the link up to date, returns the
        file name (None when the journal cannot be read; the status says why).

        Nothing is written on the server: the copy goes where the learner's browser
        saves downloads, which they can see and control.
        """
        if fmt not in FORMATS:
            raise ValueError(f"export format {fmt!r} is not one of {sorted(FORMATS)}")
        if not self.refresh_downloads():
            return None
        self.last_export = self.names[fmt]
        return self.last_export

    @property
    def download(self) -> W.HTML:
        """The download link of the latest :meth:`export` (Markdown before any)."""
        fmt = "html" if self.last_export and self.last_export.endswith(".html") else "md"
        return self.links[fmt]

    @property
    def confirm_box(self) -> W.VBox:
        """The confirmation step (its question, Yes and No), hidden until :meth:`request_erase`."""
        if self._confirm_box is None:
            self._confirm_text = html("")
            self._confirm_button = button("Yes, erase it for good", icon="trash",
                                          tooltip="Erase now; this cannot be undone")
            self._cancel_button = button("No, keep it", icon="times",
                                         tooltip="Keep everything")
            self._confirm_button.on_click(lambda _b: self.confirm_erase())
            self._cancel_button.on_click(lambda _b: self.cancel_erase())
            self._confirm_box = W.VBox([self._confirm_text,
                                        buttons(self._confirm_button, self._cancel_button)],
                                       layout=own_layout(display="none"),
                                       _dom_classes=("coursekit-panel",))
            self._insert_after(self._erase_row, self._confirm_box)
        return self._confirm_box

    @property
    def confirm_text(self) -> W.HTML:
        self.confirm_box  # noqa: B018 - builds the confirmation step
        return self._confirm_text

    @property
    def confirm_button(self) -> W.Button:
        self.confirm_box  # noqa: B018
        return self._confirm_button

    @property
    def cancel_button(self) -> W.Button:
        self.confirm_box  # noqa: B018
        return self._cancel_button

    def request_erase(self, lesson: str | None = None) -> None:
        """First step: ask for confirmation."""
        what = "everything in your journal" if lesson is None else f"lesson {lesson}"
        self.pending_erase = (lesson,)
        box = self.confirm_box
        self.confirm_text.value = (f'<p role="alert"><strong>Erase {esc(what)}?</strong> This '
                                   "cannot be undone. Export a copy first if you may want it.</p>")
        box.layout.display = ""

    def cancel_erase(self) -> None:
        self.pending_erase = None
        if self._confirm_box is not None:
            self._confirm_box.layout.display = "none"
        self.set_status("nothing was erased")

    def confirm_erase(self) -> int | None:
        """Second step: erase what was asked for. Does nothing without :meth:`request_erase`."""
        if self.pending_erase is None:
            self.set_status("nothing was erased: choose what to erase first", problem=True)
            return None
        (lesson,) = self.pending_erase
        ok, n = self.attempt(lambda: self.journal.erase(lesson), failed="erase failed")
        if ok:
            self.pending_erase = None
            self.confirm_box.layout.display = "none"  # built: request_erase came first
            what = "your journal" if lesson is None else f"lesson {lesson}"
            if lesson is None:
                # Nothing is left to download; the journal file is not opened again (in
                # the browser edition that would put a new file in the site's storage).
                for link in self.links.values():
                    link.value = ""
                    link.layout.display = "none"
                self._signature = self._file_signature()
            else:
                self.refresh_downloads()  # the links now hold what is left
            copies = ""
            if lesson is None:
                from ..exports import erase_exports

                copies = " " + " ".join(erase_exports(self.journal).sentences())
            self.set_status(f"erased {what} ({n} saved items).{copies}")
        return n if ok else None

    def retry(self) -> None:
        if self.refresh_downloads():
            self.set_status("")
