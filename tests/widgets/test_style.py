"""The widget stylesheet: sent once per kernel, scoped to the kit, every rule in use."""

from __future__ import annotations

import re

import ipywidgets as W
import pytest
from ipywidgets.widgets.widget import _instances

from coursekit.course import Prompt, lesson
from coursekit.selfcheck import SelfCheck
from coursekit.widgets import (
    BeliefTracker,
    Checklist,
    CourseProgress,
    JournalControls,
    LessonStart,
    RatingScale,
    Reflection,
    SafetyBar,
    Sorter,
    _style,
)
from coursekit.widgets._base import ChoiceDropdown
from coursekit.widgets._page import PAGE_CLASS, page_script, page_widget
from coursekit.widgets._style import css_classes, style_widget, stylesheet_css, stylesheet_path


def every_widget(journal, info, sort_prompt):
    """One of each kit widget, in the states that show all their parts."""
    start = LessonStart(info, journal=journal)
    start.check_in(1)  # opens the pause panel
    reflection = Reflection(info.prompt("hopes"), journal=journal)
    reflection.type("words")
    reflection.blur()
    reflection.show_history()
    reflection.set_status("the journal is busy", problem=True)
    journal.notice = "The journal file was moved aside; a new one was started."
    reflection._show_notice()
    beliefs = BeliefTracker.for_lesson(info, phase="start", scope="course", journal=journal)
    controls = JournalControls(journal=journal)
    controls.request_erase("00")
    check = SelfCheck.for_lesson("00")
    first, second = check.items[0], check.items[1]
    first.select(next(o.id for o in first.question.options if not o.correct))
    first.check()
    second.select(second.question.answer)
    second.check()
    journal.notice = None
    controls.refresh_downloads()  # the download links, refused while the notice stood
    bar = SafetyBar(info, journal=journal)
    hidden = SafetyBar(info, journal=journal)
    hidden._hide(True)  # as after a quick exit: only "Show the lesson again" is shown
    return [start, bar, hidden, reflection, beliefs, controls, check,
            RatingScale(info.prompt("pace"), journal=journal),
            Checklist(info.prompt("care-plan"), journal=journal),
            Sorter(sort_prompt, journal=journal),
            CourseProgress(journal=journal)]


def descendants(widget: W.Widget) -> list[W.Widget]:
    found, todo = [], [widget]
    while todo:
        current = todo.pop()
        found.append(current)
        if isinstance(current, W.Box):
            todo.extend(current.children)
    return found


def classes_used(widgets: list[W.Widget]) -> set[str]:
    """CSS classes on the widgets' DOM elements and inside their HTML."""
    used: set[str] = set()
    for top in widgets:
        for w in descendants(top):
            used.update(getattr(w, "_dom_classes", ()))
            if isinstance(w, W.HTML):
                for attr in re.findall(r'class="([^"]*)"', w.value):
                    used.update(attr.split())
    return used


def style_holders() -> list[W.HTML]:
    return [w for w in list(_instances.values())
            if isinstance(w, W.HTML) and "<style>" in w.value and "coursekit" in w.value]


def test_the_stylesheet_is_sent_once_per_kernel(journal, info, sort_prompt):
    widgets = every_widget(journal, info, sort_prompt)
    widgets += every_widget(journal, info, sort_prompt)  # a second run of every cell
    style = style_widget()
    assert style.value == f"<style>{stylesheet_path().read_text(encoding='utf-8')}</style>"
    assert style.layout.display == "none"
    assert style_holders() == [style]  # one model holds the CSS in this kernel
    for w in widgets:
        assert w.children[0] is style and list(w.children).count(style) == 1
        assert "coursekit" in w._dom_classes
        nested = [d for d in descendants(w)[1:] if isinstance(d, W.Box)]
        assert all(style not in d.children for d in nested)  # only at the top


def test_setting_children_again_keeps_a_single_stylesheet(journal, info):
    r = Reflection(info.prompt("hopes"), journal=journal)
    style = style_widget()
    r.children = [*r.children, r.question]
    assert r.children[0] is style and list(r.children).count(style) == 1
    r.children = []
    assert r.children == (style, page_widget())  # the stylesheet, then the page script


def test_every_kit_widget_carries_the_page_script_once(journal, info, sort_prompt):
    """One hidden anywidget model per front end holds page.js (keyboard, names, focus)."""
    page = page_widget()
    assert page is not None and PAGE_CLASS in page._dom_classes
    assert page._esm == page_script() and "radiogroup" in page._esm
    assert page.layout.display == "none"
    for w in every_widget(journal, info, sort_prompt):
        assert w.children[1] is page and list(w.children).count(page) == 1


def test_a_closed_stylesheet_model_is_replaced(journal, info, monkeypatch):
    monkeypatch.setattr(_style, "_STYLE", None)
    first = style_widget()
    first.close()
    second = style_widget()
    assert second is not first and second.comm is not None and "<style>" in second.value
    assert Reflection(info.prompt("hopes"), journal=journal).children[0] is second


def test_every_class_the_stylesheet_styles_is_used(journal, info, sort_prompt):
    styled = css_classes()
    assert {"coursekit", "coursekit-answer", "coursekit-scale", "coursekit-match",
            "coursekit-statement", "coursekit-problem", "coursekit-buttons"} <= styled
    widgets = every_widget(journal, info, sort_prompt)
    # The self-check shows one question at a time: look at every question's widget too.
    widgets += [it for w in widgets if isinstance(w, SelfCheck) for it in w.items]
    used = classes_used(widgets)
    assert styled - used == set(), f"styled but never used: {sorted(styled - used)}"


