"""Pause and Quick exit: in the opening check-in and in every section's safety bar.

Every user action has a method (``pause``, ``close_pause``, ``quick_exit``,
``show_again``) and a button whose ``click()`` does the same; the Quick exit button
itself acts in the browser (tests/browser/test_safety.py clicks it in JupyterLab).
"""

from __future__ import annotations

import html as htmlmod
import re
import sys

import nbformat
import pytest

from coursekit import notebooks
from coursekit.course import lessons
from coursekit.lesson import Lesson
from coursekit.widgets import LessonStart, SafetyBar, live, widget_for_prompt
from coursekit.widgets import lesson_start as ls


def _visible(widget) -> bool:
    return ls.HIDDEN_CLASS not in widget._dom_classes


def test_every_section_of_every_lesson_has_a_safety_bar():
    for info in lessons():
        nb = nbformat.read(notebooks.config.lessons_dir() / info.notebook_name, as_version=4)
        cells = nb.cells
        heads = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
                 and notebooks.SECTION_HEADING.search(c.source)
                 and not (c.metadata.get("coursekit") or {}).get("generated")]
        assert heads, info.id
        for i in heads:
            before = cells[i - 1]
            if (before.metadata.get("coursekit") or {}).get("generated") == "setup":
                continue  # the opening check-in, right above, has Pause and Quick exit
            bar = notebooks.standalone("lesson.pause()", info.id)
            assert before.cell_type == "code" and before.source == bar, (
                f"lesson {info.id}: no safety bar before {cells[i].source.splitlines()[0]!r}")
        assert len({c.id for c in cells}) == len(cells)


def test_sync_puts_a_bar_after_a_new_section_and_drops_one_whose_section_went(info):
    nb = nbformat.read(notebooks.config.lessons_dir() / info.notebook_name, as_version=4)
    extra = nbformat.v4.new_markdown_cell("## A section added for this test\n\nSome text.")
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Reflections"))
    nb.cells.insert(at, extra)
    fresh = notebooks.synced(nb, info)
    i = next(i for i, c in enumerate(fresh.cells) if c.source.startswith("## A section added"))
    assert fresh.cells[i - 1].source == notebooks.standalone("lesson.pause()", info.id)
    assert fresh.cells[i - 1].id == "coursekit-pause-a-section-added-for-this-test"
    fresh.cells.pop(i)  # the section goes; its bar goes with the next sync
    again = notebooks.synced(fresh, info)
    ids = [c.id for c in again.cells]
    assert "coursekit-pause-a-section-added-for-this-test" not in ids
    assert notebooks.synced(again, info) == again  # stable


def test_the_bar_pauses_in_place_and_closes(journal, info):
    bar = SafetyBar(info, journal=journal)
    assert not bar.paused
    bar.pause_button.click()
    assert bar.paused and "5 things you can see" in bar.panel.value
    assert "Emergency services" in bar.panel.value
    assert "history" in bar.panel.value  # the honest limits of Quick exit
    assert bar.panel in bar.children  # opened where the learner is
    bar.close_button.click()
    assert not bar.paused


def test_quick_exit_button_acts_in_the_page_first(journal, info):
    bar = SafetyBar(info, journal=journal)
    markup = bar.exit_control.value
    assert re.search(r'<button type="button" class="coursekit-quick-exit', markup)
    assert 'data-href="https://www.bbc.co.uk/weather"' in markup
    script = htmlmod.unescape(re.search(r'onclick="([^"]*)"', markup).group(1))
    # hide first, tell the kernel, then replace this page in the tab's history
    assert script.index("visibility='hidden'") < script.index("s.click()") < script.index(
        "location.replace")
    assert ">Quick exit</button>" in markup
    # one pair of models per kernel, shown in every bar
    other = SafetyBar(info, journal=journal)
    assert other.exit_control is bar.exit_control and other.exit_signal is bar.exit_signal


def test_quick_exit_hides_every_widget_until_shown_again(journal, info):
    start = LessonStart(info, journal=journal)
    bar = SafetyBar(info, journal=journal)
    reflection = widget_for_prompt(info.prompt("hopes"), journal=journal)
    reflection.type("something private")
    bar.pause()
    bar.exit_signal.click()  # what the page's Quick exit button does on its way out
    assert bar.exited and start.exited and not bar.paused
    assert not _visible(reflection)
    assert bar.again_button.layout.display == "" and "hidden" in bar.status_text
    start.again_button.click()
    assert not bar.exited and not start.exited and _visible(reflection)
    assert bar.again_button.layout.display == "none"
    assert all(_visible(w) for w in live() if not isinstance(w, ls.SafetyControls))
    assert reflection.flush() is not False


def test_lesson_start_has_quick_exit_beside_pause(journal, info):
    start = LessonStart(info, journal=journal)
    row = list(start._button_row.children)
    assert row.index(start.pause_button) < row.index(start.exit_control)
    start.quick_exit()
    assert start.exited
    start.show_again()
    assert not start.exited


def test_a_neutral_page_can_be_set_in_course_yml(monkeypatch):
    monkeypatch.setattr(ls, "course_info", lambda: {"quick_exit_url": "https://example.org/"})
    assert ls.quick_exit_url() == "https://example.org/"
    monkeypatch.setattr(ls, "course_info", lambda: {"quick_exit_url": "javascript:alert(1)"})
    assert ls.quick_exit_url() == ls.QUICK_EXIT_URL


@pytest.mark.parametrize("method", ["pause", "start"])
def test_the_lesson_facade_shows_the_controls(method, journal, monkeypatch):
    shown = []
    lesson = Lesson("01")
    monkeypatch.setattr(Lesson, "journal", journal, raising=False)
    monkeypatch.setattr(lesson, "_show", shown.append)
    getattr(lesson, method)()
    assert isinstance(shown[0], SafetyBar if method == "pause" else LessonStart)


