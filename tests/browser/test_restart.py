"""A stale reflection box never claims "saved", and nothing typed before a stop is lost.

In a real JupyterLab in Debian's Chromium: type into a reflection, then, before the
autosave pause is over, restart the kernel (or stop the whole server). The old box
must say in words that it is not connected, hide its "saved at" line and refuse the
cursor (its controls turn inert); what was typed before the stop is in the journal;
and after a restart, running the reflection cell alone (no setup cell first) shows it
again.
"""

from __future__ import annotations

import time
from secrets import token_hex

import pytest

from .labdriver import LabServer, NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "lessons/01-shared-fantasy-and-regression.ipynb"
PROMPT = "regression.which-kind"
NOT_CONNECTED = "Not connected"


def journal_latest(data_dir, prompt_id: str) -> str | None:
    from coursekit.journal import Journal

    with Journal(data_dir / "coursekit" / "journal.db") as journal:
        entry = journal.latest(prompt_id)
    return None if entry is None else entry.text


def box_state(page, cell) -> dict:
    """What the learner sees: the banner's words, the status line, whether the box takes input."""
    root = cell.locator(".coursekit-reflection").first.element_handle()
    return page.evaluate("""(el) => {
        const box = el.querySelector('textarea');
        const status = el.querySelector('.coursekit-status');
        return {banner: getComputedStyle(el, '::before').content,
                status: getComputedStyle(status).display,
                statusText: status.innerText,
                pointer: getComputedStyle(box).pointerEvents,
                inert: getComputedStyle(box).interactivity,
                focused: document.activeElement === box};
    }""", root)


