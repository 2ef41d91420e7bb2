"""Lesson 01 with the keyboard only, and every control of it named for a screen reader.

The walk uses only Tab, Shift+Tab, the arrow keys, Enter, Space and Escape
(:mod:`browser.keyboard`, shared with the browser edition), asserts where focus is
after each action, that no key reached JupyterLab (the notebook stays in command
mode on the same cell, no markdown cell opens for editing), that each answer reached
the journal, and prints the number of Tab presses from the top of the lesson to its
first reflection (goal: at most 10).
"""

from __future__ import annotations

import pytest

from .keyboard import Keys, focused, in_kind
from .labdriver import NotebookPage, open_and_run

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "lessons/01-shared-fantasy-and-regression.ipynb"
TAB_GOAL = 10


def open_lesson(page, lab) -> NotebookPage:
    return open_and_run(page, lab, LESSON)


def to_top(nb: NotebookPage) -> None:
    """Focus the top of the lesson: its first cell, in command mode (where a learner lands)."""
    nb.page.evaluate("""() => { const n = window.jupyterapp.shell.currentWidget.content;
        n.activeCellIndex = 0; n.mode = 'command'; n.node.focus(); }""")


def notebook_state(page) -> dict:
    return page.evaluate("""() => { const n = window.jupyterapp.shell.currentWidget.content;
        return {mode: n.mode, active: n.activeCellIndex,
                editing: n.widgets.filter(c => c.model.type === 'markdown' && !c.rendered).length};
    }""")


def status_of(page, index: int) -> str:
    """The status line of the index-th kit widget on the page."""
    return page.evaluate("""(i) => { const roots = Array.from(document.querySelectorAll('.coursekit'))
        .filter(el => !el.parentElement.closest('.coursekit'));
        const s = roots[i].querySelector('.coursekit-status'); return s ? s.innerText : ''; }""",
                         index)


def wait_saved(page, index: int, word: str = "saved at") -> None:
    page.wait_for_function("""([i, word]) => { const roots = Array.from(
        document.querySelectorAll('.coursekit')).filter(el => !el.parentElement.closest('.coursekit'));
        const s = roots[i].querySelector('.coursekit-status'); return s && s.innerText.includes(word); }""",
                           arg=[index, word], timeout=15_000)


