"""Layout and style models shared by every kit widget that never changes its own.

Each ipywidgets control normally brings two more models with it (its ``Layout`` and
its style), and every model costs a round of messages when a lesson starts. Most of
the kit's controls never touch either after they are built, so they share one frozen
``Layout`` per set of attributes and one style model per style class, made once per
kernel (and made again if one was closed). A shared layout refuses changes: a widget
that shows and hides itself (``layout.display``) must keep a layout of its own, and
gets one from :func:`own_layout`.

A page reload (or a second browser) opens a new widget manager on the running kernel;
it first fetches every model the kernel holds, and until it has them, a new widget
that names one of those older models fails with "widget model not found" (and
JupyterLab's message queue stalls behind it, so the kernel looks busy for a minute).
So every shared model belongs to one front end: when a new one connects (it opens the
``jupyter.widget.control`` comm), the caches here are emptied (:func:`new_front_end`)
and the next widget gets fresh shared models that travel with it.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, TypeVar

import ipywidgets as W

_LOCK = threading.Lock()
_LAYOUTS: dict[tuple, SharedLayout] = {}
_STYLES: dict[type, W.Widget] = {}
_RESETS: list = []
_FRONT_ENDS = {"count": 0, "hooked": False}
CONTROL_TARGET = "jupyter.widget.control"

T = TypeVar("T", bound=W.DOMWidget)


class SharedLayout(W.Layout):
    """A ``Layout`` used by many widgets at once; it refuses changes once built."""

    _frozen = False

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen and not name.startswith("_") and name in self.keys:
            raise AttributeError(
                f"this Layout is shared by many kit widgets, so setting {name!r} would change "
                "them all; give the widget its own layout (coursekit.widgets._shared.own_layout)")
        super().__setattr__(name, value)


def on_new_front_end(fn) -> None:
    """Call ``fn()`` whenever a new front end connects (kit modules empty their caches)."""
    if fn not in _RESETS:
        _RESETS.append(fn)
    _hook_control_comm()


def front_ends() -> int:
    """How many widget managers (pages) have connected to this kernel so far."""
    return _FRONT_ENDS["count"]


def new_front_end() -> None:
    """Forget every shared model: widgets made from now on bring their own fresh ones."""
    _FRONT_ENDS["count"] += 1
    with _LOCK:
        _LAYOUTS.clear()
        _STYLES.clear()
    for fn in list(_RESETS):
        with contextlib.suppress(Exception):  # one cache that cannot reset never stops the page
            fn()


def _hook_control_comm() -> None:
    """Wrap ipywidgets' handler of the control comm (opened by each new widget manager)."""
    if _FRONT_ENDS["hooked"]:
        return
    try:
        from ipywidgets import comm as widget_comm

        manager = widget_comm.get_comm_manager()
    except Exception:  # no kernel (tests, scripts): nothing connects
        manager = None
    if manager is None or not hasattr(manager, "register_target"):
        return
    original = manager.targets.get(CONTROL_TARGET, W.Widget.handle_control_comm_opened)
    if getattr(original, "coursekit_hook", False):
        _FRONT_ENDS["hooked"] = True
        return

    def opened(comm, msg):
        new_front_end()
        return original(comm, msg)

    opened.coursekit_hook = True  # type: ignore[attr-defined]
    manager.register_target(CONTROL_TARGET, opened)
    _FRONT_ENDS["hooked"] = True


def _usable(model: W.Widget | None) -> bool:
    return model is not None and getattr(model, "comm", None) is not None


def shared_layout(**attrs: str) -> SharedLayout:
    """The kernel's one frozen ``Layout`` with ``attrs`` (e.g. ``width="auto"``)."""
    key = tuple(sorted(attrs.items()))
    _hook_control_comm()
    with _LOCK:
        layout = _LAYOUTS.get(key)
        if not _usable(layout):
            layout = SharedLayout(**attrs)
            layout._frozen = True
            _LAYOUTS[key] = layout
        return layout


def own_layout(**attrs: str) -> W.Layout:
    """A layout for one widget only (for widgets that change it, e.g. to hide themselves)."""
    return W.Layout(**attrs)


def shared_style(widget_cls: type[W.DOMWidget]) -> W.Widget | None:
    """The kernel's one default style model for ``widget_cls`` (None if it has no style)."""
    trait = widget_cls.class_traits().get("style")
    if trait is None:
        return None
    style_cls = trait.klass
    with _LOCK:
        style = _STYLES.get(style_cls)
        if not _usable(style):
            style = style_cls()
            _STYLES[style_cls] = style
        return style


def lean(widget_cls: type[T], *, layout: dict | W.Layout | None = None,
         classes: tuple[str, ...] = (), **kwargs: Any) -> T:
    """``widget_cls(**kwargs)`` with a shared layout and style instead of two new models.

    ``layout`` may be a dict of layout attributes (a shared, frozen layout), or a
    ``Layout`` of the widget's own (see :func:`own_layout`) when the widget changes it.
    ``classes`` are its CSS classes, sent with the widget itself (``add_class`` after
    creation would cost one more message each).
    """
    if classes:
        kwargs["_dom_classes"] = tuple(classes)
    if not isinstance(layout, W.Layout):
        layout = shared_layout(**(layout or {}))
    kwargs["layout"] = layout
    if "style" not in kwargs:
        style = shared_style(widget_cls)
        if style is not None:
            kwargs["style"] = style
    return widget_cls(**kwargs)


def html(value: str = "", **kwargs: Any) -> W.HTML:
    """An ``HTML`` widget with a shared layout and style (its value may change freely)."""
    return lean(W.HTML, value=value, **kwargs)


def button(description: str, *, tooltip: str, layout: dict | W.Layout | None = None,
           **kwargs: Any) -> W.Button:
    """A ``Button`` (auto width unless ``layout`` says otherwise) sharing layout and style."""
    return lean(W.Button, description=description, tooltip=tooltip,
                layout={"width": "auto"} if layout is None else layout, **kwargs)
