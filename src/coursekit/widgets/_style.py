"""The kit's widget stylesheet, sent to the browser once per kernel.

``assets/styles/widgets.css`` is read once and placed in a ``<style>`` element inside
one hidden :class:`ipywidgets.HTML` model (ipywidgets does not sanitise ``<style>``).
That model is created once per kernel and shared: every kit widget shows it as its
first child, so the CSS travels to the front end once, and a lesson stays styled
when any single cell is re-run or its output cleared. Every rule in the file is
scoped to the ``coursekit`` class, so nothing outside the kit's widgets changes.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import ipywidgets as W

from .. import config
from ._shared import lean, on_new_front_end

ROOT_CLASS = "coursekit"
STYLE_CLASS = "coursekit-style"
STYLESHEET = Path("styles") / "widgets.css"

_LOCK = threading.Lock()
_STYLE: W.HTML | None = None
_CSS: str | None = None


def stylesheet_path() -> Path:
    """``assets/styles/widgets.css`` in the kit's folder."""
    return config.assets_dir() / STYLESHEET


def stylesheet_css() -> str:
    """The stylesheet's text (read once per kernel); empty when the kit has none.

    A missing stylesheet never stops a lesson: the widgets work unstyled.
    """
    global _CSS
    if _CSS is None:
        try:
            text = stylesheet_path().read_text(encoding="utf-8")
        except (OSError, config.ConfigError):
            text = ""
        if re.search(r"</\s*style", text, re.IGNORECASE):
            raise ValueError(f"{stylesheet_path()} contains '</style', which would end the "
                             "<style> element early; remove it from the stylesheet")
        _CSS = text
    return _CSS


def _forget() -> None:
    global _STYLE
    with _LOCK:
        _STYLE = None


def style_widget() -> W.HTML:
    """The one hidden HTML model holding the stylesheet, made on first use per front end."""
    global _STYLE
    on_new_front_end(_forget)
    with _LOCK:
        if _STYLE is None or getattr(_STYLE, "comm", None) is None:
            css = stylesheet_css()
            _STYLE = lean(W.HTML, value=f"<style>{css}</style>" if css else "",
                          layout={"display": "none"}, classes=(STYLE_CLASS,))
        return _STYLE


def with_style(children: tuple | list) -> tuple:
    """``children`` with the shared stylesheet model first and the page script (see
    :mod:`coursekit.widgets._page`) second, each added once, never twice."""
    from ._page import page_widget

    style = style_widget()
    page = page_widget()
    shared = (style,) if page is None else (style, page)
    rest = tuple(c for c in children if c not in shared)
    return (*shared, *rest)


def css_classes(css: str | None = None) -> set[str]:
    """Every ``coursekit`` class name the stylesheet styles (for the tests)."""
    text = re.sub(r"/\*.*?\*/", "", stylesheet_css() if css is None else css, flags=re.S)
    return set(re.findall(r"\.(coursekit[a-z0-9-]*)", text))
