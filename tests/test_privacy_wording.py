"""Privacy wording comes from one place (coursekit.privacy) and is true in each setting.

The journal widget, lesson 00's table, the browser edition's about page and the session
scripts all say what ``coursekit.privacy.SETTINGS`` says for the setting they are in; none
promises that no one else can read the journal.
"""

from __future__ import annotations

import re

import pytest

from coursekit import config, privacy
from coursekit.errors import ConfigError

ROOT = config.assets_dir().parent
#: Promises that are untrue in at least one setting.
UNTRUE = re.compile(r"only on this computer|stays on the learner's own computer|(?<!\")no one else "
                    r"(?:\([^)]*\) )?can (?:see|read|open)|only you|reflections in the notebooks|"
                    r"nobody else can|never leaves (?:this|your)|(?:is|are) private\b", re.I)


@pytest.mark.parametrize("env, expected", [
    ({}, "own-computer"),
    ({"JUPYTERHUB_USER": "ada"}, "jupyterhub"),
    ({"COURSEKIT_SETTING": "shared-computer"}, "shared-computer"),
    ({"COURSEKIT_SETTING": "browser"}, "browser"),
])
def test_the_setting_is_found(monkeypatch, env, expected):
    for name in ("JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN", "COURSEKIT_SETTING"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert privacy.setting() == expected


def test_an_unknown_setting_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv("COURSEKIT_SETTING", "laptop")
    with pytest.raises(ConfigError, match=r"'laptop'.*own-computer, shared-computer"):
        privacy.setting()


@pytest.mark.parametrize("setting, says", [
    ("own-computer", ["your account's data folder", "administrator rights", "backup"]),
    ("shared-computer", ["anyone else who uses that account", "manages the computer"]),
    ("jupyterhub", ["on the server", "administrators", "log in as you"]),
    ("browser", ["this browser profile", "same browser profile", "site data"]),
])
def test_each_setting_says_where_the_journal_is_and_who_else_could_read_it(setting, says):
    sentence = privacy.journal_sentence(setting, path="/data/journal.sqlite")
    for words in says:
        assert words in sentence, (setting, words)
    assert privacy.NEVER_COLLECTED in sentence
    assert not UNTRUE.search(sentence), sentence
    assert ("/data/journal.sqlite" in sentence) == (setting != "browser")


def test_the_journal_widget_uses_the_wording_of_its_setting(monkeypatch):
    from coursekit.journal import Journal
    from coursekit.widgets.controls import JournalControls

    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    journal = Journal.open_default()
    try:
        text = JournalControls(journal=journal).intro.value
    finally:
        journal.close()
    assert "on the server" in text and "administrators" in text
    assert not UNTRUE.search(text), text


def test_lesson_00_table_is_rendered_from_the_settings():
    import nbformat

    path = next(config.lessons_dir().glob("00-*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells
                if (c.metadata.get("coursekit") or {}).get("generated") == "journal-settings")
    assert cell.source.strip() == privacy.settings_table()
    for name, _kept, who in privacy.SETTINGS.values():
        assert name in cell.source and who in cell.source


def test_the_browser_editions_about_page_says_what_the_browser_setting_says():
    about = (ROOT / "site" / "files" / "about-this-edition.md").read_text(encoding="utf-8")
    flat = " ".join(about.split())
    _name, kept, who = privacy.SETTINGS["browser"]
    assert kept in flat and who in flat
    assert not UNTRUE.search(flat)


def test_no_script_page_or_agreement_makes_an_untrue_promise():
    files = [*sorted((ROOT / "facilitator" / "sessions").glob("*.yml")),
             ROOT / "facilitator" / "safety-protocol.md",
             ROOT / "site" / "files" / "about-this-edition.md",
             ROOT / "facilitator" / "README.md", ROOT / "README.md",
             *sorted((ROOT / "site" / "files").glob("*.md")),
             *sorted((ROOT / "assets" / "lessons").glob("*.yml")),
             *sorted((ROOT / "src" / "coursekit" / "widgets").glob("*.py")),
             ROOT / "src" / "coursekit" / "selfcheck.py",
             ROOT / "src" / "coursekit" / "journal.py",
             ROOT / "src" / "coursekit" / "journaltext.py"]
    found = {str(p.relative_to(ROOT)): m.group(0) for p in files
             if (m := UNTRUE.search(" ".join(p.read_text(encoding="utf-8").split())))}
    assert not found, found


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_an_exported_journal_does_not_call_itself_private(tmp_path, kind):
    """An export is a file the learner may move, sync or share: it says what it holds and
    that anyone who can open the file can read it, not that it is private."""
    from coursekit.journal import Journal

    journal = Journal(tmp_path / "journal.sqlite")
    journal.save("p1", "a few words", lesson="01")
    text = journal.export_markdown() if kind == "markdown" else journal.export_html()
    flat = " ".join(text.split())
    assert not UNTRUE.search(flat), UNTRUE.search(flat)
    assert "anyone who can open this file can read it" in flat
