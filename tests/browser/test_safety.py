"""Pause and Quick exit in a real JupyterLab: from a section far down the lesson, by keyboard.

The lesson runs (so the notebook has unsaved outputs, the case where JupyterLab would
ask "Leave site?"); in the last section's safety bar, Pause opens the grounding panel
there, and Quick exit, pressed with the keyboard, replaces the page at once with the
neutral page (served here by the test: no network is used) and no dialog in between.
Coming back to the lesson (the notebook opened again on the same kernel) shows the
reflections hidden until "Show the lesson again".
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coursekit.widgets.lesson_start import QUICK_EXIT_URL

from .labdriver import NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEUTRAL = "<!doctype html><title>Weather</title><h1>Weather forecast</h1>"


def test_pause_and_quick_exit_from_the_last_section(page, lab):
    nb = NotebookPage(page, lab, "lessons/01-shared-fantasy-and-regression.ipynb").open()
    nb.run_all()
    assert nb.errors() == []
    status = nb.wait_widgets_rendered()
    assert status["rendered"] == status["expected"] > 0, status

    bars = page.locator(".coursekit-safety-bar")
    sections = sum(1 for s in nb.cell_sources() if s.endswith("\nlesson.pause()"))
    expect(bars).to_have_count(sections)
    assert sections >= 3
    bar = bars.last  # the self-check section, far below the lesson's opening
    bar.scroll_into_view_if_needed()
    bar.get_by_role("button", name="Pause").click()
    expect(bar.locator(".coursekit-panel")).to_contain_text("5 things you can see")
    expect(bar.locator(".coursekit-panel")).to_contain_text("history")
    bar.get_by_role("button", name="Close the pause panel").click()
    expect(bar.locator(".coursekit-panel")).to_be_hidden()

    # Saved once (autosave does this every two minutes), then changed again: unsaved work
    # is when JupyterLab asks "Leave site?" on the way out.
    nb.save()
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.context.model.dirty = true; }")
    expect(page.locator(".coursekit-reflection").first).to_be_visible()

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.accept()))
    page.context.route(QUICK_EXIT_URL + "**",
                       lambda route: route.fulfill(status=200, content_type="text/html",
                                                   body=NEUTRAL))
    exit_button = bar.get_by_role("button", name="Quick exit")
    expect(exit_button).to_have_count(1)
    exit_button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(QUICK_EXIT_URL + "*", timeout=10_000)
    expect(page.locator("h1")).to_have_text("Weather forecast")
    assert page.title() == "Weather"
    assert dialogs == [], f"a dialog held up the quick exit: {dialogs}"

    # Coming back: the same notebook, the same kernel; the kernel heard the quick exit.
    back = page.context.new_page()
    NotebookPage(back, lab, "lessons/01-shared-fantasy-and-regression.ipynb").open()
    again = back.get_by_role("button", name="Show the lesson again").first
    expect(again).to_be_visible(timeout=30_000)
    expect(back.locator(".coursekit-reflection").first).to_be_hidden()
    again.click()
    expect(back.locator(".coursekit-reflection").first).to_be_visible()
    expect(back.get_by_role("button", name="Show the lesson again")).to_have_count(0)


def test_back_after_quick_exit_does_not_reopen_the_lesson(page, lab):
    """Quick exit replaces the page's one history entry: Back leads to what came before
    the course (here a start page), never to the lesson (as abuse services' own exits)."""
    start = "https://start.example/"
    page.context.route(start + "**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Start</title>"))
    page.context.route(QUICK_EXIT_URL + "**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=NEUTRAL))
    page.goto(start)
    nb = NotebookPage(page, lab, "lessons/01-shared-fantasy-and-regression.ipynb").open()
    nb.run_all()
    nb.wait_widgets_rendered()
    # Moving about in JupyterLab (another tab, back to the lesson) adds no entries.
    page.evaluate("""async () => {
        await window.jupyterapp.commands.execute('filebrowser:open-path',
                                                 {path: 'lessons/00-start-here.ipynb'});
        await window.jupyterapp.commands.execute('docmanager:open',
            {path: 'lessons/01-shared-fantasy-and-regression.ipynb'}); }""")
    page.wait_for_timeout(1000)
    bar = page.locator(".coursekit-lesson-start")
    bar.get_by_role("button", name="Quick exit").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(QUICK_EXIT_URL + "*", timeout=10_000)
    page.go_back(wait_until="commit")
    page.wait_for_timeout(500)
    assert "/lab" not in page.url, f"Back reopened the course: {page.url}"
    assert page.url.startswith(start), page.url
