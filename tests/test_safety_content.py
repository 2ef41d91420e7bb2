"""Safety wording: true in every setting, crisis lines with the date checked, fuller content notes.

The privacy promise must hold on a learner's own computer, a shared family computer, a
JupyterHub (whose administrators can read every file) and the browser edition; the untrue
promises the course used to make ("only you", "on this computer", "nothing you write is
sent anywhere") must not come back in any learner-facing text.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from coursekit import ContentError, config
from coursekit.course import course_info, lesson, support_resources

ROOT = config.assets_dir().parent
UNTRUE = re.compile(r"only you (can|see)|on this computer|readable only by|your account alone|"
                    r"nothing you write is sent anywhere|there at every point", re.I)


def lesson_text(lesson_id: str, *, generated: bool = True) -> str:
    path = next(config.lessons_dir().glob(f"{lesson_id}-*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and (
        generated or not (c.metadata.get("coursekit") or {}).get("generated")))


def test_default_support_list_has_crisis_lines_and_the_date_they_were_checked():
    support = support_resources()
    contacts = " ".join(r["contact"] for r in support["resources"])
    assert "988" in contacts and "116 123" in contacts and "Samaritans" in contacts
    names = [r["name"] for r in support["resources"]]
    for kept in ("Emergency services", "Find a Helpline", "Domestic abuse helplines"):
        assert kept in names
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", support["checked"])
    for lesson_id in ("00", "03", "05"):
        assert f"Numbers last checked on {support['checked']}." in lesson_text(lesson_id)


@pytest.mark.parametrize("value", ["last week", "28/11/2026"])
def test_a_checked_date_that_is_not_a_date_is_refused(kit_copy_support, value):
    path = kit_copy_support
    text = path.read_text(encoding="utf-8").replace('checked: "2026-11-28"', f'checked: "{value}"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="should be the date you checked"):
        support_resources()


@pytest.fixture
def kit_copy_support(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(config.assets_dir(), tmp_path / "assets")
    monkeypatch.setenv("COURSEKIT_ROOT", str(tmp_path))
    return tmp_path / "assets" / "support.yml"


def test_lesson_00_says_who_else_could_read_the_journal_in_every_setting():
    # the table is a generated cell, rendered from coursekit.privacy.SETTINGS
    text = lesson_text("00")
    for setting in ("Your own computer", "shared or family computer", "JupyterHub",
                    "browser edition", "administrators"):
        assert setting in text, setting
    for advice in ("Erase the journal", "Delete any exported copies", "site data",
                   "Browser history", "domestic abuse service", "Skip"):
        assert advice in text, advice


def test_no_untrue_privacy_promise_in_any_learner_facing_text():
    texts = {f"lesson {x}": lesson_text(x) for x in ("00", "01", "02", "03", "04", "05")}
    for name in ("README.md", "assets/questions/00.yml", "assets/lessons/00.yml",
                 "assets/lessons/04.yml", "assets/lessons/05.yml", "facilitator/sessions/00.yml"):
        texts[name] = (ROOT / name).read_text(encoding="utf-8")
    for path in (ROOT / "assets" / "templates").glob("*.j2"):
        texts[path.name] = path.read_text(encoding="utf-8")
    found = {name: m.group(0) for name, text in texts.items() if (m := UNTRUE.search(text))}
    assert not found, f"privacy promises that are untrue on a shared device or a hub: {found}"


def test_a_note_on_the_label_for_people_accused_of_it_and_people_who_fear_it():
    text = lesson_text("00", generated=False)
    assert "If someone has called you a narcissist" in text
    assert "worried that you have these traits" in text
    assert "assessment" in text and "not a diagnosis" in text


def test_content_notes_name_the_graphic_passage_and_childhood_abuse():
    assert "graphic passage" in lesson("01").content_note
    note = lesson("03").content_note
    assert "childhood abuse" in note and "neglect" in note


def test_course_statements_do_not_assume_a_personal_history():
    for statement in course_info()["beliefs"]:
        assert not re.search(r"\b(me|my)\b", statement, re.I), statement
