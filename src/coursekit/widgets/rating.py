"""A rating scale with words at both ends."""

from __future__ import annotations

import ipywidgets as W

from ..course import Prompt
from ..journal import Journal
from ._choice import RecordWidget, scale_options
from ._shared import button, lean


class RatingScale(RecordWidget):
    """One choice on a 1..N scale (``low``/``high`` labels from the prompt; N = ``scale``).

    Radio buttons: reachable with Tab, chosen with the arrow keys, each labelled.
    Actions: :meth:`choose`, :meth:`clear`.
    """

    kind = "rating"
    css_class = "coursekit-rating"

    def __init__(self, prompt: Prompt, *, journal: Journal | None = None):
        super().__init__(prompt, journal=journal)
        opts = prompt.options
        self.low = str(opts.get("low", "not at all"))
        self.high = str(opts.get("high", "very much"))
        self.size = int(opts.get("scale", 5))
        self.scale = lean(W.RadioButtons, options=scale_options(self.low, self.high, self.size),
                          value=None, description="Your rating", orientation="horizontal",
                          layout={"width": "auto"}, classes=("coursekit-scale", "coursekit-asks"))
        self.clear_button = button("Clear my rating", icon="times", tooltip="Remove the rating")
        self.clear_button.on_click(lambda _b: self.clear())
        self.scale.observe(self.changed, names="value")
        self.children = [self.question, self.scale, self.status, self._row(self.clear_button)]
        self.restore()

    @property
    def value(self) -> int | None:
        return self.scale.value

    def choose(self, value: int) -> None:
        """The learner picks ``value`` (1..N)."""
        if not 1 <= int(value) <= self.size:
            raise ValueError(f"a rating is 1 to {self.size}, not {value!r}")
        self.scale.value = int(value)

    def clear(self) -> None:
        """Remove the rating (stored as no answer)."""
        self.scale.value = None

    def data(self) -> dict:
        return {**super().data(), "value": self.scale.value, "low": self.low,
                "high": self.high, "low_value": 1, "high_value": self.size}

    def apply(self, data: dict) -> None:
        value = data.get("value")
        self.scale.value = value if value in range(1, self.size + 1) else None