def test_lesson_01_with_the_keyboard_only(page, lab):
    nb = open_lesson(page, lab)
    keys = Keys(page)
    to_top(nb)
    before = notebook_state(page)

    # -- from the top to the first reflection: the skip link ---------------------------
    where = keys.tab_until(lambda w: w["text"] == "Skip to the first reflection", limit=10)
    assert where["kind"] == "coursekit-lesson-start"
    where = keys.press("Enter", settle=300)
    assert where["kind"] == "coursekit-reflection" and where["tag"] == "TEXTAREA", where
    print(f"Tab presses from the top of lesson 01 to its first reflection: {keys.tabs} "
          f"(goal <= {TAB_GOAL})")
    assert keys.tabs <= TAB_GOAL
    # Enter and arrows in the box stay in the box; nothing reaches the notebook.
    for key in ("ArrowDown", "ArrowUp", "Enter"):
        assert keys.press(key)["tag"] == "TEXTAREA"
    state = notebook_state(page)
    assert state["mode"] == "command" and state["editing"] == 0, state

    # -- the check-in: one Tab stop, arrows choose, Pause is a disclosure ---------------
    to_top(nb)
    keys.tabs = 0
    where = keys.tab_until(in_kind("coursekit-lesson-start", "INPUT"), limit=8)
    assert where["group"], "the check-in has no group name"
    where = keys.press("ArrowRight")
    assert where["tag"] == "INPUT" and where["checked"].startswith("2"), where
    where = keys.press("ArrowRight")
    assert where["checked"].startswith("3"), where
    start = where["index"]
    wait_saved(page, start, "check-in saved")
    # A check-in of 2 or less offers the pause at once: the panel is open already.
    where = keys.press("Tab")
    assert where["text"] == "Pause" and where["expanded"] == "true", where
    keys.press("Escape", settle=200)
    keys.wait_focus(lambda w: w["text"] == "Pause" and w["expanded"] == "false")
    assert page.locator(".coursekit-lesson-start .coursekit-panel").first.is_hidden()
    keys.press("Enter", settle=200)
    keys.wait_focus(lambda w: w["text"] == "Pause" and w["expanded"] == "true")
    keys.press("Escape", settle=200)
    keys.wait_focus(lambda w: w["text"] == "Pause" and w["expanded"] == "false")
    where = keys.press("Space", settle=200)
    keys.wait_focus(lambda w: w["text"] == "Pause" and w["expanded"] == "true")
    where = keys.tab_until(lambda w: w["text"] == "Close the pause panel", limit=3)
    keys.press("Enter", settle=200)
    keys.wait_focus(lambda w: w["text"] == "Pause" and w["expanded"] == "false")
    # Back to the group with Shift+Tab: one stop, on the checked radio.
    where = keys.press("Shift+Tab")
    assert where["tag"] == "INPUT" and where["checked"].startswith("3"), where

    # -- the beliefs: the first task ---------------------------------------------------
    keys.tab_until(lambda w: w["text"] == "Skip to the first task", limit=4, key="Shift+Tab")
    where = keys.press("Enter", settle=300)
    assert where["kind"] == "coursekit-beliefs" and where["tag"] == "INPUT", where
    beliefs = where["index"]
    groups = set()
    for n in range(3):
        where = keys.press("ArrowRight")
        assert where["kind"] == "coursekit-beliefs" and where["checked"], where
        groups.add(where["group"])
        if n < 2:
            where = keys.press("Tab")
            assert where["kind"] == "coursekit-beliefs" and where["tag"] == "INPUT", where
    assert len(groups) == 3, "each statement is its own group, one Tab stop each"
    wait_saved(page, beliefs)

    # -- the reflection: Skip keeps focus beside it ------------------------------------
    where = keys.tab_until(in_kind("coursekit-reflection", "TEXTAREA"), limit=30)
    reflection = where["index"]
    where = keys.press("Tab")
    assert where["text"] == "Skip this reflection", where
    keys.press("Enter", settle=300)
    where = keys.wait_focus(lambda w: w["index"] == reflection and w["tag"] != "BODY")
    page.wait_for_timeout(800)  # the kernel's answer has redrawn the widget
    where = focused(page)
    assert where["index"] == reflection, f"focus left the reflection after Skip: {where}"

    # -- the rating ----------------------------------------------------------------------
    where = keys.tab_until(in_kind("coursekit-rating", "INPUT"), limit=6)
    assert where["group"]
    for _ in range(3):  # from the first option, unchosen: 2, 3, 4
        where = keys.press("ArrowRight")
    assert where["checked"].startswith("4"), where
    wait_saved(page, where["index"])

    # -- the sorter: ArrowDown on a closed select changes it, focus stays -----------------
    where = keys.tab_until(in_kind("coursekit-sorter", "SELECT"), limit=4)
    sorter = where["index"]
    for n in range(4):
        first = where["value"]
        where = keys.press("ArrowDown")
        assert where["kind"] == "coursekit-sorter" and where["tag"] == "SELECT", where
        assert where["value"] != first, "ArrowDown did not change the choice"
        if n < 3:
            where = keys.press("Tab")
    wait_saved(page, sorter)

    # -- the self-check: choose, Check answer, focus stays by the question ------------------
    where = keys.tab_until(in_kind("coursekit-selfcheck", "INPUT"), limit=40)
    assert where["group"]
    check = where["index"]
    where = keys.press("ArrowDown")
    assert where["checked"], where
    keys.tab_until(lambda w: w["text"] == "Check answer", limit=3)
    keys.press("Enter", settle=300)
    page.wait_for_timeout(800)
    where = keys.wait_focus(lambda w: w["index"] == check and w["tag"] != "BODY")
    feedback = page.locator(".coursekit-selfcheck .coursekit-feedback").first.inner_text()
    assert feedback.strip(), "Check answer gave no feedback"
    # Next and Previous question: the question changes, focus stays on the button.
    position = page.locator(".coursekit-selfcheck-position").first
    before_text = position.inner_text()
    keys.tab_until(lambda w: w["text"] == "Next question", limit=6)
    keys.press("Enter", settle=300)
    page.wait_for_function("([el, text]) => el.innerText !== text",
                           arg=[position.element_handle(), before_text], timeout=10_000)
    page.wait_for_timeout(500)
    assert focused(page)["text"] == "Next question", focused(page)
    where = keys.press("Shift+Tab")
    assert where["text"] == "Previous question", where
    keys.press("Space", settle=300)
    page.wait_for_function("([el, text]) => el.innerText === text",
                           arg=[position.element_handle(), before_text], timeout=10_000)
    page.wait_for_timeout(500)
    assert focused(page)["text"] == "Previous question", focused(page)

    # Nothing of all this reached JupyterLab: same cell active, command mode, no editor.
    state = notebook_state(page)
    assert state["mode"] == "command" and state["editing"] == 0, (before, state)
    assert nb.errors() == []


