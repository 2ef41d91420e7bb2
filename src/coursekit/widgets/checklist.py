"""A checklist: tick the items that fit you."""

from __future__ import annotations

import ipywidgets as W

from ..course import Prompt
from ..errors import ContentError
from ..journal import Journal
from ._choice import RecordWidget
from ._shared import lean, shared_layout


class Checklist(RecordWidget):
    """One labelled checkbox per item of ``prompt.options["items"]``.

    Actions: :meth:`check`, :meth:`uncheck` (by item text or position).
    """

    kind = "checklist"
    css_class = "coursekit-checklist"

    def __init__(self, prompt: Prompt, *, journal: Journal | None = None):
        super().__init__(prompt, journal=journal)
        items = prompt.options.get("items") or []
        if not items or not all(isinstance(i, str) and i.strip() for i in items):
            raise ContentError(f"checklist prompt {prompt.id} needs items: a list of texts")
        self.items = [str(i) for i in items]
        self.boxes = [lean(W.Checkbox, value=False, description=item, indent=False,
                           layout={"width": "auto"})
                      for item in self.items]
        for box in self.boxes:
            box.observe(self.changed, names="value")
        group = W.VBox(self.boxes, layout=shared_layout())
        group.add_class("coursekit-checks")  # the page script names it by the question
        self.children = [self.question, group, self.status]
        self.restore()

    def _box(self, item: str | int) -> W.Checkbox:
        if isinstance(item, int):
            return self.boxes[item]
        try:
            return self.boxes[self.items.index(item)]
        except ValueError:
            raise ValueError(f"{item!r} is not an item of {self.prompt.id}") from None

    def check(self, item: str | int, value: bool = True) -> None:
        """Tick (or, with ``value=False``, untick) one item."""
        self._box(item).value = value

    def uncheck(self, item: str | int) -> None:
        self.check(item, False)

    @property
    def checked(self) -> list[str]:
        return [i for i, b in zip(self.items, self.boxes, strict=True) if b.value]

    def data(self) -> dict:
        return {**super().data(), "items": self.items, "checked": self.checked}

    def apply(self, data: dict) -> None:
        chosen = set(data.get("checked") or [])
        for item, box in zip(self.items, self.boxes, strict=True):
            box.value = item in chosen
