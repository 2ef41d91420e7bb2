"""The learner's controls over their journal: export it, or erase it after a confirmation."""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as W

from ..browserstore import in_browser
from ..course import lessons
from ..journal import Journal
from ..privacy import journal_sentence
from ._base import ChoiceDropdown, KitWidget, buttons, esc
from ._shared import button, html, lean, own_layout

FORMATS = {"md": ("Markdown", ".md"), "html": ("HTML", ".html")}


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
    """Export buttons, and erase (everything or one lesson) behind a confirmation step.

    Actions: :meth:`export`, :meth:`request_erase`, :meth:`confirm_erase`,
    :meth:`cancel_erase`.
    """

    css_class = "coursekit-journal-controls"

    def __init__(self, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        # The wording comes from coursekit.privacy, which knows the setting.
        where = esc(journal_sentence("browser") if in_browser()
                    else journal_sentence(path=self.journal.path))
        self.intro = html(f"<p><strong>Your journal.</strong> {where} Export a copy or erase "
                          "them whenever you like.</p>")
        self.md_button = button("Export as Markdown", icon="download",
                                tooltip="Write a Markdown copy of your journal")
        self.html_button = button("Export as HTML", icon="download",
                                  tooltip="Write a web page copy of your journal")
        self.md_button.on_click(lambda _b: self.export("md"))
        self.html_button.on_click(lambda _b: self.export("html"))
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
        self._download: W.HTML | None = None
        self._erase_row = buttons(self.scope, self.erase_button)
        self.children = [self.intro, self._row(self.md_button, self.html_button),
                         self._erase_row, self.status]

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

    def export(self, fmt: str = "md") -> str | None:
        """Offer a download of the journal (the browser saves it); returns the file name.

        Nothing is written on the server: the copy goes where the learner's browser
        saves downloads, which they can see and control.
        """
        from ..exports import download_html

        ok, made = self.attempt(lambda: download_html(self.journal, fmt), failed="export failed")
        if not ok:
            return None
        name, link = made
        self.download.value = link
        self.download.layout.display = ""
        self.last_export = name
        self.set_status(f"Your {FORMATS[fmt][0]} copy is ready: choose “Save {name}” to "
                        "download it. Your browser puts it in your downloads folder; "
                        "it is not stored anywhere else.")
        return name

    @property
    def download(self) -> W.HTML:
        """The download link of the latest export (built when first asked for)."""
        if self._download is None:
            from ._base import PrivateHTML

            self._download = lean(PrivateHTML, value="", layout=own_layout(display="none"))
            self._insert_after(self.status, self._download)
        return self._download

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
            if self._download is not None:
                self._download.value = ""
                self._download.layout.display = "none"
            copies = ""
            if lesson is None:
                from ..exports import erase_exports

                copies = " " + " ".join(erase_exports(self.journal).sentences())
            self.set_status(f"erased {what} ({n} saved items).{copies}")
        return n if ok else None

    def retry(self) -> None:
        self.set_status("")