def test_every_control_of_lesson_01_is_named(page, lab):
    """Group name = its question; text box name = its prompt; selects named by statement."""
    open_lesson(page, lab)
    names = page.evaluate("""() => {
      const text = (ids) => (ids || '').split(' ').filter(Boolean)
        .map(i => document.getElementById(i)).filter(Boolean)
        .map(e => e.textContent.trim()).join(' ');
      const out = {groups: [], boxes: [], selects: [], loose: []};
      document.querySelectorAll('.coursekit [role=radiogroup]').forEach(g => {
        const names = new Set(Array.from(g.querySelectorAll('input[type=radio]')).map(r => r.name));
        out.groups.push({name: text(g.getAttribute('aria-labelledby')), names: names.size,
                         blank: names.has('')});
      });
      document.querySelectorAll('.coursekit textarea').forEach(t =>
        out.boxes.push(text(t.getAttribute('aria-labelledby'))));
      document.querySelectorAll('.coursekit select').forEach(s =>
        out.selects.push(s.labels && s.labels.length ? s.labels[0].textContent.trim() : ''));
      document.querySelectorAll('.coursekit input[type=radio]').forEach(r => {
        if (!r.closest('[role=radiogroup]')) out.loose.push(r.outerHTML.slice(0, 80)); });
      return out; }""")
    questions = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.coursekit-reflection .coursekit-question, .coursekit-rating .coursekit-question'))
        .map(q => q.textContent.trim())""")
    assert names["loose"] == []
    assert len(names["groups"]) >= 9, names
    for group in names["groups"]:
        assert group["names"] == 1 and not group["blank"], group
        assert len(group["name"]) > 12, f"a radio group is not named by its question: {group}"
    assert "How are you feeling right now?" in [g["name"] for g in names["groups"]]
    rating_question = page.locator(".coursekit-rating .coursekit-question").first.inner_text()
    assert any(g["name"].startswith(rating_question.strip()) for g in names["groups"])
    assert names["boxes"] and all(box in questions for box in names["boxes"]), (names, questions)
    assert "Your answer" not in names["boxes"]
    assert names["selects"] and all(len(s) > 12 for s in names["selects"]), names
    # Playwright's accessibility view agrees (what a screen reader is given).
    group = page.get_by_role("radiogroup", name="How are you feeling right now?")
    assert group.count() == 1
    # (A box skipped by an earlier test is hidden: take the first one shown.)
    box = page.locator(".coursekit-reflection textarea:visible").first
    box.scroll_into_view_if_needed()
    expected = box.evaluate("(el) => document.getElementById("
                            "el.getAttribute('aria-labelledby')).textContent.trim()")
    assert expected in questions
    cdp = page.context.new_cdp_session(page)
    box.focus()
    tree = cdp.send("Accessibility.getPartialAXTree", {
        "backendNodeId": cdp.send("DOM.describeNode", {"objectId": cdp.send(
            "Runtime.evaluate", {"expression": "document.activeElement"})["result"]["objectId"]}
        )["node"]["backendNodeId"], "fetchRelatives": False})
    node = tree["nodes"][0]
    assert node["role"]["value"] == "textbox"
    assert node["name"]["value"] == expected, node["name"]


def test_axe_finds_nothing_inside_the_kits_widgets(page, lab):
    """Any impact, not only serious ones: no axe-core violation has a node in a kit widget."""
    from .test_accessibility import axe_violations

    nb = open_lesson(page, lab)
    found = axe_violations(nb)
    inside = page.evaluate("""(targets) => targets.map(t => {
        let el = null; try { el = document.querySelector(t); } catch (e) { el = null; }
        return !!(el && el.closest('.coursekit')); })""",
                           [n["target"][0] for v in found for n in v["nodes"]])
    nodes = [(v["id"], n["html"]) for v in found for n in v["nodes"]]
    kit = [node for node, hit in zip(nodes, inside, strict=True) if hit]
    print(f"axe-core: {len(nodes)} violation nodes on the page, {len(kit)} inside kit widgets")
    assert kit == [], kit
