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

from .labdriver import LabServer, NotebookPage, open_and_run
from .test_reflow import OVERFLOW

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "lessons/05-synthesis.ipynb"


def opened(page, lab) -> NotebookPage:
    return open_and_run(page, lab, LESSON)


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


NOTEBOOK = """() => { const n = window.jupyterapp.shell.currentWidget.content;
    return {cells: n.widgets.length, types: n.widgets.map(c => c.model.type).join(','),
            counts: n.widgets.map(c => c.model.type === 'code' ? c.model.executionCount : 0)
                     .join(','),
            editing: n.widgets.filter(c => c.model.type === 'markdown' && !c.rendered).length,
            dirty: window.jupyterapp.shell.currentWidget.context.model.dirty}; }"""


def test_letters_and_shortcuts_typed_in_lesson_05_never_reach_jupyterlab(page, lab):
    """``d d`` (delete cell), ``m`` (markdown), ``z`` (undo), ``a``/``b`` (insert cell),
    Shift+Enter (run) typed in a sort select, a checklist and a reflection box change
    nothing in the notebook; Escape in a reflection box keeps the learner's text."""
    opened(page, lab)
    before = page.evaluate(NOTEBOOK)
    targets = [".coursekit-sorter select", ".coursekit-checklist input[type=checkbox]",
               ".coursekit-reflection textarea:visible", ".coursekit-rating input[type=radio]"]
    for selector in targets:
        control = page.locator(selector).first
        control.scroll_into_view_if_needed()
        control.focus()
        for key in ("d", "d", "m", "z", "a", "b", "y", "Shift+Enter", "Shift+M", "x", "c",
                    "v"):
            page.keyboard.press(key)
        page.wait_for_timeout(300)
        after = page.evaluate(NOTEBOOK)
        assert {k: after[k] for k in ("cells", "types", "counts", "editing")} == {
            k: before[k] for k in ("cells", "types", "counts", "editing")}, selector
        assert page.evaluate("() => !!document.activeElement.closest('.coursekit')"), selector
    box = page.locator(".coursekit-reflection textarea:visible").first
    box.focus()
    box.press("End")
    page.keyboard.type(" my own words")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert " my own words" in box.input_value()
    where = page.evaluate("() => document.activeElement.tagName")
    assert where == "TEXTAREA", f"Escape took focus from the box to {where}"
    # Shift+Tab leaves the box backwards, to a control of the kit, not the page body.
    page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.activeElement !== document.body")


def test_saved_then_reloaded_then_one_widget_cell_run(page, lab):
    """Autosave keeps the widget outputs; after a reload on the same kernel, nothing shows
    an error box, and running one widget cell alone (not Run All) gives a working widget
    with the page script's names."""
    nb = opened(page, lab)
    kernel = nb.kernel_id()
    nb.save()
    nb.console.clear()
    nb.reload()
    assert nb.kernel_id() == kernel
    page.wait_for_timeout(2000)
    status = nb.widget_status()
    assert status["errors"] == [], status
    assert not page.locator("text=Click to show javascript error").count()
    index = nb.cell_index("plan.support")
    page.evaluate("""async (i) => { const app = window.jupyterapp;
        const n = app.shell.currentWidget.content; n.activeCellIndex = i;
        await app.commands.execute('notebook:run-cell'); }""", index)
    nb.wait_idle()
    page.wait_for_function("""(i) => { const c = document.querySelector(
        `[data-ck-cell="${i}"] .coursekit-checklist [role=group]`); return !!c; }""",
                           arg=index, timeout=20_000)
    status = nb.widget_status()
    assert status["errors"] == [], status
    assert not page.locator("text=Click to show javascript error").count()
    assert [m for m in nb.console if "model not found" in m] == []


@pytest.mark.xfail(strict=False, reason=(
    "attack-22: intermittent. Passed alone once; in a longer session the console of one "
    "tab logged 17 'widget model not found' errors (no error box shown). Two pages on one "
    "kernel each receive the other's comm opens; not fixed here"))
def test_two_tabs_of_one_lesson_on_one_kernel(page, tmp_path):
    """A learner opens the lesson in a second browser tab (same kernel) and runs it there:
    both tabs keep working widgets and neither shows an error box.

    On a server of its own: a failed run here leaves comms behind that broke the next
    tests on a shared server."""
    lab = LabServer(tmp_path / "two-tabs")
    lab.start()
    try:
        _two_tabs(page, lab)
    finally:
        page.context.close()
        lab.stop()


