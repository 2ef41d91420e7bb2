"""The opening check-in of every lesson, and the safety bar every section carries.

Both offer **Pause** (a grounding exercise and the support list, opened in place) and
**Quick exit**: one click (or Enter, for a keyboard user) hides the whole page at once
and replaces it with a neutral page; the kernel then hides the lesson's widgets too, so coming back (with
Back, say) shows no reflection until the learner chooses "Show the lesson again".
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import ipywidgets as W

from ..course import LessonInfo, course_info, support_resources
from ..errors import JournalError
from ..journal import Journal
from ..privacy import hiding_advice
from ._base import KitWidget, clock, esc, live
from ._choice import scale_options
from ._shared import button, html, lean, on_new_front_end, own_layout

FEELING_LOW = "very unsettled"
FEELING_HIGH = "calm and steady"
DISTRESS_AT_OR_BELOW = 2
#: A check-in this recent is shown again when the lesson is opened anew (a reload, which
#: in the browser edition is a new kernel); an older one belongs to another sitting.
CHECKIN_SHOWN_FOR = timedelta(hours=3)

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


#: Where Quick exit goes when ``assets/course.yml`` names no ``quick_exit_url``: a page
#: that looks ordinary in a browser's tab and history (the BBC's weather pages).
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
HIDDEN_CLASS = "coursekit-hidden"

#: What the button does in the page, before anything else: hide everything, tell the
#: kernel (the hidden signal button), then empty the document with ``document.open()``,
#: which also drops every listener JupyterLab set on the window, so its "Leave site?
#: Changes you made may not be saved" question cannot hold the learner up, and replace
#: this page in the tab's history with the neutral one. JupyterLab adds a history entry
#: for each tab or folder it shows; the button first goes back to the page's first entry
#: (the same document, so nothing reloads) and replaces that one.
_EXIT_JS = ("var u=this.getAttribute('data-href');"
            "document.documentElement.style.visibility='hidden';document.title='';"
            "try{var b=this.closest('.coursekit');var s=b&&b.querySelector("
            "'.coursekit-quick-exit-signal');if(s){s.click();}}catch(e){}"
            "document.open();document.write('<!doctype html><title>New tab</title>');"
            "document.close();"
            # Back to this page's first history entry (same document: no reload), then
            # replace it: no Back path leads to the lesson (as abuse services' exits do).
            "var d=0,go=function(){if(d){return;}d=1;window.location.replace(u);};"
            "try{var n=window.navigation,e=n.entries(),i=n.currentEntry.index,j=i;"
            "while(j>0&&e[j-1].sameDocument){j--;}"
            "if(j<i){n.traverseTo(e[j].key).finished.then(go,go);setTimeout(go,600);}"
            "else{go();}}catch(x){go();}")

def quick_exit_limits(where: str | None = None) -> str:
    """What Quick exit does and cannot hide, with the advice true for the setting
    (:func:`coursekit.privacy.hiding_advice`: a private window helps in JupyterLab and
    erases the journal in the browser edition)."""
    return (
        "<p><strong>About Quick exit.</strong> It hides this lesson at once and puts a neutral "
        "page in its place (with the keyboard: Tab to it, then Enter), and the Back button "
        "does not lead back to the lesson. When you come back, your reflections stay hidden "
        "until you choose <em>Show the lesson again</em>.</p>"
        "<p><strong>What it cannot hide.</strong> The browser's own history still lists this "
        "course (with its lesson titles), and Forward, or the history list, can open it again; "
        "other tabs or windows showing the course stay open. "
        f"{esc(hiding_advice(where))} Lesson 00 has more privacy advice.</p>")


def quick_exit_url() -> str:
    """The neutral page: ``quick_exit_url`` in ``assets/course.yml``, else the default."""
    try:
        url = str(course_info().get("quick_exit_url") or "").strip()
    except Exception:  # a broken course.yml must never disable the exit
        url = ""
    return url if url.startswith(("https://", "http://", "about:")) else QUICK_EXIT_URL


def quick_exit_html(url: str | None = None) -> str:
    """The Quick exit button: it works in the page itself, without waiting for the kernel."""
    target = esc(url or quick_exit_url())
    return (f'<button type="button" class="coursekit-quick-exit jupyter-button" '
            f'data-href="{target}" title="Hide this lesson now and open a neutral page" '
            f'onclick="{esc(_EXIT_JS)}">Quick exit</button>')


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


class SafetyControls(KitWidget):
    """Pause and Quick exit, as the opening check-in and every section's safety bar have them.

    Actions: :meth:`pause`, :meth:`close_pause`, :meth:`quick_exit`, :meth:`show_again`.
    The Quick exit button acts in the browser at once (see :func:`quick_exit_html`);
    its hidden partner, :attr:`exit_signal`, brings the click to :meth:`quick_exit`.
    """

    def _safety_row(self) -> W.HBox:
        self.pause_button = button("Pause", icon="pause",
                                   tooltip="A short grounding exercise and support contacts")
        self.pause_button.on_click(lambda _b: self.pause())
        self.exit_control, self.exit_signal = exit_widgets()
        self._panel: W.HTML | None = None
        self._close: W.Button | None = None
        self._again: W.Button | None = None
        return self._row(self.pause_button, self.exit_control, self.exit_signal)

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

    def pause(self) -> None:
        """Show the grounding exercise and the support list, right here."""
        self.panel.value = (f'<section aria-label="Pause">{GROUNDING}{support_html()}'
                            f"{quick_exit_limits()}</section>")
        self.panel.layout.display = ""
        self.close_button.layout.display = ""

    def close_pause(self) -> None:
        """Hide the pause panel again."""
        if self._panel is not None:
            self._panel.layout.display = "none"
        if self._close is not None:
            self._close.layout.display = "none"

    # -- quick exit ----------------------------------------------------------------------
    @property
    def again_button(self) -> W.Button:
        """"Show the lesson again", shown after a quick exit."""
        if self._again is None:
            self._again = button("Show the lesson again", icon="eye",
                                 tooltip="Show this lesson's boxes again",
                                 layout=own_layout(width="auto", display="none"))
            self._again.on_click(lambda _b: show_again())
            self._insert_after(self._button_row, self._again)
        return self._again

    @property
    def exited(self) -> bool:
        return HIDDEN_CLASS in self._button_row._dom_classes

    def quick_exit(self) -> None:
        """Hide every kit widget of this kernel's lessons (the page itself has already
        gone, in the browser); each safety bar then offers "Show the lesson again"."""
        quick_exit()

    def show_again(self) -> None:
        """Undo :meth:`quick_exit`: show every kit widget again."""
        show_again()

    def _hide(self, hidden: bool) -> None:
        self.close_pause()
        for part in (self._button_row,):
            (part.add_class if hidden else part.remove_class)(HIDDEN_CLASS)
        self.again_button.layout.display = "" if hidden else "none"
        self.set_status("This lesson is hidden (Quick exit)." if hidden else "")


_EXIT: tuple[W.HTML, W.Button] | None = None


def _forget_exit() -> None:
    global _EXIT
    _EXIT = None


def exit_widgets() -> tuple[W.HTML, W.Button]:
    """The Quick exit button and its hidden partner: one pair of models per kernel, shown
    in every safety bar (a widget model may have many views), so each bar costs less."""
    global _EXIT
    on_new_front_end(_forget_exit)
    if _EXIT is None or any(getattr(w, "comm", None) is None for w in _EXIT):
        control = html(quick_exit_html(), classes=("coursekit-quick-exit-box",))
        signal = button("Quick exit", tooltip="Quick exit",
                        classes=("coursekit-quick-exit-signal",))
        signal.on_click(lambda _b: quick_exit())
        _EXIT = (control, signal)
    return _EXIT


def quick_exit() -> None:
    """Hide every live kit widget; safety bars keep only "Show the lesson again"."""
    for widget in live():
        if isinstance(widget, SafetyControls):
            widget._hide(True)
        elif HIDDEN_CLASS not in widget._dom_classes:
            widget.add_class(HIDDEN_CLASS)


def show_again() -> None:
    """Show every live kit widget again after :func:`quick_exit`."""
    for widget in live():
        if isinstance(widget, SafetyControls):
            widget._hide(False)
        elif HIDDEN_CLASS in widget._dom_classes:
            widget.remove_class(HIDDEN_CLASS)


class SafetyBar(SafetyControls):
    """The bar at the start of each section of a lesson: Pause and Quick exit.

    ``coursekit lessons sync`` puts one (``lesson.pause()``) before every section heading,
    so both are in reach wherever the learner is. Actions as :class:`SafetyControls`.
    """

    css_class = "coursekit-safety-bar"

    def __init__(self, info: LessonInfo, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        self.info = info
        self.children = [self._safety_row(), self.status]


class LessonStart(SafetyControls):
    """"How are you feeling right now?" with labelled ends, Pause and Quick exit.

    The Pause panel (a grounding exercise and the support list) opens on request,
    and is offered at once when the learner reports distress; it never blocks going
    on. Opening the widget records a lesson visit for the progress bar.
    Actions: :meth:`check_in`, :meth:`pause`, :meth:`close_pause`, :meth:`quick_exit`,
    :meth:`show_again`.
    """

    css_class = "coursekit-lesson-start"

    def __init__(self, info: LessonInfo, *, journal: Journal | None = None):
        super().__init__(journal=journal)
        self.info = info
        self.heading = html(
            f"<p><strong>Before you begin lesson {esc(info.id)}.</strong> This lesson takes "
            f"about {info.minutes} minutes. Every reflection is optional, and you can pause "
            "at any time.</p>"
            '<nav aria-label="Skip links" class="coursekit-skips"><a href="#" '
            'class="coursekit-skip" data-to="task">Skip to the first task</a> '
            '<a href="#" class="coursekit-skip" data-to="reflection">Skip to the first '
            "reflection</a></nav>")
        self.feeling = lean(
            W.RadioButtons, options=scale_options(FEELING_LOW, FEELING_HIGH), value=None,
            description="How are you feeling right now?", orientation="horizontal",
            layout={"width": "auto"}, classes=("coursekit-scale",))
        # Built when first needed: the reply to the check-in, the pause panel and its
        # Close button (Pause and Quick exit themselves are always there).
        self._offer: W.HTML | None = None
        self._show_recent_check_in()
        self.feeling.observe(self._on_feeling, names="value")
        self.children = [self.heading, self.feeling, self._safety_row(), self.status]
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

    def _show_recent_check_in(self) -> None:
        """Show this sitting's check-in again (not saved again, no reply offered)."""
        with contextlib.suppress(JournalError):
            rec = self.journal.latest_record("checkin", self.info.id)
            if rec is None or datetime.now(timezone.utc) - rec.saved_at > CHECKIN_SHOWN_FOR:
                return
            if rec.data.get("value") in range(1, 6):
                self.feeling.value = rec.data["value"]
                self.set_status(f"check-in saved at {clock(rec.saved_at)} (private)")

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
