"""Lessons 01 and 05 at 320 CSS px (400 % zoom): nothing in a lesson needs sideways scrolling.

After Run All, the side panels are closed by the kit (the lesson would not fit beside
them), every kit widget and every control in it fits inside its cell, and the
screenshots are saved (``test-artifacts/screenshots/320px-*.png``, and to
``$COURSEKIT_SCREENS`` when set) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .labdriver import NotebookPage, lesson_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSONS = ["lessons/01-shared-fantasy-and-regression.ipynb", "lessons/05-synthesis.ipynb"]

OVERFLOW = """() => {
  const limit = (el) => el.closest('.jp-Cell').getBoundingClientRect().right + 0.5;
  const out = [];
  document.querySelectorAll('.coursekit, .coursekit *').forEach((el) => {
    if (!el.closest('.jp-Cell') || !el.getClientRects().length) return;
    if (el.closest('.coursekit-style, .coursekit-page, svg')) return;
    const r = el.getBoundingClientRect();
    if (r.right > limit(el)) out.push(`${el.tagName}.${String(el.className).slice(0, 60)} `
                                     + `right=${Math.round(r.right)} cell=${Math.round(limit(el))}`);
  });
  const page = document.documentElement;
  return {kit: out.slice(0, 20), page: page.scrollWidth > page.clientWidth + 1,
          left: window.jupyterapp.shell.leftCollapsed};
}"""


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: Path(p).stem[:2])
def test_lesson_at_320_css_px(browser, lab, lesson, screenshots_dir):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        nb = NotebookPage(page, lab, lesson).open()
        nb.run_all()
        status = nb.wait_widgets_rendered()
        assert status["errors"] == [] and status["rendered"] == status["expected"], status
        page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed", timeout=10_000)
        page.wait_for_timeout(500)
        found = page.evaluate(OVERFLOW)
        shot = lesson_screenshot(nb, screenshots_dir / f"320px-{Path(lesson).stem}.png")
        if os.environ.get("COURSEKIT_SCREENS"):
            target = Path(os.environ["COURSEKIT_SCREENS"])
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, target / shot.name)
        print(f"{lesson} at 320 px: {shot}")
        assert found["left"], "the file browser still covers the lesson"
        assert not found["page"], "the page scrolls sideways"
        assert found["kit"] == [], found["kit"]
    finally:
        context.close()
        lab.shutdown_kernels()