def _two_tabs(page, lab):
    first = opened(page, lab)
    kernel = first.kernel_id()
    second = NotebookPage(page.context.new_page(), lab, LESSON).open()
    assert second.kernel_id() == kernel
    second.run_all()
    status = second.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    second.page.wait_for_function("() => window.__coursekitPage === true", timeout=20_000)
    first.run_all()
    status = first.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    for nb in (first, second):
        assert not nb.page.locator("text=Click to show javascript error").count()
        assert [m for m in nb.console if "model not found" in m] == []
        assert nb.page.get_by_role("radiogroup", name="How are you feeling right now?").count() == 1
    second.page.close()


def test_journal_erase_and_reflection_buttons_keep_focus(page, lab):
    """Erase… (Enter) then No, keep it (Space); Skip this reflection (Space), Show
    earlier versions (Enter): focus stays on or next to the control, never on the body."""
    opened(page, lab)

    def active() -> dict:
        return page.evaluate("""() => { const a = document.activeElement;
            return {tag: a.tagName, text: (a.textContent || '').trim(),
                    kit: !!a.closest('.coursekit')}; }""")

    def settle(check) -> dict:
        for _ in range(40):
            page.wait_for_timeout(100)
            where = active()
            if check(where):
                return where
        return active()

    erase = page.locator(".coursekit button", has_text="Erase…").first
    erase.scroll_into_view_if_needed()
    erase.focus()
    page.keyboard.press("Enter")
    where = settle(lambda w: "keep it" in w["text"] or "Yes, erase" in w["text"])
    assert where["kit"] and where["tag"] in ("BUTTON", "SELECT"), where
    keep = page.locator(".coursekit button", has_text="No, keep it").first
    keep.focus()
    page.keyboard.press("Space")
    where = settle(lambda w: w["text"] == "Erase…")
    assert where["kit"] and where["tag"] != "BODY", where
    for label, key in (("Show earlier versions", "Enter"), ("Skip this reflection", "Space")):
        control = page.locator(".coursekit-reflection button:visible", has_text=label).first
        control.scroll_into_view_if_needed()
        control.focus()
        page.keyboard.press(key)
        page.wait_for_timeout(1500)
        where = active()
        assert where["kit"] and where["tag"] != "BODY", (label, where)


@pytest.mark.parametrize("lesson", ["lessons/03-change-is-possible.ipynb", LESSON],
                         ids=["03", "05"])
def test_first_reflection_within_ten_tabs_in_lessons_03_and_05(page, lab, lesson):
    from .keyboard import Keys
    from .test_keyboard import to_top

    nb = NotebookPage(page, lab, lesson).open()
    nb.run_all()
    status = nb.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    page.wait_for_function("() => window.__coursekitPage === true", timeout=20_000)
    keys = Keys(page)
    to_top(nb)
    keys.tab_until(lambda w: w["text"] == "Skip to the first reflection", limit=10)
    where = keys.press("Enter", settle=400)
    print(f"{lesson}: {keys.tabs} Tab presses to the first reflection, focus {where}")
    assert where["kind"] == "coursekit-reflection" and where["inKit"], where
    assert where["tag"] in ("TEXTAREA", "SELECT", "INPUT"), where
    # Shift+Tab back out of it reaches the lesson's controls, never the page body.
    where = keys.press("Shift+Tab")
    assert where["tag"] != "BODY", where


@pytest.mark.parametrize("pause_ms", [
    pytest.param(0, marks=pytest.mark.xfail(strict=False, reason=(
        "explained: keys typed in the same instant as the reload can be lost in the "
        "browser. ipywidgets sends one update at a time and holds later keystrokes in "
        "the page until the kernel answers; the reload drops what it holds (measured: "
        "'...before a rel' kept, 4 letters lost, in 1 of 2 runs). No human reloads in 0 ms"))),
    250,   # a fast human: the last key, then a hand to Ctrl+R
])
def test_reload_mid_typing_keeps_the_reflection(page, lab, pause_ms):
    """The learner types in a reflection box and reloads (no Tab, no wait for the autosave):
    after Run All on the same kernel the words are back in the box."""
    nb = opened(page, lab)
    box = page.locator(".coursekit-reflection textarea:visible").first
    box.scroll_into_view_if_needed()
    box.focus()
    words = "words typed just before a reload"
    page.keyboard.type(words, delay=5)
    page.wait_for_timeout(pause_ms)
    nb.reload()
    nb.run_all()
    status = nb.wait_widgets_rendered()
    assert status["errors"] == [] and status["rendered"] == status["expected"], status
    values = ("() => Array.from(document.querySelectorAll('.coursekit-reflection textarea'))"
              ".map(t => t.value).filter(v => v)")
    try:
        page.wait_for_function(f"(w) => ({values})().some(v => v.includes(w))",
                               arg=words, timeout=15_000)
    except Exception as exc:
        raise AssertionError(f"the boxes hold {page.evaluate(values)!r}") from exc
