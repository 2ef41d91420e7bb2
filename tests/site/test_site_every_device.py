"""The browser edition with lesson 05 (not only 01): a learner zooming in on the open
lesson (the side panel closes, nothing overflows at 320 CSS px), the checklist as a group
named by its question, and letters typed in kit widgets never reaching JupyterLite's
shortcuts (``d d`` deleting a cell, ``m``, Shift+Enter)."""

from __future__ import annotations

import pytest
from browser.test_accessibility import AXE
from browser.test_every_device import NOTEBOOK
from browser.test_reflow import OVERFLOW
from test_site_browser import close_lesson, open_lesson, profile, requests, run_lesson, server, site  # noqa: F401  (module fixtures reused)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_lesson_05_zoomed_named_and_keyboard_safe(profile, server):  # noqa: F811
    nb = open_lesson(profile, server, "05-synthesis.ipynb")
    page = nb.page
    try:
        run_lesson(nb)
        page.wait_for_function("() => window.__coursekitPage === true", timeout=30_000)
        # -- the checklist is a group named by its question ------------------------------
        question = page.locator(".coursekit-checklist").first.evaluate("""(w) => w.querySelector(
            '.coursekit-prompt p:last-of-type, .coursekit-question').textContent.trim()""")
        group = page.get_by_role("group", name=question, exact=True)
        assert group.count() == 1 and group.get_by_role("checkbox").count() >= 2, question
        # -- axe-core, any impact: nothing inside a kit widget -----------------------------
        page.set_viewport_size({"width": 1366, "height": 9000})  # the whole lesson laid out
        page.wait_for_timeout(500)
        page.add_script_tag(path=str(AXE))
        inside = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.flatMap(v => v.nodes.filter(n => {
                try { const el = document.querySelector(n.target[0]);
                      return el && el.closest('.coursekit'); } catch (e) { return false; }
              }).map(n => `${v.id}: ${n.html.slice(0, 120)}`)); }""")
        assert inside == [], inside
        page.set_viewport_size({"width": 1366, "height": 1000})
        # -- letters typed in kit widgets change nothing in the notebook ----------------
        before = page.evaluate(NOTEBOOK)
        for selector in (".coursekit-sorter select", ".coursekit-checklist input",
                         ".coursekit-reflection textarea:visible"):
            control = page.locator(selector).first
            control.scroll_into_view_if_needed()
            control.focus()
            for key in ("d", "d", "m", "z", "a", "b", "Shift+Enter"):
                page.keyboard.press(key)
            page.wait_for_timeout(300)
            after = page.evaluate(NOTEBOOK)
            for k in ("cells", "types", "counts", "editing"):
                assert after[k] == before[k], (selector, k)
        # -- zooming in on the open lesson ------------------------------------------------
        page.evaluate("() => window.jupyterapp.shell.expandLeft()")
        page.wait_for_timeout(300)
        page.set_viewport_size({"width": 320, "height": 640})
        page.wait_for_function("() => window.jupyterapp.shell.leftCollapsed", timeout=10_000)
        page.wait_for_timeout(500)
        found = page.evaluate(OVERFLOW)
        assert not found["page"], "the page scrolls sideways"
        assert found["kit"] == [], found["kit"]
    finally:
        page.set_viewport_size({"width": 1366, "height": 1000})
        close_lesson(nb)
