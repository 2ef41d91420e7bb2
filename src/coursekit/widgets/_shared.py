"""Layout and style models shared by every kit widget that never changes its own.

Each ipywidgets control normally brings two more models with it (its ``Layout`` and
its style), and every model costs a round of messages when a lesson starts. Most of
the kit's controls never touch either after they are built, so they share one frozen
``Layout`` per set of attributes and one style model per style class, made once per
kernel (and made again if one was closed). A shared layout refuses changes: a widget
that shows and hides itself (``layout.display``) must keep a layout of its own, and
gets one from :func:`own_layout`.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

import ipywidgets as W

_LOCK = threading.Lock()
_LAYOUTS: dict[tuple, SharedLayout] = {}
_STYLES: dict[type, W.Widget] = {}

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


def _usable(model: W.Widget | None) -> bool:
    return model is not None and getattr(model, "comm", None) is not None


def shared_layout(**attrs: str) -> SharedLayout:
    """The kernel's one frozen ``Layout`` with ``attrs`` (e.g. ``width="auto"``)."""
    key = tuple(sorted(attrs.items()))
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
