"""What every kit widget shares: a neutral repr, a registry, a status line, safe saving.

Privacy: ipywidgets' default ``text/plain`` fallback is the widget's repr, which
lists trait values (``Textarea(value='...')``); a notebook stores that fallback
with the cell's output. Every kit widget, and every text box inside one, reprs as
a neutral placeholder instead, so a learner's words never reach a cell output.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import html
import os
import signal
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ipywidgets as W
from traitlets import observe, validate

from ..errors import JournalError
from ..journal import Journal
from ..privacy import PLACEHOLDER
from ._shared import button, own_layout, shared_layout
from ._shared import html as html_widget
from ._style import ROOT_CLASS, with_style

UNEXPECTED = ("Something unexpected stopped the journal from saving; your answer is still "
              "here. Press Retry, or copy your text somewhere safe and restart the kernel.")

_LIVE: list[weakref.ref] = []
_SIGNALS_INSTALLED: list[int] = []
_LIVE_LOCK = threading.Lock()


def live() -> list[KitWidget]:
    """Every kit widget still alive in this kernel, oldest first (used by the privacy test)."""
    with _LIVE_LOCK:
        alive = [(ref, ref()) for ref in _LIVE]
        _LIVE[:] = [ref for ref, w in alive if w is not None]
        return [w for _ref, w in alive if w is not None]


def flush_all() -> None:
    """Save every pending edit now (called when the kernel shuts down)."""
    for widget in live():
        flush = getattr(widget, "flush", None)
        if flush is not None:
            with contextlib.suppress(Exception):  # shutdown never fails on one widget
                flush()


atexit.register(flush_all)

#: The signals a kernel gets when it is stopped from outside (a server shutting down,
#: a terminal closing, ``kill``): pending edits are saved before the process ends.
FLUSH_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                      if hasattr(signal, name))


def _flush_then_chain(signum: int, frame: Any, previous: Any) -> None:
    flush_all()
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    # The default action: end the process by this same signal, now that nothing is pending.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_signal_flush() -> list[int]:
    """Save pending edits when this process gets SIGTERM or SIGHUP; returns the signals.

    Runs once per process, from the main thread only (where Python delivers signals);
    a handler that was there before is called afterwards, so the process ends exactly
    as it would have. Without this, the default action ends the process at once and
    the last 1.5 seconds of typing (the autosave pause) would be lost.
    """
    if threading.current_thread() is not threading.main_thread():
        return []
    installed = []
    for signum in FLUSH_SIGNALS:
        try:
            previous = signal.getsignal(signum)
        except (ValueError, OSError):  # pragma: no cover - not a real signal here
            continue
        if getattr(previous, "coursekit_flush", False):
            installed.append(signum)
            continue
        handler = functools.partial(_flush_then_chain, previous=previous)
        handler.coursekit_flush = True  # type: ignore[attr-defined]
        try:
            signal.signal(signum, handler)
        except (ValueError, OSError):  # pragma: no cover
            continue
        installed.append(signum)
    return installed


def _install_once() -> None:
    _SIGNALS_INSTALLED[:] = install_signal_flush() or [0]


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def clock(when: datetime) -> str:
    """``14:02`` in the learner's local time."""
    return when.astimezone().strftime("%H:%M")


# -- the front-end gate ------------------------------------------------------------------
# A learner's words travel to the browser only once a real front end has answered in this
# kernel. A script that executes a lesson (nbclient, ``jupyter nbconvert --execute``,
# ``jupyter execute``) is no front end: it records every widget state the kernel sends
# and may store it in the notebook, so the kernel sends it none of the learner's words.
# The probe is a directional link between two traits of one hidden Layout model: a
# browser's widget manager, on creating the link, copies the source value to the target
# and sends that change back; nothing else ever sets the target.
_GATE_LOCK = threading.RLock()
_PROBE: W.Layout | None = None
_PROBE_LINK: W.Widget | None = None
_FRONT_END = {"seen": False}
_PROBE_VALUE = "1px"


def front_end_seen() -> bool:
    """True once a browser's widget manager has answered in this kernel."""
    return _FRONT_END["seen"]


_WAITING: list[Callable[[], Any]] = []


def when_front_end(fn: Callable[[], Any]) -> None:
    """Call ``fn`` now if a browser has answered, else as soon as one does.

    For what shows a learner's earlier answers (the self-check), so a script that
    executes a lesson never receives them.
    """
    if _FRONT_END["seen"]:
        fn()
        return
    ensure_probe()
    with _GATE_LOCK:
        _WAITING.append(fn)


