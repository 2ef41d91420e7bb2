"""Before-and-after belief ratings, with a plot of the learner's own shift."""

from __future__ import annotations

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

    def render_svg(self) -> str:
        """An SVG of start (circle) and end (square) ratings per statement.

        Plain SVG text, drawn here without a plotting library, so the same drawing serves
        JupyterLab and the browser edition (where matplotlib is not available offline).
        It carries its own ``<title>`` and ``<desc>`` (the ratings in words).
        """
        return shift_svg(self.shift(), self.describe())

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
        ok, svg = self.attempt(self.render_svg, failed="could not draw the plot")
        if not ok:
            return
        alt = self.describe()
        self.plot.value = f"<figure>{svg}<figcaption>{esc(alt)}</figcaption></figure>"
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


# -- the drawing (SVG text, no plotting library) ---------------------------------------
START_COLOUR, END_COLOUR, INK = "#1f5fa8", "#b3261e", "#222"
_LABEL_W, _X0, _X1, _WIDTH = 300, 340, 620, 660
_LINE_H, _TOP = 15, 64


def _x(rating: float) -> float:
    return _X0 + (rating - 1) * (_X1 - _X0) / 4


def shift_svg(data: list[tuple[str, int | None, int | None]], description: str) -> str:
    """Draw ``(statement, start, end)`` rows on a 1..5 scale as one accessible SVG."""
    rows, y = [], _TOP
    for statement, a, b in data:
        lines = textwrap.wrap(statement, 44) or [""]
        height = max(40, len(lines) * _LINE_H + 14)
        rows.append((lines, a, b, y, height))
        y += height
    bottom = y
    height = bottom + 48
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="coursekit-belief-plot" role="img" '
           f'viewBox="0 0 {_WIDTH} {height}" width="100%" style="max-width:{_WIDTH}px" '
           'font-family="system-ui, sans-serif" font-size="12">',
           "<title>My ratings: circle = start, square = end</title>",
           f"<desc>{esc(description)}</desc>",
           f'<rect width="{_WIDTH}" height="{height}" fill="#fff"/>',
           f'<text x="{_WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold" '
           f'fill="{INK}">My ratings: circle = start, square = end</text>',
           f'<circle cx="{_X0}" cy="42" r="6" fill="{START_COLOUR}"/>',
           f'<text x="{_X0 + 12}" y="46" fill="{INK}">start</text>',
           f'<rect x="{_X0 + 63}" y="35" width="14" height="14" fill="none" stroke="{END_COLOUR}" '
           'stroke-width="3"/>',
           f'<text x="{_X0 + 82}" y="46" fill="{INK}">end</text>']
    for value in range(1, 6):
        x = _x(value)
        out.append(f'<line x1="{x}" y1="{_TOP - 4}" x2="{x}" y2="{bottom}" stroke="#ccc"/>')
        label = {1: "1 disagree", 5: "5 agree"}.get(value, str(value))
        out.append(f'<text x="{x}" y="{bottom + 20}" text-anchor="middle" fill="{INK}">'
                   f"{label}</text>")
    for lines, a, b, top, row_h in rows:
        mid = top + row_h / 2
        first = mid - (len(lines) - 1) * _LINE_H / 2 + 4
        out.append(f'<text x="{_LABEL_W}" y="{first}" text-anchor="end" fill="{INK}">' + "".join(
            f'<tspan x="{_LABEL_W}" dy="{0 if i == 0 else _LINE_H}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)) + "</text>")
        out.append(f'<line x1="{_X0}" y1="{top + row_h}" x2="{_X1}" y2="{top + row_h}" '
                   'stroke="#eee"/>')
        if a is not None and b is not None and a != b:
            step = 12 if b > a else -12
            out.append(f'<line x1="{_x(a)}" y1="{mid}" x2="{_x(b) - step}" y2="{mid}" '
                       f'stroke="{INK}" stroke-width="2"/>')
            tip = _x(b) - step * 0.2
            base = _x(b) - step * 1.2
            out.append(f'<path d="M{tip} {mid} L{base} {mid - 5} L{base} {mid + 5} Z" '
                       f'fill="{INK}"/>')
        if a is not None:
            out.append(f'<circle cx="{_x(a)}" cy="{mid}" r="7" fill="{START_COLOUR}">'
                       f"<title>start: {a}</title></circle>")
        if b is not None:
            # an outlined square: a circle at the same rating stays visible inside it
            out.append(f'<rect x="{_x(b) - 9}" y="{mid - 9}" width="18" height="18" '
                       f'fill="none" stroke="{END_COLOUR}" stroke-width="3">'
                       f"<title>end: {b}</title></rect>")
    out.append("</svg>")
    return "".join(out)
