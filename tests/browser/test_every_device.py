"""Attacks on issue 22 beyond lesson 01: lesson 05, zooming in after the lesson opened,
and the checklists' grouping for a screen reader.

* A learner opens a lesson at an ordinary width and then zooms to 400 % (Ctrl and +):
  the window's CSS width falls to 320 px while the file browser is open; the kit must
  close the side panels then too, not only when the page first opens narrow.
* A checklist ("who could support you?") is a group named by its question, as the
  radio groups are: a screen reader otherwise announces "A therapist, counsellor or
  doctor, checkbox, not checked" with no question.
"""

from __future__ import annotations

import pytest

from .labdriver import NotebookPage
from .test_reflow import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "lessons/05-synthesis.ipynb"


def opened(page, lab) -> NotebookPage:
    nb = NotebookPage(page, lab, LESSON).open()
    nb.run_all()
    status = nb.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    page.wait_for_function("() => window.__coursekitPage === true", timeout=20_000)
    return nb


def test_zooming_in_after_the_lesson_opened_makes_room_for_it(page, lab):
    nb = opened(page, lab)
    page.evaluate("() => window.jupyterapp.shell.expandLeft()")   # the file browser is open
    page.wait_for_timeout(300)
    assert not page.evaluate("() => window.jupyterapp.shell.leftCollapsed")
    page.set_viewport_size({"width": 320, "height": 640})         # 400 % zoom of 1280 px
    page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed", timeout=10_000)
    page.wait_for_timeout(500)
    found = page.evaluate(OVERFLOW)
    assert not found["page"], "the page scrolls sideways"
    assert found["kit"] == [], found["kit"]
    # A learner who opens the file browser again at that zoom keeps it open.
    page.evaluate("() => window.jupyterapp.shell.expandLeft()")
    page.set_viewport_size({"width": 320, "height": 600})
    page.wait_for_timeout(800)
    assert not page.evaluate("() => window.jupyterapp.shell.leftCollapsed")
    nb.page.set_viewport_size({"width": 1366, "height": 1000})


def test_every_checklist_is_a_group_named_by_its_question(page, lab):
    opened(page, lab)
    lists = page.locator(".coursekit-checklist")
    assert lists.count() >= 1
    for i in range(lists.count()):
        widget = lists.nth(i)
        question = widget.evaluate("""(w) => {
            const p = w.querySelector('.coursekit-prompt p:last-of-type, .coursekit-question');
            return p.textContent.trim(); }""")
        group = page.get_by_role("group", name=question, exact=True)
        assert group.count() == 1, f"no group named {question!r}"
        boxes = group.get_by_role("checkbox")
        assert boxes.count() == widget.locator("input[type=checkbox]").count() >= 2