def _on_probe(change: dict) -> None:
    if change["new"] != _PROBE_VALUE or _FRONT_END["seen"]:
        return
    _FRONT_END["seen"] = True
    for widget in private_texts():
        if getattr(widget, "comm", None) is not None and widget.value:
            with contextlib.suppress(Exception):
                widget.send_state("value")
    with _GATE_LOCK:
        waiting, _WAITING[:] = list(_WAITING), []
    for fn in waiting:
        with contextlib.suppress(Exception):  # one failure never blocks the others
            fn()


def ensure_probe() -> None:
    """Create the kernel's one front-end probe (again, if it was closed)."""
    global _PROBE, _PROBE_LINK
    if _FRONT_END["seen"]:
        return
    with _GATE_LOCK:
        if _PROBE is not None and getattr(_PROBE, "comm", None) is not None:
            return
        probe = W.Layout(min_width=_PROBE_VALUE)
        probe.observe(_on_probe, names="max_width")
        _PROBE = probe
        _PROBE_LINK = W.jsdlink((probe, "min_width"), (probe, "max_width"))


_PRIVATE: weakref.WeakSet = weakref.WeakSet()


def private_texts() -> list[W.Widget]:
    with _GATE_LOCK:
        return list(_PRIVATE)


class PrivateText:
    """Mixin for widgets whose ``value`` is a learner's words.

    The repr hides the value, and the value is sent to the front end only after a
    browser has answered (:func:`front_end_seen`): until then the front end, and
    whatever records the kernel's messages, sees an empty value.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        ensure_probe()
        super().__init__(*args, **kwargs)
        with _GATE_LOCK:
            _PRIVATE.add(self)

    def get_state(self, key: Any = None) -> dict:
        state = super().get_state(key)  # type: ignore[misc]
        if "value" in state and not _FRONT_END["seen"]:
            state["value"] = ""
        return state

    def __repr__(self) -> str:
        return f"<coursekit {type(self).__name__.lstrip('_')}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        data = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if data:
            data["text/plain"] = PLACEHOLDER
        return data


class PrivateTextarea(PrivateText, W.Textarea):
    """A Textarea whose repr never shows its value, and whose value waits for a browser."""


class PrivateHTML(PrivateText, W.HTML):
    """An HTML panel showing a learner's words (earlier versions), gated like the box."""


class ChoiceDropdown(W.Dropdown):
    """A Dropdown whose first option, ``(label, None)``, shows while nothing is chosen.

    A plain Dropdown given ``value=None`` has no selected index, so the browser shows
    an empty box; here no choice means the placeholder option (index 0), and setting
    ``value = None`` from code selects the placeholder again.
    """

    def __init__(self, placeholder: str, options: list, **kwargs: Any):
        super().__init__(options=[(placeholder, None), *options], index=0, **kwargs)

    @observe("index")
    def _show_placeholder(self, change: Any) -> None:
        # traitlets does not validate None, so "no choice" is turned into index 0 here.
        if change["new"] is None and self._options_values and self._options_values[0] is None:
            self.index = 0


