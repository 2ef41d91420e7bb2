"""The kit's page script (``page.js``): keyboard, screen-reader names and focus.

ipywidgets draws radio buttons that share no ``name`` (every option is its own Tab
stop, arrow keys do nothing), names no group by its question, lets keys reach
JupyterLab's shortcuts, and loses focus when a button's widget changes. ``page.js``
fixes that in the page, for the kit's widgets only (see the file's header). It
travels in one hidden `anywidget <https://anywidget.dev>`_ model per front end,
shown beside the stylesheet in every kit widget, so it works wherever the kit's
widgets do: JupyterLab and the browser edition (anywidget runs in JupyterLite).
Without anywidget the widgets still work, without these fixes.

The model is anywidget's own (``AnyModel``/``AnyView`` from the ``anywidget`` front-end
package, drawn by anywidget's JupyterLab or JupyterLite extension), but the kernel does
not import anywidget's Python package to send it: that import (with psygnal) cost every
lesson's first cell tens of milliseconds, and a model that only carries a script needs
none of its features (file watching, commands, Colab). :class:`PageScript` declares the
same synchronised state as ``anywidget.AnyWidget`` does; a test compares the two, so a
change in anywidget's protocol fails there rather than in a learner's page.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import ipywidgets as W
from traitlets import Unicode

from ._shared import on_new_front_end, shared_layout

SCRIPT = Path(__file__).with_name("page.js")
PAGE_CLASS = "coursekit-page"

_LOCK = threading.Lock()
_PAGE: list[W.Widget] = []


def page_script() -> str:
    """The text of ``page.js``."""
    return SCRIPT.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def anywidget_version() -> str | None:
    """The installed anywidget's front-end version range (as anywidget itself gives it,
    e.g. ``~0.11.*``), or None when anywidget is not installed. Reads the package's
    metadata; never imports it."""
    spec = importlib.util.find_spec("anywidget")
    if spec is None:
        return None
    found = _installed_version(spec)
    if found is None:
        return None
    major, minor, rest = ([*found.split(".", 2), "0", "0"])[:3]
    if "a" in rest or "b" in rest:  # a pre-release is named exactly, as anywidget does
        return found
    return f"~{major}.{minor}.*"


def _installed_version(spec) -> str | None:
    """anywidget's version: from its ``anywidget-X.Y.Z.dist-info`` folder's name beside
    the package (no metadata parsing), else from the package metadata."""
    for folder in spec.submodule_search_locations or ():
        for info in Path(folder).parent.glob("anywidget-*.dist-info"):
            return info.name[len("anywidget-"):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anywidget")
    except PackageNotFoundError:
        return None


class PageScript(W.DOMWidget):
    """One hidden anywidget model carrying ``page.js`` (the state ``AnyWidget`` sends)."""

    _model_name = Unicode("AnyModel").tag(sync=True)
    _model_module = Unicode("anywidget").tag(sync=True)
    _model_module_version = Unicode("").tag(sync=True)
    _view_name = Unicode("AnyView").tag(sync=True)
    _view_module = Unicode("anywidget").tag(sync=True)
    _view_module_version = Unicode("").tag(sync=True)
    _esm = Unicode("", help="the ES module anywidget's front end runs: page.js").tag(sync=True)
    _anywidget_id = Unicode(
        "coursekit.widgets._page.PageScript",
        help="anywidget's name for this kind of model (it keys the module's reloads)",
    ).tag(sync=True)

    def __repr__(self) -> str:
        return object.__repr__(self)


def _forget() -> None:
    with _LOCK:
        _PAGE.clear()


def page_widget() -> W.Widget | None:
    """The one hidden model carrying ``page.js`` (per front end); None without anywidget."""
    on_new_front_end(_forget)
    with _LOCK:
        if _PAGE and getattr(_PAGE[0], "comm", None) is not None:
            return _PAGE[0]
        version = anywidget_version()
        if version is None:  # the widgets work without the page script
            return None
        widget = PageScript(_model_module_version=version, _view_module_version=version,
                            _esm=page_script(), layout=shared_layout(display="none"),
                            _dom_classes=(PAGE_CLASS,))
        _PAGE[:] = [widget]
        return widget
