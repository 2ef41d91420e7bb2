"""Pick the widget for a reflection prompt by its kind."""

from __future__ import annotations

from ..course import Prompt
from ..errors import ContentError
from ..journal import Journal
from ._base import KitWidget
from .checklist import Checklist
from .rating import RatingScale
from .reflection import Reflection
from .sorter import Sorter

WIDGETS: dict[str, type[KitWidget]] = {
    "text": Reflection,
    "rating": RatingScale,
    "checklist": Checklist,
    "sort": Sorter,
}


def widget_for_prompt(prompt: Prompt, *, journal: Journal | None = None) -> KitWidget:
    """The reflection widget for ``prompt`` (text, rating, checklist or sort)."""
    try:
        cls = WIDGETS[prompt.kind]
    except KeyError:
        raise ContentError(f"prompt {prompt.id} has kind {prompt.kind!r}; use one of "
                           f"{sorted(WIDGETS)}") from None
    return cls(prompt, journal=journal)
