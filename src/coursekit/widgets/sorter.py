"""A sorting exercise: put each statement into a category, then see a model reasoning.

A sort prompt may carry ``model:`` in its lesson YAML, one entry per statement, in the same
order: ``{category: ..., why: ...}``. Once the learner has placed every statement, the
sorter shows that reasoning beside their own choices (it is one defensible sort, not a
score), and shows it again when the lesson is reopened.
"""

from __future__ import annotations

import ipywidgets as W

from .. import evidence
from ..course import Prompt
from ..errors import ContentError
from ..journal import Journal
from ._base import ChoiceDropdown, esc
from ._choice import RecordWidget
from ._shared import html, lean

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


def model(prompt: Prompt, cats: list[str], statements: list[str]) -> list[tuple[str, str]]:
    """The prompt's model sort: (category, why) for each statement, checked against both."""
    raw = prompt.options.get("model")
    if raw is None:
        return []
    where = f"sort prompt {prompt.id} (model:)"
    if not isinstance(raw, list) or len(raw) != len(statements):
        raise ContentError(f"{where}: give one entry per statement ({len(statements)}), in the "
                           "order of statements:, each with category: and why:")
    out = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not str(entry.get("why") or "").strip():
            raise ContentError(f"{where}: entry {n} needs category: and a non-empty why:")
        category = str(entry.get("category"))
        if cats == list(evidence.labels()):
            category = evidence.label(category, f"{where}: entry {n}")
        if category not in cats:
            raise ContentError(f"{where}: entry {n} has category {category!r}, which is not "
                               f"one of {cats}")
        out.append((category, " ".join(str(entry["why"]).split())))
    return out


class Sorter(RecordWidget):
    """Each of ``statements`` gets a drop-down of ``categories`` (from the prompt's options).

    Actions: :meth:`place` (by statement text or position); :meth:`show_reasoning`
    (also shown by itself once every statement is placed).
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
        self.model = model(prompt, self.categories, self.statements)
        self.reasoning: W.HTML | None = None  # built when first shown
        self.children = [self.question, *self.choices, self.status]
        self.restore()
        self._maybe_show()

    def changed(self, _change=None) -> None:
        super().changed(_change)
        self._maybe_show()

    def _maybe_show(self) -> None:
        if self.model and all(v is not None for v in self.placement.values()):
            self.show_reasoning()

    def reasoning_html(self) -> str:
        rows = []
        for n, ((category, why), statement) in enumerate(
                zip(self.model, self.statements, strict=True), 1):
            mine = self.placement[statement]
            if mine is None:
                yours = "you have not placed this one yet"
            elif mine == category:
                yours = "the same as yours"
            else:
                yours = f"you chose <em>{esc(mine)}</em>"
            rows.append(f"<li><p><strong>{n}. {esc(category)}</strong> ({yours})</p>"
                        f"<p>{esc(why)}</p></li>")
        return ('<div role="status" aria-live="polite"><p><strong>A model reasoning.</strong> '
                "One careful way to sort these, with the reason for each; where yours "
                "differs, ask what you were weighing. Several answers could be argued, "
                "and nothing is scored.</p>"
                f'<ol class="coursekit-model-list">{"".join(rows)}</ol></div>')

    def show_reasoning(self) -> None:
        """Show the model sort and its reasons beside the learner's own choices."""
        if not self.model:
            raise ValueError(f"sort prompt {self.prompt.id} has no model: in its lesson YAML")
        if self.reasoning is None:
            self.reasoning = html(self.reasoning_html(), classes=("coursekit-model-reasoning",))
            self.children = [*self.children, self.reasoning]
        else:
            self.reasoning.value = self.reasoning_html()

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
