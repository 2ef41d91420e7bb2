"""A free-text reflection: optional, autosaved after a pause and when focus leaves."""

from __future__ import annotations

import ipywidgets as W

from ..course import Prompt
from ..journal import Journal
from ._base import Debouncer, KitWidget, PrivateHTML, PrivateTextarea, clock, esc, live
from ._choice import question_html
from ._shared import button, lean, own_layout

AUTOSAVE_DELAY = 1.5  # seconds of no typing before a save


class Reflection(KitWidget):
    """The prompt, a text box, Skip, a "saved at 14:02" status and earlier versions.

    Every keystroke reaches the kernel (``continuous_update=True``); a save happens
    ``delay`` seconds after the last one, and at once on :meth:`blur`, :meth:`flush`
    or kernel shutdown. Setting :attr:`value` from code goes through the same path
    as typing. The learner's actions are methods: :meth:`type`, :meth:`blur`,
    :meth:`skip`, :meth:`unskip`, :meth:`show_history`, :meth:`retry`.
    """

    css_class = "coursekit-reflection"

    def __init__(self, prompt: Prompt, *, journal: Journal | None = None,
                 delay: float = AUTOSAVE_DELAY):
        super().__init__(journal=journal)
        self.prompt = prompt
        self.skipped = False
        self._saved_text = ""
        self._restoring = False
        self._debounce = Debouncer(delay, self._autosave)
        self.question = question_html(prompt.text)
        self.box = lean(
            PrivateTextarea, value="", description="Your answer", rows=5,
            continuous_update=True,
            placeholder="Optional. Write as much or as little as you like; it saves itself.",
            tooltip=prompt.text, layout=own_layout(width="auto"),  # hidden while skipped
            classes=("coursekit-answer",))
        self.skip_button = button("Skip this reflection", icon="forward",
                                  tooltip="Skip it; you can come back to it later",
                                  layout=own_layout(width="auto"))
        self.history_button = button("Show earlier versions", icon="history",
                                     tooltip="List the versions saved so far")
        # Built when first needed: "Answer after all" (once skipped), the history panel.
        self._unskip: W.Button | None = None
        self._history: W.HTML | None = None
        self.skip_button.on_click(lambda _b: self.skip())
        self.history_button.on_click(lambda _b: self.toggle_history())
        self.box.observe(self._on_edit, names="value")
        row = self._row(self.skip_button, self.history_button)
        self.children = [self.question, self.box, self.status, row]
        self._flush_earlier_boxes()
        self.restore()

    def _flush_earlier_boxes(self) -> None:
        """Save now what an earlier box for the same prompt (a page since reloaded, its
        widget still alive in this kernel) has waiting for its autosave, so this box
        restores the learner's last words rather than what was saved before them."""
        for other in live():
            if (other is not self and isinstance(other, Reflection)
                    and other.prompt.id == self.prompt.id):
                other.flush()

    @property
    def unskip_button(self) -> W.Button:
        """"Answer after all", shown while the reflection is skipped (built on first use)."""
        if self._unskip is None:
            self._unskip = button("Answer after all", icon="pencil",
                                  tooltip="Show the text box again",
                                  layout=own_layout(width="auto", display="none"))
            self._unskip.on_click(lambda _b: self.unskip())
            row = self._button_row
            items = list(row.children)
            items.insert(items.index(self.skip_button) + 1, self._unskip)
            row.children = items
        return self._unskip

    @property
    def history(self) -> W.HTML:
        """The earlier-versions panel, empty and hidden until :meth:`show_history`."""
        if self._history is None:
            self._history = lean(PrivateHTML, value="", layout=own_layout(display="none"),
                                 classes=("coursekit-history",))
            self.children = [*self.children, self._history]
        return self._history

    @property
    def showing_history(self) -> bool:
        return self._history is not None and self._history.layout.display != "none"

    # -- the text --------------------------------------------------------------------
    @property
    def value(self) -> str:
        """The text in the box. Setting it saves exactly as typing does."""
        return self.box.value

    @value.setter
    def value(self, text: str) -> None:
        self.box.value = text

    def type(self, text: str) -> None:
        """The learner types: the box now holds ``text``."""
        self.box.value = text

    @property
    def dirty(self) -> bool:
        """True while the box holds text the journal does not have yet."""
        return self.box.value != self._saved_text

    def restore(self) -> None:
        """Show the latest saved answer (or the skip) from the journal."""
        ok, latest = self.attempt(lambda: self.journal.latest(self.prompt.id),
                                  failed="could not open the journal")
        if not ok:
            return
        if latest is not None and latest.skipped:
            ok, answer = self.attempt(lambda: self.journal.latest_answer(self.prompt.id),
                                      failed="could not open the journal")
            self._set_box(answer.text if answer else "")
            self._show_skipped(True)
            self.set_status(f"skipped at {clock(latest.saved_at)}; you can answer later")
        elif latest is not None:
            self._set_box(latest.text)
            self.set_status(f"saved at {clock(latest.saved_at)} (version {latest.version})")
        else:
            self.set_status("nothing written yet (optional)")

    def _set_box(self, text: str) -> None:
        self._restoring = True
        try:
            self.box.value = text
        finally:
            self._restoring = False
        self._saved_text = text

    def _on_edit(self, change: dict) -> None:
        if self._restoring:
            return
        if self.skipped:
            self._show_skipped(False)
        if self.error:  # the journal failed before: try again on this edit, at once
            self._save()
            return
        self.set_status("not saved yet: saving when you pause")
        self._debounce.trigger()

    def _autosave(self) -> None:
        self._save()

    def _save(self) -> bool:
        self._debounce.cancel()
        text = self.box.value
        if text == self._saved_text and not self.error and not self.skipped:
            return True
        ok, entry = self.attempt(lambda: self.journal.save(
            self.prompt.id, text, lesson=self.prompt.lesson, prompt=self.prompt.text))
        if ok:
            self._saved_text = text
            self.skipped = False
            if self.box.value == text:
                self.set_status(f"saved at {clock(entry.saved_at)} (version {entry.version})")
            if self.showing_history:
                self.show_history()
        return ok

    def flush(self) -> bool:
        """Save pending text now; True when the journal has what the box holds."""
        if self.skipped:
            return True
        if self._debounce.pending or self.dirty or self.error:
            return self._save()
        return True

    def blur(self) -> bool:
        """Focus leaves the box: save now rather than after the pause."""
        return self.flush()

    def retry(self) -> None:
        """Try the failed save again (the Retry button)."""
        if self.skipped:
            self.skip()
        else:
            self._save()

    # -- skipping ----------------------------------------------------------------------
    def _show_skipped(self, skipped: bool) -> None:
        self.skipped = skipped
        self.box.layout.display = "none" if skipped else ""
        self.skip_button.layout.display = "none" if skipped else ""
        if skipped or self._unskip is not None:
            self.unskip_button.layout.display = "" if skipped else "none"

    def skip(self) -> bool:
        """Skip this prompt; the choice is saved and respected when the lesson reopens."""
        self._debounce.cancel()
        ok, entry = self.attempt(lambda: self.journal.skip(
            self.prompt.id, lesson=self.prompt.lesson, prompt=self.prompt.text),
            failed="skip not saved")
        self._show_skipped(True)
        if ok:
            self.set_status(f"skipped at {clock(entry.saved_at)}; you can answer later")
        return ok

    def unskip(self) -> None:
        """Show the text box again (the next save records an answer)."""
        self._show_skipped(False)
        self.set_status("not skipped any more: write if you wish; it saves itself")
        if self.box.value:
            self._save()

    # -- earlier versions -------------------------------------------------------------
    def show_history(self) -> None:
        """List every saved version, newest first (only on request; never in an output)."""
        ok, versions = self.attempt(lambda: self.journal.history(self.prompt.id),
                                    failed="could not read the journal")
        if not ok:
            return
        items = []
        for e in reversed(versions):
            when = e.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
            body = ("<em>skipped</em>" if e.skipped else
                    f'<div dir="auto" style="white-space:pre-wrap">{esc(e.text) or "<em>empty</em>"}</div>')
            items.append(f"<li><strong>Version {e.version}, {esc(when)}</strong>{body}</li>")
        self.history.value = (f'<section aria-label="Earlier versions"><ol reversed>'
                              f"{''.join(items) or '<li>No versions saved yet.</li>'}</ol>"
                              "</section>")
        self.history.layout.display = ""
        self.history_button.description = "Hide earlier versions"

    def hide_history(self) -> None:
        if self._history is not None:
            self._history.value = ""
            self._history.layout.display = "none"
        self.history_button.description = "Show earlier versions"

    def toggle_history(self) -> None:
        if not self.showing_history:
            self.show_history()
        else:
            self.hide_history()