class Styled:
    """Mixin for a kit widget's outer box: the ``coursekit`` classes and the stylesheet.

    Whatever children a subclass sets, the shared stylesheet model comes first
    (see :mod:`coursekit.widgets._style`).
    """

    css_class = ""

    def __init__(self, **kwargs: Any):
        # Given at creation, the classes travel with the widget (no extra message).
        classes = (ROOT_CLASS, self.css_class) if self.css_class else (ROOT_CLASS,)
        kwargs["_dom_classes"] = (*kwargs.get("_dom_classes", ()), *classes)
        super().__init__(**kwargs)

    @validate("children")
    def _with_stylesheet(self, proposal: Any) -> tuple:
        return with_style(proposal.value)


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop when we are inside an IPython kernel, else None.

    Outside a kernel another library's loop may look "running" (Playwright's sync
    API marks one so between its calls) without ever running our timers, so only
    a kernel's loop is trusted.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last :meth:`trigger`.

    Inside a kernel the timer runs on the kernel's event loop (so the save happens
    on the kernel's own thread between messages); outside one, a daemon thread.
    """

    def __init__(self, delay: float, fn: Callable[[], Any]):
        self.delay = delay
        self.fn = fn
        self._handle: Any = None
        self._lock = threading.RLock()

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def trigger(self) -> None:
        with self._lock:
            self.cancel()
            loop = _kernel_loop()
            if loop is None:
                timer = threading.Timer(self.delay, self._fire)
                timer.daemon = True
                self._handle = timer
                timer.start()
            else:
                self._handle = loop.call_later(self.delay, self._fire)

    def cancel(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        with self._lock:
            if self._handle is None:
                return
            self._handle = None
            self.fn()

    def flush(self) -> None:
        """Run the pending call now, if there is one."""
        with self._lock:
            if self._handle is not None:
                self.cancel()
                self.fn()


def buttons(*items: W.Widget) -> W.HBox:
    """A row of buttons that wraps onto a second line when the cell is narrow."""
    row = W.HBox(list(items), layout=shared_layout(), _dom_classes=("coursekit-buttons",))
    return row


class _OpensWhenBuilt(type(W.VBox)):
    """A kit widget's model goes to the front end when its constructor has finished,
    children and all, instead of empty at once and then again in an update message
    (one message fewer per widget, on every lesson start)."""

    def __call__(cls, *args: Any, **kwargs: Any):
        widget = super().__call__(*args, **kwargs)
        widget._built = True
        widget.open()
        return widget


class KitWidget(Styled, W.VBox, metaclass=_OpensWhenBuilt):
    """Base of every kit widget: neutral repr, registered in :func:`live`, a status line.

    The parts that are hidden until something goes wrong (the journal's notice and
    the Retry button) are built only when first needed, so a lesson's widgets cost
    few models; reading :attr:`notice` or :attr:`retry_button` builds them. The
    widget's own model is opened once it is fully built (see :class:`_OpensWhenBuilt`).
    """

    _built = False

    def open(self) -> None:
        if self._built:
            super().open()

    def __init__(self, *, journal: Journal | None = None, **kwargs: Any):
        kwargs.setdefault("layout", shared_layout(margin="0.5em 0 1em 0"))
        super().__init__(**kwargs)
        self.journal = journal if journal is not None else Journal.open_default()
        self.status = html_widget("", classes=("coursekit-status",))
        self._notice: W.HTML | None = None
        self._retry: W.Button | None = None
        self._button_row: W.Box | None = None  # where the Retry button goes when built
        self.error: str | None = None
        with _LIVE_LOCK:
            _LIVE.append(weakref.ref(self))
        if not _SIGNALS_INSTALLED:
            _install_once()

    # -- parts built on first use --------------------------------------------------------
    def _insert_after(self, anchor: W.Widget, *new: W.Widget) -> None:
        """Put ``new`` right after ``anchor`` among this widget's children (else at the end)."""
        children = list(self.children)
        at = children.index(anchor) + 1 if anchor in children else len(children)
        self.children = [*children[:at], *new, *children[at:]]

    @property
    def notice(self) -> W.HTML:
        """The journal's one-sentence notice (a moved-aside file, say), under the status."""
        if self._notice is None:
            self._notice = html_widget("")
            self._insert_after(self.status, self._notice)
        return self._notice

    @property
    def retry_button(self) -> W.Button:
        """"Retry saving", shown while a save has failed (in the widget's button row)."""
        if self._retry is None:
            self._retry = button("Retry saving", icon="refresh", tooltip="Try to save again",
                                 layout=own_layout(display="none", width="auto"))
            self._retry.on_click(lambda _b: self.retry())
            row = self._button_row
            if row is not None:
                row.children = [*row.children, self._retry]
            else:
                self._insert_after(self.status, self._retry)
        return self._retry

    def _row(self, *items: W.Widget) -> W.HBox:
        """This widget's row of buttons (the Retry button joins it when needed)."""
        self._button_row = buttons(*items)
        return self._button_row

    # -- privacy -----------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<coursekit {type(self).__name__} widget>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        data = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = PLACEHOLDER
        return data

    # -- status ------------------------------------------------------------------------
    def set_status(self, text: str, *, problem: bool = False) -> None:
        """Show a status sentence (words carry the meaning; the stylesheet only marks it)."""
        cls = ' class="coursekit-problem"' if problem else ""
        prefix = "⚠ " if problem else ""
        self.status.value = (f'<span role="status" aria-live="polite"{cls}>'
                             f"{prefix}{esc(text)}</span>")
        self.status_text = text

    status_text: str = ""

    def _show_notice(self) -> None:
        note = self.journal.notice
        if not note and self._notice is None:
            return  # nothing to say, and no notice line built yet
        self.notice.value = (f'<p role="alert" class="coursekit-notice">⚠ {esc(note)}</p>'
                             if note else "")

    def attempt(self, action: Callable[[], Any], *, failed: str = "not saved") -> tuple[bool, Any]:
        """Run a journal action; on failure show one sentence and the Retry button."""
        try:
            result = action()
        except JournalError as exc:
            self.error = str(exc)
        except Exception:  # no traceback reaches the lesson
            self.error = UNEXPECTED
        else:
            self.error = None
            if self._retry is not None:
                self._retry.layout.display = "none"
            self._show_notice()
            return True, result
        self.set_status(f"{failed}: {self.error}", problem=True)
        self.retry_button.layout.display = ""
        self._show_notice()
        return False, None

    def retry(self) -> None:
        """Try the failed save again (subclasses say what that means)."""
