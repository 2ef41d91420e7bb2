"""The opening check-in of every lesson, with a pause that is always at hand."""

from __future__ import annotations

import ipywidgets as W

from ..course import LessonInfo, support_resources
from ..journal import Journal
from ._base import KitWidget, buttons, clock, esc
from ._choice import scale_options

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
        self.heading = W.HTML(
            f"<p><strong>Before you begin lesson {esc(info.id)}.</strong> This lesson takes "
            f"about {info.minutes} minutes. Every reflection is optional, and you can pause "
            "at any time.</p>")
        self.feeling = W.RadioButtons(
            options=scale_options(FEELING_LOW, FEELING_HIGH), value=None,
            description="How are you feeling right now?", orientation="horizontal",
            layout=W.Layout(width="auto"))
        self.feeling.add_class("coursekit-scale")
        self.pause_button = W.Button(description="Pause", icon="pause",
                                     tooltip="A short grounding exercise and support contacts",
                                     layout=W.Layout(width="auto"))
        self.close_button = W.Button(description="Close the pause panel", icon="times",
                                     tooltip="Hide the exercise; the lesson goes on",
                                     layout=W.Layout(width="auto", display="none"))
        self.offer = W.HTML(value="")
        self.panel = W.HTML(value="", layout=W.Layout(display="none"))
        self.panel.add_class("coursekit-panel")
        self.pause_button.on_click(lambda _b: self.pause())
        self.close_button.on_click(lambda _b: self.close_pause())
        self.feeling.observe(self._on_feeling, names="value")
        self.children = [self.heading, self.feeling, self.offer,
                         buttons(self.pause_button, self.close_button, self.retry_button),
                         self.panel, self.status, self.notice]
        self._pending: int | None = None
        self.attempt(lambda: self.journal.record("visit", info.id, lesson=info.id, data={}),
                     failed="visit not recorded")

    @property
    def paused(self) -> bool:
        return self.panel.layout.display != "none"

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
        self.panel.layout.display = "none"
        self.close_button.layout.display = "none"
