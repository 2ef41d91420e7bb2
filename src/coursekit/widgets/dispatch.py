"""Pick the widget for a reflection prompt by its kind."""

from __future__ import annotations

import importlib

from ..course import Prompt
from ..errors import ContentError
from ..journal import Journal
from ._base import KitWidget

# kind -> (module, class): a lesson imports only the kinds it shows.
KINDS: dict[str, tuple[str, str]] = {
    "text": (".reflection", "Reflection"),
    "rating": (".rating", "RatingScale"),
    "checklist": (".checklist", "Checklist"),
    "sort": (".sorter", "Sorter"),
}


def widget_class(kind: str) -> type[KitWidget]:
    """The widget class for a prompt kind (imported on first use)."""
    module, name = KINDS[kind]
    return getattr(importlib.import_module(module, __package__), name)


def widget_for_prompt(prompt: Prompt, *, journal: Journal | None = None) -> KitWidget:
    """The reflection widget for ``prompt`` (text, rating, checklist or sort)."""
    if prompt.kind not in KINDS:
        raise ContentError(f"prompt {prompt.id} has kind {prompt.kind!r}; use one of "
                           f"{sorted(KINDS)}")
    return widget_class(prompt.kind)(prompt, journal=journal)
