"""Before-and-after belief ratings, with a plot of the learner's own shift."""

from __future__ import annotations

import base64
import io
import textwrap

import ipywidgets as W

from ..course import LessonInfo, course_info
from ..errors import ContentError
from ..journal import Journal
from ._base import KitWidget, clock, esc
from ._choice import scale_options
from ._shared import button, html, lean, own_layout

PHASES = ("start", "end")
SCOPES = ("lesson", "course")
LOW, HIGH = "strongly disagree", "strongly agree"


class BeliefTracker(KitWidget):
    """Rate each statement 1..5 at the ``start`` or ``end`` of a lesson or of the course.

    Ratings are stored as ``belief`` records under ``<scope>.<phase>`` (``course`` or
    the lesson id). :meth:`show_plot` draws start against end for each statement.
    Actions: :meth:`rate`, :meth:`show_plot`, :meth:`hide_plot`.

    Each statement is shown once, as the label of its own 1..5 scale.
    """

    css_class = "coursekit-beliefs"

    def __init__(self, statements: list[str] | tuple[str, ...], *, phase: str, scope_key: str,
                 lesson: str, journal: Journal | None = None):
        super().__init__(journal=journal)
        if phase not in PHASES:
            raise ValueError(f"phase is 'start' or 'end', not {phase!r}")
        if not statements:
            raise ContentError(f"there are no belief statements for {scope_key}; add beliefs:")
        self.statements = [str(s) for s in statements]
        self.phase, self.scope_key, self.lesson = phase, scope_key, lesson
        when = "now, at the start" if phase == "start" else "now, at the end"
        self.intro = html(
            f"<p><strong>Where do you stand {when}?</strong> Rate each statement from 1 "
            f"({LOW}) to 5 ({HIGH}). There are no right answers; this is only for you, to see "
            "whether your view shifts.</p>")
        self.scales = []
        for n, statement in enumerate(self.statements, 1):
            scale = lean(W.RadioButtons, options=scale_options(LOW, HIGH), value=None,
                         description=f"{n}. {statement}", orientation="horizontal",
                         layout={"width": "auto"},
                         classes=("coursekit-scale", "coursekit-statement"))
            scale.observe(self._changed, names="value")
            self.scales.append(scale)
        self.plot_button = button("Show my shift", icon="line-chart",
                                  tooltip="Plot my start and end ratings")
        self.plot_button.on_click(lambda _b: self.toggle_plot())
        self._plot: W.HTML | None = None  # built on the first "Show my shift"
        self.children = [self.intro, *self.scales, self.status, self._row(self.plot_button)]
        self._pending = False
        self._restoring = False
        self._restore()

    @classmethod
    def for_lesson(cls, info: LessonInfo, *, phase: str = "start", scope: str = "lesson",
                   journal: Journal | None = None) -> BeliefTracker:
        """The tracker for a lesson's own statements, or the course's (``scope="course"``)."""
        if scope not in SCOPES:
            raise ValueError(f"scope is 'lesson' or 'course', not {scope!r}")
        if scope == "course":
            statements = course_info().get("beliefs") or []
            key = "course"
        else:
            statements, key = info.beliefs, info.id
        return cls(statements, phase=phase, scope_key=key, lesson=info.id, journal=journal)

    def key(self, phase: str | None = None) -> str:
        return f"{self.scope_key}.{phase or self.phase}"

    @property
    def ratings(self) -> dict[str, int | None]:
        return {s: w.value for s, w in zip(self.statements, self.scales, strict=True)}

    def rate(self, statement: str | int, value: int | None) -> None:
        """The learner rates one statement (by text or position) 1..5, or None to clear."""
        idx = statement if isinstance(statement, int) else self.statements.index(statement)
        if value is not None and not 1 <= int(value) <= 5:
            raise ValueError(f"a rating is 1 to 5, not {value!r}")
        self.scales[idx].value = value

    def _stored(self, phase: str) -> dict[str, int | None]:
        rec = self.journal.latest_record("belief", self.key(phase))
        return dict(rec.data.get("ratings") or {}) if rec else {}

    def _restore(self) -> None:
        ok, rec = self.attempt(lambda: self.journal.latest_record("belief", self.key()),
                               failed="could not open the journal")
        if not ok:
            return
        if rec is None:
            self.set_status("nothing rated yet (optional)")
            return
        stored = rec.data.get("ratings") or {}
        self._restoring = True
        try:
            for statement, scale in zip(self.statements, self.scales, strict=True):
                value = stored.get(statement)
                scale.value = value if value in range(1, 6) else None
        finally:
            self._restoring = False
        self.set_status(f"saved at {clock(rec.saved_at)}")

    def _changed(self, _change: dict) -> None:
        if self._restoring:
            return
        self._pending = True
        self.retry()

    def retry(self) -> None:
        if not self._pending:
            return
        data = {"phase": self.phase, "scope": self.scope_key, "ratings": self.ratings,
                "title": f"{'Start' if self.phase == 'start' else 'End'} of "
                         f"{'the course' if self.scope_key == 'course' else 'lesson ' + self.lesson}"}
        ok, rec = self.attempt(lambda: self.journal.record("belief", self.key(),
                                                           lesson=self.lesson, data=data))
        if ok:
            self._pending = False
            self.set_status(f"saved at {clock(rec.saved_at)}")

    def flush(self) -> bool:
        self.retry()
        return not self._pending

    # -- the plot ----------------------------------------------------------------------
    def shift(self) -> list[tuple[str, int | None, int | None]]:
        """(statement, start rating, end rating) for every statement."""
        start, end = self._stored("start"), self._stored("end")
        return [(s, start.get(s), end.get(s)) for s in self.statements]

    def describe(self) -> str:
        """The plot in words (its alt text, also shown under it)."""
        parts = []
        for n, (statement, a, b) in enumerate(self.shift(), 1):
            a_txt = a if a is not None else "not rated"
            b_txt = b if b is not None else "not rated"
            move = ""
            if a is not None and b is not None:
                move = " (no change)" if a == b else f" ({'up' if b > a else 'down'} {abs(b - a)})"
            parts.append(f"Statement {n}, {statement}: start {a_txt}, end {b_txt}{move}.")
        return " ".join(parts)

    def render_png(self) -> bytes:
        """A PNG of start (circle) and end (square) ratings per statement."""
        from matplotlib.figure import Figure  # imported here: a lesson starts fast

        data = self.shift()
        fig = Figure(figsize=(7, 0.7 * len(data) + 1.2), dpi=100)
        ax = fig.add_subplot()
        for y, (_s, a, b) in enumerate(data):
            if a is not None and b is not None and a != b:
                ax.annotate("", xy=(b, y), xytext=(a, y),
                            arrowprops={"arrowstyle": "->", "color": "#333"})
            if a is not None:
                ax.plot([a], [y], marker="o", markersize=10, color="#1f77b4", linestyle="",
                        label="start" if y == 0 else None)
            if b is not None:
                ax.plot([b], [y], marker="s", markersize=9, color="#d62728", linestyle="",
                        label="end" if y == 0 else None)
        ax.set_yticks(range(len(data)))
        ax.set_yticklabels([textwrap.fill(s, 40) for s, _a, _b in data], fontsize=8)
        ax.set_xlim(0.5, 5.5)
        ax.set_xticks(range(1, 6))
        ax.set_xticklabels(["1\ndisagree", "2", "3", "4", "5\nagree"])
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        ax.set_title("My ratings: circle = start, square = end")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()

    @property
    def plot(self) -> W.HTML:
        """The plot panel (the image and its description), hidden until :meth:`show_plot`."""
        if self._plot is None:
            self._plot = html("", layout=own_layout(display="none"))
            self.children = [*self.children, self._plot]
        return self._plot

    @property
    def showing_plot(self) -> bool:
        return self._plot is not None and self._plot.layout.display != "none"

    def show_plot(self) -> None:
        """Draw the shift (an image with alt text, and the same in words)."""
        ok, png = self.attempt(self.render_png, failed="could not draw the plot")
        if not ok:
            return
        alt = self.describe()
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        self.plot.value = (f'<figure><img src="{src}" alt="{esc(alt)}" style="max-width:100%">'
                           f"<figcaption>{esc(alt)}</figcaption></figure>")
        self.plot.layout.display = ""
        self.plot_button.description = "Hide my shift"

    def hide_plot(self) -> None:
        if self._plot is not None:
            self._plot.value = ""
            self._plot.layout.display = "none"
        self.plot_button.description = "Show my shift"

    def toggle_plot(self) -> None:
        if not self.showing_plot:
            self.show_plot()
        else:
            self.hide_plot()
