"""Shared machinery of the widgets that store a structured result (not free text)."""

from __future__ import annotations

from typing import Any

import ipywidgets as W

from ..course import Prompt
from ..journal import Journal
from ._base import KitWidget, clock, esc
from ._shared import html


def question_html(text: str) -> W.HTML:
    """A prompt's question, in the kit's question style."""
    return html(f'<p dir="auto">{esc(text)}</p>', classes=("coursekit-question",))


def scale_options(low: str, high: str, size: int = 5) -> list[tuple[str, int]]:
    """``1 · low``, 2, 3, ..., ``size · high``: both ends carry their words."""
    labels = []
    for i in range(1, size + 1):
        text = str(i)
        if i == 1:
            text += f" · {low}"
        elif i == size:
            text += f" · {high}"
        labels.append((text, i))
    return labels


class RecordWidget(KitWidget):
    """A widget whose answer is one journal record (kind, prompt id) saved on each change."""

    kind = "record"

    def __init__(self, prompt: Prompt, *, journal: Journal | None = None, **kwargs: Any):
        super().__init__(journal=journal, **kwargs)
        self.prompt = prompt
        self._pending: dict | None = None
        self._restoring = False
        self.question = question_html(prompt.text)

    def data(self) -> dict:
        """What the record stores (subclasses add the answer)."""
        return {"prompt": self.prompt.text}

    def apply(self, data: dict) -> None:
        """Show a stored answer (subclasses)."""

    def restore(self) -> None:
        ok, rec = self.attempt(lambda: self.journal.latest_record(self.kind, self.prompt.id),
                               failed="could not open the journal")
        if not ok:
            return
        if rec is None:
            self.set_status("nothing chosen yet (optional)")
            return
        self._restoring = True
        try:
            self.apply(rec.data)
        finally:
            self._restoring = False
        self.set_status(f"saved at {clock(rec.saved_at)}")

    def changed(self, _change: Any = None) -> None:
        if self._restoring:
            return
        self._pending = self.data()
        self.save()

    def save(self) -> bool:
        if self._pending is None:
            return True
        data = self._pending
        ok, rec = self.attempt(lambda: self.journal.record(
            self.kind, self.prompt.id, lesson=self.prompt.lesson, data=data))
        if ok:
            self._pending = None
            self.set_status(f"saved at {clock(rec.saved_at)}")
        return ok

    def flush(self) -> bool:
        return self.save()

    def retry(self) -> None:
        self.save()
