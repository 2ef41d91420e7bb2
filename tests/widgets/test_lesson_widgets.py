"""Check-in, beliefs, progress and the journal controls."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from coursekit.course import course_info, lessons
from coursekit.widgets import (
    BeliefTracker,
    CourseProgress,
    JournalControls,
    LessonStart,
    Reflection,
    widget_for_prompt,
)

# -- the opening check-in -------------------------------------------------------------

def test_lesson_start_records_a_visit_and_labels_its_ends(journal, info):
    w = LessonStart(info, journal=journal)
    assert [r.key for r in journal.records("visit")] == ["00"]
    labels = [label for label, _v in w.feeling.options]
    assert "very unsettled" in labels[0] and "calm and steady" in labels[-1]
    assert w.feeling.value is None and w.feeling.description == "How are you feeling right now?"
    assert not w.paused


def test_distress_offers_the_pause_without_blocking(journal, info):
    w = LessonStart(info, journal=journal)
    w.check_in(1)
    assert w.paused and "5 things you can see" in w.panel.value
    assert "Emergency services" in w.panel.value  # the support list from support.yml
    assert "carry on whenever you are ready" in w.offer.value
    assert journal.latest_record("checkin", "00").data["value"] == 1
    w.close_pause()
    assert not w.paused
    # A later cell still runs and saves: nothing is blocked.
    r = widget_for_prompt(info.prompt("hopes"), journal=journal)
    r.type("still going")
    assert r.blur()


def test_calm_check_in_does_not_open_the_panel_but_pause_always_can(journal, info):
    w = LessonStart(info, journal=journal)
    w.check_in(5)
    assert not w.paused and "Pause button" in w.offer.value
    w.pause()
    assert w.paused and "breathe in slowly" in w.panel.value.lower()


# -- beliefs --------------------------------------------------------------------------

def test_course_beliefs_start_and_end_with_a_plot(journal, info):
    statements = course_info()["beliefs"]
    start = BeliefTracker.for_lesson(info, phase="start", scope="course", journal=journal)
    assert start.statements == statements
    start.rate(0, 2)
    start.rate(statements[1], 5)
    end = BeliefTracker.for_lesson(info, phase="end", scope="course", journal=journal)
    end.rate(0, 4)
    end.rate(1, 5)
    shift = end.shift()
    assert shift[0] == (statements[0], 2, 4) and shift[1][1:] == (5, 5)
    assert shift[2][1:] == (None, None)
    words = end.describe()
    assert "start 2, end 4 (up 2)" in words and "(no change)" in words
    end.show_plot()
    svg = re.search(r"<svg.*?</svg>", end.plot.value, re.S).group(0)
    tree = ElementTree.fromstring(svg)  # well-formed XML, drawn without matplotlib
    ns = "{http://www.w3.org/2000/svg}"
    assert tree.get("role") == "img" and tree.find(f"{ns}desc").text.startswith("Statement 1,")
    marks = {m.find(f"{ns}title").text for m in tree.iter() if m.tag in (f"{ns}circle", f"{ns}rect")
             and m.find(f"{ns}title") is not None}
    assert marks == {"start: 2", "end: 4", "start: 5", "end: 5"}
    assert "<figcaption>Statement 1," in end.plot.value
    again = BeliefTracker.for_lesson(info, phase="start", scope="course", journal=journal)
    assert again.ratings[statements[0]] == 2  # restored


def test_lesson_scope_needs_statements(journal, info):
    from coursekit.errors import ContentError

    with pytest.raises(ContentError, match="no belief statements"):
        BeliefTracker.for_lesson(info, phase="start", scope="lesson", journal=journal)
    with pytest.raises(ValueError, match="phase"):
        BeliefTracker(["a"], phase="middle", scope_key="01", lesson="01", journal=journal)


# -- progress -------------------------------------------------------------------------

def test_progress_counts_visits_and_reflections(journal, info):
    total = sum(len(i.prompts) for i in lessons())
    p = CourseProgress(journal=journal)
    assert (p.lessons_bar.value, p.prompts_bar.value) == (0, 0)
    assert p.prompts_bar.max == total and p.lessons_bar.max == len(lessons())
    LessonStart(info, journal=journal)
    r = Reflection(info.prompt("hopes"), journal=journal)
    r.skip()
    widget_for_prompt(info.prompt("pace"), journal=journal).choose(3)
    widget_for_prompt(info.prompt("care-plan"), journal=journal).check(0)
    p.refresh()
    assert (p.lessons_bar.value, p.prompts_bar.value) == (1, 3)
    assert f"opened 1 of {len(lessons())} lessons" in p.words.value
    assert f"3 of {total} reflections" in p.words.value
    assert p.lessons_bar.description and p.prompts_bar.description


# -- the journal controls -------------------------------------------------------------

def test_export_is_a_download_and_writes_no_file(journal, info, data_dir):
    import base64
    import re

    journal.save("00.hopes", "exported words", lesson="00", prompt="Q")
    c = JournalControls(journal=journal)
    # One step: both links are there from the start, styled as buttons, each holding a copy.
    for fmt, media in (("md", "text/markdown"), ("html", "text/html")):
        link = c.links[fmt].value
        assert 'class="coursekit-download"' in link and media in link
        assert c.links[fmt].layout.display == ""
    assert "Download as Markdown" in c.links["md"].value
    name = c.export("md")
    assert name.startswith("coursekit-journal-") and name.endswith(".md")
    link = c.download.value
    assert f'download="{name}"' in link and c.download.layout.display == ""
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)
    assert "exported words" in base64.b64decode(payload).decode()
    assert "downloads folder" in c.intro.value
    # A later change (here from another Journal on the same file, as a second lesson's
    # kernel would make it) reaches the links at their next look.
    with type(journal)(journal.path) as other:
        other.save("00.pace-note", "written elsewhere", lesson="00", prompt="Q2")
    assert c._file_signature() != c._signature
    c.refresh_downloads()
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", c.links["md"].value).group(1)
    assert "written elsewhere" in base64.b64decode(payload).decode()
    html_name = c.export("html")
    assert html_name.endswith(".html") and "text/html" in c.download.value
    # Nothing is written beside the journal (no hidden exports folder).
    assert sorted(p.name for p in journal.path.parent.iterdir()
                  if not p.name.startswith("journal.db")) == []
    # The link's words wait for a browser like a reflection's do.
    assert c.download.get_state()["value"] == "" or _seen()
    c.request_erase("00")  # one lesson: the links hold what is left
    c.confirm_erase()
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", c.links["md"].value).group(1)
    assert "exported words" not in base64.b64decode(payload).decode()
    journal.save("00.hopes", "after the erase", lesson="00", prompt="Q")
    c.request_erase(None)  # everything: no link left, until something is saved again
    c.confirm_erase()
    assert all(link.value == "" and link.layout.display == "none" for link in c.links.values())
    assert "downloads folder" in c.status_text


def _seen() -> bool:
    from coursekit.widgets._base import front_end_seen

    return front_end_seen()


def test_erase_needs_a_confirmation(journal, info):
    journal.save("00.hopes", "a", lesson="00", prompt="Q")
    journal.save("01.x", "b", lesson="01", prompt="Q")
    c = JournalControls(journal=journal)
    assert c.confirm_erase() is None and journal.latest("00.hopes") is not None
    c.request_erase("00")
    assert c.confirm_box.layout.display == "" and "lesson 00" in c.confirm_text.value
    c.cancel_erase()
    assert journal.latest("00.hopes") is not None and c.confirm_erase() is None
    c.request_erase("00")
    assert c.confirm_erase() == 1
    assert journal.latest("00.hopes") is None and journal.latest("01.x").text == "b"
    c.request_erase(None)
    c.confirm_erase()
    assert journal.latest_entries() == []
    assert next(label for label, _ in c.scope.options) == "everything"


def test_progress_counts_self_check_questions_answered_right(journal):
    from coursekit.questionbank import load_banks
    from coursekit.selfcheck import SelfCheck

    total = sum(len(b.choice_questions) for b in load_banks())
    p = CourseProgress(journal=journal)
    assert (p.checks_bar.value, p.checks_bar.max) == (0, total)
    check = SelfCheck.for_lesson("00", journal=journal)
    first, second = load_banks()[0].choice_questions[:2]
    check.select(first.id, next(iter(first.correct_ids())))  # an option id, not a letter
    assert check.check(first.id) is True
    wrong = next(o.id for o in second.options if not o.correct) if second.options else None
    if wrong is not None:
        check.select(second.id, wrong if second.type == "single" else [wrong])
        assert check.check(second.id) is False
    p.refresh()
    assert p.checks_bar.value == 1
    assert f"answered 1 of {total} self-check questions right" in p.words.value