def test_a_safety_bar_cell_runs_alone_before_the_setup_cell(journal, monkeypatch):
    """Run first, or alone after a restart, the bar's cell defines what it needs."""
    shown = []
    monkeypatch.setattr(Lesson, "journal", journal, raising=False)
    monkeypatch.setattr(Lesson, "_show", lambda self, w: shown.append(w))
    for info in lessons():
        nb = nbformat.read(notebooks.config.lessons_dir() / info.notebook_name, as_version=4)
        bar = next(c for c in nb.cells
                   if (c.metadata.get("coursekit") or {}).get("generated") == notebooks.SECTION)
        exec(compile(bar.source, f"lesson {info.id} safety bar", "exec"), {})  # an empty namespace
    assert len(shown) == len(lessons())
    assert all(isinstance(w, SafetyBar) for w in shown)


def test_course_yml_may_name_the_neutral_page_and_a_bad_one_is_refused(tmp_path, monkeypatch):
    import shutil

    import yaml

    from coursekit.course import course_info
    from coursekit.errors import ContentError

    root = tmp_path / "kit"
    shutil.copytree(notebooks.config.assets_dir(), root / "assets")
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    path = root / "assets" / "course.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quick_exit_url"] = "https://weather.example.org/today"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert course_info()["quick_exit_url"] == "https://weather.example.org/today"
    assert ls.quick_exit_url() == "https://weather.example.org/today"
    assert 'data-href="https://weather.example.org/today"' in ls.quick_exit_html()
    data["quick_exit_url"] = "weather"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=r"course\.yml.*quick_exit_url.*https://"):
        course_info()
    assert ls.quick_exit_url() == ls.QUICK_EXIT_URL  # the exit itself still works


# -- the advice after a Quick exit is true for the setting ----------------------------------

_PRIVATE = re.compile(r"private \(incognito\)", re.I)


def _pause_text(monkeypatch, journal, info, setting: str | None, platform: str = "linux") -> str:
    for name in ("JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN", "COURSEKIT_SETTING"):
        monkeypatch.delenv(name, raising=False)
    if setting == "jupyterhub":
        monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    elif setting:
        monkeypatch.setenv("COURSEKIT_SETTING", setting)
    monkeypatch.setattr(sys, "platform", platform)  # Pyodide's is "emscripten"
    bar = SafetyBar(info, journal=journal)
    bar.pause()
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", bar.panel.value)).split())


@pytest.mark.parametrize("setting, says", [
    ("own-computer", ["in your account on this computer, not in the browser",
                      "private (incognito) window keeps its pages out",
                      "your journal is kept"]),
    ("shared-computer", ["anyone else who uses that account", "log out of the account"]),
    ("jupyterhub", ["on the course server", "logging in through a private (incognito) window",
                    "log out of the course server"]),
])
def test_pause_suggests_a_private_window_only_where_the_journal_is_not_in_the_browser(
        monkeypatch, journal, info, setting, says):
    text = _pause_text(monkeypatch, journal, info, setting)
    for words in says:
        assert words in text, (setting, words, text)
    assert "erases" not in text


def test_pause_in_the_browser_edition_warns_that_a_private_window_erases_the_journal(
        monkeypatch, journal, info):
    text = _pause_text(monkeypatch, journal, info, None, platform="emscripten")
    assert "A private (incognito) or guest window keeps none of it" in text
    assert "when the last private or guest window closes, everything written there is " \
           "erased, your journal included" in text
    assert "use one only if you want nothing kept" in text  # a choice, not a ban
    assert "choose history only" in text and "Download as Markdown" in text
    assert not re.search(r"private \(incognito\) window (?:keeps|helps)", text)
    # the setting named outright gives the same words as Pyodide's own platform
    assert text == _pause_text(monkeypatch, journal, info, "browser")


def test_pause_with_a_mistyped_setting_still_opens_and_says_what_holds_everywhere(
        monkeypatch, journal, info):
    text = _pause_text(monkeypatch, journal, info, "laptop")
    assert "5 things you can see" in text
    assert "in the browser edition, closing the last private window or clearing the " \
           "site's data erases it" in text


def test_only_the_browser_editions_advice_warns_off_a_private_window():
    from coursekit import privacy

    assert set(privacy.HIDING) == set(privacy.SETTINGS)
    for where, advice in privacy.HIDING.items():
        assert privacy.hiding_advice(where) == advice
        suggests = bool(re.search(r"private \(incognito\) window (?:keeps|helps)", advice))
        assert suggests == (where != "browser"), where
    assert _PRIVATE.search(privacy.HIDING["browser"])  # named, as a warning


def test_no_setting_says_closing_one_private_window_ends_the_private_session():
    # attack: with two private windows open, closing "that window" keeps the private session
    # (its history, login and, in the browser edition, the journal) until the last one closes
    from coursekit import privacy

    for where, advice in [*privacy.HIDING.items(), ("unknown", privacy.HIDING_ANY)]:
        assert "that window is closed" not in advice and "closing it erases" not in advice
        if _PRIVATE.search(advice):
            assert re.search(r"every private window is closed|the last private", advice), where


def test_every_setting_says_jupyterlab_reopens_the_lessons_left_open():
    # attack: after a Quick exit and a private window, JupyterLab (and JupyterLite) still
    # restores the open lesson tabs from its saved workspace the next time it starts
    from coursekit import privacy

    for where, advice in privacy.HIDING.items():
        assert "reopens the lessons left open the next time it starts" in advice, where
