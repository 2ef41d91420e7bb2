"""The page script's model is anywidget's own, sent without importing anywidget's Python."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from coursekit.widgets import _page
from coursekit.widgets._page import PAGE_CLASS, PageScript, anywidget_version, page_script


def _state(widget) -> dict:
    state = widget.get_state()
    state.pop("layout")  # a model reference, different for every widget
    return state


def test_page_model_sends_what_anywidget_would():
    """Same synchronised state as an ``anywidget.AnyWidget`` carrying page.js: a change in
    anywidget's protocol (a renamed model, a new required trait) fails here."""
    anywidget = pytest.importorskip("anywidget")
    real_class = type("PageScript", (anywidget.AnyWidget,), {"_esm": page_script(),
                                                             "__module__": _page.__name__})
    real = real_class(_dom_classes=(PAGE_CLASS,))
    ours = _page.page_widget()
    assert isinstance(ours, PageScript)
    assert _state(ours) == _state(real)
    assert anywidget_version() == real._model_module_version
    real.close()


def test_a_lesson_start_imports_neither_anywidget_psygnal_nor_yaml(tmp_path):
    """The first widget of a lesson is built without importing anywidget (nor psygnal), and
    its data comes from the data bundle, without PyYAML (see coursekit.databundle)."""
    code = ("import sys\n"
            "from coursekit.widgets import LessonStart\n"
            "from coursekit.course import lesson\n"
            "from coursekit.journal import Journal\n"
            "w = LessonStart(lesson('01'), journal=Journal.open_default())\n"
            "assert w.children[1]._esm, 'no page script'\n"
            "print(sorted(m for m in ('anywidget', 'psygnal', 'yaml') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "COURSEKIT_DATA_DIR": str(tmp_path)})
    assert out.stdout.strip() == "[]", out.stdout


def test_without_anywidget_there_is_no_page_model(monkeypatch):
    monkeypatch.setattr(_page, "_PAGE", [])
    anywidget_version.cache_clear()
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "anywidget" else find_spec(name, *a))
    try:
        assert _page.page_widget() is None
    finally:
        anywidget_version.cache_clear()
