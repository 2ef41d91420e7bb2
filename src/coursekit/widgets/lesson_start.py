"""The opening check-in of every lesson, with a pause that is always at hand."""

from __future__ import annotations

import ipywidgets as W

from ..course import LessonInfo, support_resources
from ..journal import Journal
from ._base import KitWidget, clock, esc
from ._choice import scale_options
from ._shared import button, html, lean, own_layout

FEELING_LOW = "very unsettled"
FEELING_HIGH = "calm and steady"
DISTRESS_AT_OR_BELOW = 2

GROUNDING = (
    "<p><strong>A short grounding exercise (about two minutes).</strong> "
    "Sit so your feet rest on the floor. Breathe in slowly while you count to four, and "
    "out while you count to six; do this three times. Then notice, without hurrying:</p>"
    "<ul><li>5 things you can see,</li><li>4 things you can touch,</li>"
    "<li>3 things you can hear,</li><li>2 things you can smell,</li>"
    "<li>1 thing you can taste.</li></ul>"
    "<p>You can close this lesson and come back another day; nothing is lost. "
    "Going on is always your choice.</p>"
)


def support_html() -> str:
    """The support list from ``assets/support.yml`` (or the one line that always holds)."""
    try:
        data = support_resources()
    except Exception:
        return ("<p><strong>Support.</strong> If you are in danger now, call your local "
                "emergency number.</p>")
    items = "".join(
        f"<li><strong>{esc(r.get('name', ''))}</strong>: {esc(r.get('contact', ''))}"
        + (f" ({esc(r['when'])})" if r.get("when") else "") + "</li>"
        for r in data.get("resources", []))
    return (f"<p><strong>Support.</strong> {esc(data.get('intro', ''))}</p><ul>{items}</ul>"
            + (f"<p><em>{esc(data['region_note'])}</em></p>" if data.get("region_note") else ""))


class LessonStart(KitWidget):
    """"How are you feeling right now?" with labelled ends, and a Pause button.

    The Pause panel (a grounding exercise and the support list) opens on request,
    and is offered at once when the learner reports distress; it never blocks going
    on. Opening the widget records a lesson visit for the progress bar.
    Actions: :meth:`check_in`, :meth:`pause`, :meth:`close_pause`.
    """

    css_class = "coursekit-lesson-start"

    def __init__(self, info: LessonInfo, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        self.info = info
        self.heading = html(
            f"<p><strong>Before you begin lesson {esc(info.id)}.</strong> This lesson takes "
            f"about {info.minutes} minutes. Every reflection is optional, and you can pause "
            "at any time.</p>")
        self.feeling = lean(
            W.RadioButtons, options=scale_options(FEELING_LOW, FEELING_HIGH), value=None,
            description="How are you feeling right now?", orientation="horizontal",
            layout={"width": "auto"}, classes=("coursekit-scale",))
        self.pause_button = button("Pause", icon="pause",
                                   tooltip="A short grounding exercise and support contacts")
        # Built when first needed: the reply to the check-in, the pause panel and its
        # Close button (the Pause button itself is always there).
        self._offer: W.HTML | None = None
        self._panel: W.HTML | None = None
        self._close: W.Button | None = None
        self.pause_button.on_click(lambda _b: self.pause())
        self.feeling.observe(self._on_feeling, names="value")
        self.children = [self.heading, self.feeling, self._row(self.pause_button), self.status]
        self._pending: int | None = None
        self.attempt(lambda: self.journal.record("visit", info.id, lesson=info.id, data={}),
                     failed="visit not recorded")

    @property
    def offer(self) -> W.HTML:
        """The reply to the check-in (under the scale)."""
        if self._offer is None:
            self._offer = html("")
            self._insert_after(self.feeling, self._offer)
        return self._offer

    @property
    def close_button(self) -> W.Button:
        """"Close the pause panel", beside Pause while the panel is open."""
        if self._close is None:
            self._close = button("Close the pause panel", icon="times",
                                 tooltip="Hide the exercise; the lesson goes on",
                                 layout=own_layout(width="auto", display="none"))
            self._close.on_click(lambda _b: self.close_pause())
            row = self._button_row
            items = list(row.children)
            items.insert(items.index(self.pause_button) + 1, self._close)
            row.children = items
        return self._close

    @property
    def panel(self) -> W.HTML:
        """The pause panel: the grounding exercise and the support list (hidden until asked)."""
        if self._panel is None:
            self._panel = html("", layout=own_layout(display="none"),
                               classes=("coursekit-panel",))
            self._insert_after(self._button_row, self._panel)
        return self._panel

    @property
    def paused(self) -> bool:
        return self._panel is not None and self._panel.layout.display != "none"

    def check_in(self, value: int) -> None:
        """The learner answers the check-in (1 = very unsettled .. 5 = calm and steady)."""
        if not 1 <= int(value) <= 5:
            raise ValueError(f"the check-in is 1 to 5, not {value!r}")
        self.feeling.value = int(value)

    def _on_feeling(self, change: dict) -> None:
        value = change["new"]
        if value is None:
            return
        if value <= DISTRESS_AT_OR_BELOW:
            self.offer.value = (
                '<p role="status">Thank you for checking in. It may help to pause before '
                "going on: the exercise below takes about two minutes, and the support list is "
                "there too. You can also carry on whenever you are ready.</p>")
            self.pause()
        else:
            self.offer.value = ('<p role="status">Thank you for checking in. The Pause button '
                                "stays here if you need it.</p>")
        self._pending = value
        self.retry()

    def retry(self) -> None:
        if self._pending is None:
            return
        value = self._pending
        ok, rec = self.attempt(lambda: self.journal.record(
            "checkin", self.info.id, lesson=self.info.id,
            data={"value": value, "prompt": "How are you feeling right now?",
                  "low": FEELING_LOW, "high": FEELING_HIGH, "low_value": 1, "high_value": 5}),
            failed="check-in not saved")
        if ok:
            self._pending = None
            self.set_status(f"check-in saved at {clock(rec.saved_at)} (private)")

    def flush(self) -> bool:
        self.retry()
        return self._pending is None

    def pause(self) -> None:
        """Show the grounding exercise and the support list."""
        self.panel.value = f'<section aria-label="Pause">{GROUNDING}{support_html()}</section>'
        self.panel.layout.display = ""
        self.close_button.layout.display = ""

    def close_pause(self) -> None:
        """Hide the pause panel again."""
        if self._panel is not None:
            self._panel.layout.display = "none"
        if self._close is not None:
            self._close.layout.display = "none"
