"""The kit's page script (``page.js``): keyboard, screen-reader names and focus.

ipywidgets draws radio buttons that share no ``name`` (every option is its own Tab
stop, arrow keys do nothing), names no group by its question, lets keys reach
JupyterLab's shortcuts, and loses focus when a button's widget changes. ``page.js``
fixes that in the page, for the kit's widgets only (see the file's header). It
travels in one hidden `anywidget <https://anywidget.dev>`_ model per front end,
shown beside the stylesheet in every kit widget, so it works wherever the kit's
widgets do: JupyterLab and the browser edition (anywidget runs in JupyterLite).
Without anywidget the widgets still work, without these fixes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import ipywidgets as W

from ._shared import on_new_front_end, shared_layout

SCRIPT = Path(__file__).with_name("page.js")
PAGE_CLASS = "coursekit-page"

_LOCK = threading.Lock()
_PAGE: list[W.Widget] = []


def page_script() -> str:
    """The text of ``page.js``."""
    return SCRIPT.read_text(encoding="utf-8")


def _forget() -> None:
    with _LOCK:
        _PAGE.clear()


def page_widget() -> W.Widget | None:
    """The one hidden model carrying ``page.js`` (per front end); None without anywidget."""
    on_new_front_end(_forget)
    with _LOCK:
        if _PAGE and getattr(_PAGE[0], "comm", None) is not None:
            return _PAGE[0]
        try:
            import anywidget
        except ImportError:  # the widgets work without the page script
            return None
        cls = _page_class(anywidget.AnyWidget)
        widget = cls(layout=shared_layout(display="none"), _dom_classes=(PAGE_CLASS,))
        _PAGE[:] = [widget]
        return widget


_CLASSES: dict[type, type] = {}


def _page_class(base: type) -> type:
    if base not in _CLASSES:
        _CLASSES[base] = type("PageScript", (base,), {"_esm": page_script()})
    return _CLASSES[base]
