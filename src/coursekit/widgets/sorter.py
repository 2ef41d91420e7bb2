"""A sorting exercise: put each statement into a category."""

from __future__ import annotations

import ipywidgets as W

from .. import evidence
from ..course import Prompt
from ..errors import ContentError
from ..journal import Journal
from ._base import ChoiceDropdown
from ._choice import RecordWidget
from ._shared import lean

UNSORTED = "(not sorted yet)"


def categories(prompt: Prompt) -> list[str]:
    """The prompt's categories; ``categories: evidence`` means the course's evidence scale."""
    raw = prompt.options.get("categories")
    if raw == evidence.SCALE:
        return list(evidence.labels())
    if isinstance(raw, str):
        raise ContentError(f"sort prompt {prompt.id}: categories should be a list, or "
                           f"{evidence.SCALE!r} for the course's evidence scale, not {raw!r}")
    return [str(c) for c in raw or []]


class Sorter(RecordWidget):
    """Each of ``statements`` gets a drop-down of ``categories`` (from the prompt's options).

    Action: :meth:`place` (by statement text or position).
    """

    kind = "sort"
    css_class = "coursekit-sorter"

    def __init__(self, prompt: Prompt, *, journal: Journal | None = None):
        super().__init__(prompt, journal=journal)
        opts = prompt.options
        self.statements = [str(s) for s in opts.get("statements") or []]
        self.categories = categories(prompt)
        if not self.statements or len(self.categories) < 2:
            raise ContentError(f"sort prompt {prompt.id} needs statements: (a list) and at "
                               "least two categories:")
        # Each statement is its drop-down's label: shown once, and read out as its name.
        self.choices = []
        for n, statement in enumerate(self.statements, 1):
            choice = lean(ChoiceDropdown, placeholder=UNSORTED,
                          options=[(c, c) for c in self.categories],
                          description=f"{n}. {statement}", classes=("coursekit-statement",))
            choice.observe(self.changed, names="value")
            self.choices.append(choice)
        self.children = [self.question, *self.choices, self.status]
        self.restore()

    def _choice(self, statement: str | int) -> W.Dropdown:
        if isinstance(statement, int):
            return self.choices[statement]
        try:
            return self.choices[self.statements.index(statement)]
        except ValueError:
            raise ValueError(f"{statement!r} is not a statement of {self.prompt.id}") from None

    def place(self, statement: str | int, category: str | None) -> None:
        """Put ``statement`` into ``category`` (None: take it out again)."""
        if category is not None and category not in self.categories:
            raise ValueError(f"{category!r} is not a category of {self.prompt.id}; "
                             f"choose one of {self.categories}")
        self._choice(statement).value = category

    @property
    def placement(self) -> dict[str, str | None]:
        return {s: c.value for s, c in zip(self.statements, self.choices, strict=True)}

    def data(self) -> dict:
        return {**super().data(), "categories": self.categories, "placement": self.placement}

    def apply(self, data: dict) -> None:
        stored = data.get("placement") or {}
        for statement, choice in zip(self.statements, self.choices, strict=True):
            value = stored.get(statement)
            choice.value = value if value in self.categories else None