def rules(css: str) -> list[tuple[str, str]]:
    """(selector, declarations) for every rule, looking inside @media blocks."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for media_body in re.findall(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
        found += re.findall(r"([^{}]+)\{([^{}]*)\}", media_body)
    outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", css)
    found += re.findall(r"([^{}]+)\{([^{}]*)\}", outside)
    return [(sel.strip(), body) for sel, body in found]


def test_every_rule_is_scoped_to_the_kit():
    found = rules(stylesheet_css())
    assert len(found) > 30
    for selector, _body in found:
        for part in selector_list(selector):
            assert part.strip().startswith(".coursekit"), f"unscoped selector: {part.strip()!r}"


def selector_list(selector: str) -> list[str]:
    """The selectors of a rule, split at top-level commas (not inside ``:is(...)``)."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def test_colours_come_from_the_theme():
    for selector, body in rules(stylesheet_css()):
        plain = re.sub(r"var\((?:[^()]|\([^()]*\))*\)", "var()", body)
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", plain), (
            f"{selector}: a fixed colour outside var(--jp-...); use a JupyterLab variable")
        for color in re.findall(r"(?:^|;)\s*(?:color|background|border[a-z-]*|outline)\s*:"
                                r"([^;]*)", body):
            words = set(re.findall(r"\b(?:red|green|blue|black|white|grey|gray)\b", color))
            assert not words, f"{selector}: named colour {words}; use a theme variable"


def test_keyboard_focus_is_visible_on_every_control():
    css = stylesheet_css()
    focus = " ".join(sel for sel, body in rules(css) if "outline:" in body.replace(" ", "")
                     and "none" not in body)
    for element in ("button", "input", "select", "textarea"):
        assert f".coursekit {element}:focus-visible" in focus


def test_a_missing_stylesheet_leaves_the_widgets_working(tmp_path, monkeypatch, journal, info):
    kit = tmp_path / "kit"
    (kit / "assets").mkdir(parents=True)
    monkeypatch.setenv("COURSEKIT_ROOT", str(kit))
    monkeypatch.setattr(_style, "_CSS", None)
    monkeypatch.setattr(_style, "_STYLE", None)
    r = Reflection(Prompt("00.x", "00", "text", "Q?"), journal=journal)
    assert r.children[0].value == "" and r.children[2] is r.question


def test_a_stylesheet_that_would_close_the_style_element_is_refused(tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    (kit / "assets" / "styles").mkdir(parents=True)
    (kit / "assets" / "styles" / "widgets.css").write_text(".coursekit {} </style><b>x</b>")
    monkeypatch.setenv("COURSEKIT_ROOT", str(kit))
    monkeypatch.setattr(_style, "_CSS", None)
    with pytest.raises(ValueError, match="</style"):
        stylesheet_css()


# -- drop-downs show their placeholder, statements show once ---------------------------

def test_a_choice_dropdown_shows_its_placeholder_until_and_after_a_choice():
    d = ChoiceDropdown("(choose)", [("yes", 1), ("no", 2)], description="Q")
    assert (d.index, d.label, d.value) == (0, "(choose)", None)
    d.value = 2
    assert (d.index, d.label) == (2, "no")
    d.value = None
    assert (d.index, d.label, d.value) == (0, "(choose)", None)


def test_self_check_and_sorter_dropdowns_show_a_placeholder(journal, sort_prompt):
    check = SelfCheck.for_lesson("00")
    dropdowns = [c for it in check.items for c in it._controls if isinstance(c, W.Dropdown)]
    assert dropdowns and all(d.label == "(choose)" for d in dropdowns)
    item = next(it for it in check.items if it.question.type == "ordering")
    item.select(list(item.question.items))
    item.check()
    item.retry()
    assert all(d.index == 0 and d.label == "(choose)" for d in item._controls)
    sorter = Sorter(sort_prompt, journal=journal)
    assert all(c.label == "(not sorted yet)" for c in sorter.choices)
    sorter.place(0, "research")
    sorter.place(0, None)
    assert sorter.choices[0].label == "(not sorted yet)"
    assert Sorter(sort_prompt, journal=journal).choices[0].label == "(not sorted yet)"


def visible_text(widget: W.Widget) -> str:
    parts = []
    for w in descendants(widget):
        parts.append(getattr(w, "description", "") or "")
        if isinstance(w, W.HTML):
            parts.append(w.value)
        parts.extend(label for label, _v in getattr(w, "options", ()) or ()
                     if isinstance(label, str))
    return "\n".join(parts)


def test_each_belief_statement_shows_once_as_its_scales_label(journal, info):
    beliefs = BeliefTracker.for_lesson(lesson("01"), phase="start", journal=journal)
    text = visible_text(beliefs)
    for n, (statement, scale) in enumerate(zip(beliefs.statements, beliefs.scales,
                                               strict=True), 1):
        assert scale.description == f"{n}. {statement}"
        assert text.count(statement) == 1
    assert not re.search(r"Statement \d+(?!,)", text)  # no bare "Statement N" labels


def test_each_sort_statement_shows_once_as_its_dropdowns_label(journal, sort_prompt):
    sorter = Sorter(sort_prompt, journal=journal)
    text = visible_text(sorter)
    for statement, choice in zip(sorter.statements, sorter.choices, strict=True):
        assert statement in choice.description and text.count(statement) == 1


def test_the_reflection_box_fits_its_cell(journal, info):
    r = Reflection(info.prompt("hopes"), journal=journal)
    assert r.box.layout.width != "100%"  # 100% plus the label ran past the cell's edge
    assert "coursekit-answer" in r.box._dom_classes
    assert r.box.description == "Your answer"  # still the box's accessible name