def wait_for(check, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def type_and_stop_before_autosave(nb: NotebookPage, stop) -> tuple[int, str]:
    """Type one saved text, then a second one and call ``stop`` at once (no pause)."""
    index = nb.cell_index(f'reflect("{PROMPT}")')
    cell = nb.cell(index)
    box = cell.locator("textarea").first
    box.scroll_into_view_if_needed()
    box.fill(f"first words {token_hex(4)}")
    cell.get_by_role("status").filter(has_text="saved at").first.wait_for(timeout=20_000)
    pending = f"typed just before the stop {token_hex(6)} ✓"
    box.fill(pending)
    # The kernel has the words (each keystroke reaches it); the autosave has not run.
    nb.page.wait_for_timeout(300)
    stop()
    return index, pending


def assert_refuses_input(nb: NotebookPage, cell) -> None:
    """The stale box lets go of the cursor, and a click does not bring it back."""
    state = box_state(nb.page, cell)
    assert state["inert"] == "inert" and state["pointer"] == "none", state
    assert not state["focused"], "the stale box kept the cursor (typing would go into it)"
    box = cell.locator("textarea").first
    area = box.bounding_box()
    nb.page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    assert not box_state(nb.page, cell)["focused"], "a click put the cursor into the stale box"


def test_kernel_restart_marks_the_box_and_loses_nothing(page, lab):
    nb = NotebookPage(page, lab, LESSON).open()
    nb.run_all()
    assert nb.errors() == []
    nb.wait_widgets_rendered()
    index, pending = type_and_stop_before_autosave(nb, nb.restart_kernel)
    cell = nb.cell(index)

    # The old box says, in words, that it is not connected and how to go on.
    wait_for(lambda: NOT_CONNECTED in box_state(page, cell)["banner"], what="the banner")
    state = box_state(page, cell)
    assert "run this cell again" in state["banner"]
    assert state["status"] == "none", "the stale box still shows its 'saved at' line"
    assert_refuses_input(nb, cell)
    # What was typed before the restart was saved as the kernel shut down.
    assert journal_latest(lab.data_dir, f"01.{PROMPT}") == pending

    # Run the reflection cell alone in the new kernel (no setup cell first).
    page.evaluate("""(i) => {
        const panel = window.jupyterapp.shell.currentWidget;
        panel.content.activeCellIndex = i;
        return window.jupyterapp.commands.execute('notebook:run-cell');
    }""", index)
    nb.wait_idle()
    assert nb.errors() == []
    from playwright.sync_api import expect

    fresh = nb.cell(index)
    expect(fresh.locator("textarea").first).to_have_value(pending, timeout=20_000)
    wait_for(lambda: NOT_CONNECTED not in box_state(page, fresh)["banner"],
             what="the new box to be connected")
    assert "saved at" in box_state(page, fresh)["statusText"]


def test_server_stop_marks_the_box_and_loses_nothing(browser, tmp_path):
    """The whole server stops (as `make lab` does on Ctrl+C): the same promises hold."""
    server = LabServer(tmp_path / "lab").start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        nb = NotebookPage(page, server, LESSON).open()
        nb.run_all()
        nb.wait_widgets_rendered()
        index, pending = type_and_stop_before_autosave(nb, server.stop)
        cell = nb.cell(index)
        wait_for(lambda: NOT_CONNECTED in box_state(page, cell)["banner"], what="the banner")
        assert box_state(page, cell)["status"] == "none"
        assert_refuses_input(nb, cell)
        assert journal_latest(server.data_dir, f"01.{PROMPT}") == pending
    finally:
        context.close()
        server.stop()


def test_a_lesson_opens_with_no_unsaved_changes(page, lab):
    """Opening a lesson and connecting its kernel changes nothing, so no "unsaved" prompt.

    (Before the server filled in the kernel's description, JupyterLab rewrote the
    stored minimum on connecting and marked every lesson changed at once.)
    """
    nb = NotebookPage(page, lab, "lessons/00-start-here.ipynb").open()
    page.wait_for_timeout(1500)  # the kernel's info has arrived (open() waits for idle)
    dirty = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty")
    assert dirty is False, "the lesson was marked changed as it opened"
    assert nb.page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
        .every(c => c.model.getMetadata('editable') === false && c.readOnly)""")


def test_export_from_a_lesson_is_a_real_download(page, lab, tmp_path):
    """"Download as HTML" in lesson 00 gives a download with the learner's words; no file
    appears anywhere in the kit or beside the journal."""
    nb = NotebookPage(page, lab, "lessons/00-start-here.ipynb").open()
    nb.run_all()
    assert nb.errors() == []
    nb.wait_widgets_rendered()
    marker = f"exported words {token_hex(6)}"
    from coursekit.journal import Journal

    with Journal(lab.data_dir / "coursekit" / "journal.db") as journal:
        journal.save("00.export-check", marker, lesson="00", prompt="A test prompt")
    kit_folder = lab.data_dir / "coursekit"
    before = {p.relative_to(kit_folder) for p in kit_folder.rglob("*")}  # other tests' folders
    cell = nb.cell(nb.cell_index("lesson.journal_controls()"))
    # One click: the link (styled as a button) takes up the change within seconds.
    link = cell.get_by_role("link", name="Download as HTML")
    link.wait_for(timeout=20_000)
    # The widget writes a new <a> each time, so look it up again at every poll.
    page.wait_for_function("""([cell, m]) => [...cell.querySelectorAll('a.coursekit-download')]
        .some(a => atob(a.href.split(',')[1]).includes(m))""",
                           arg=[cell.element_handle(), marker], timeout=20_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("coursekit-journal-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    page_text = saved.read_text(encoding="utf-8")
    assert marker in page_text and "<script" not in page_text
    leaked = [str(p) for p in lab.kit.rglob("*") if p.is_file() and marker.encode() in
              p.read_bytes()]
    assert leaked == []
    beside = sorted(str(p.relative_to(kit_folder)) for p in kit_folder.rglob("*")
                    if p.relative_to(kit_folder) not in before
                    and not p.name.startswith("journal.db"))
    assert beside == [], beside
