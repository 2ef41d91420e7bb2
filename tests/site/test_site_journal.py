"""The browser edition's journal pieces that run on CPython too: the privacy wording and
the download, and the store hook's contract with the journal.

What only Pyodide can do (IndexedDB through IDBFS) is shown end to end in
test_site_browser.py.
"""

from __future__ import annotations

import base64
import html
import re

import pytest

from coursekit import browserstore
from coursekit.journal import Journal
from coursekit.widgets import JournalControls


@pytest.fixture
def journal(data_dir):
    j = Journal(data_dir / "journal.db")
    yield j
    j.close()


def _decode(link_html: str) -> tuple[str, str, str]:
    match = re.search(r'download="([^"]+)" href="data:([^;]+);charset=utf-8;base64,([^"]+)"',
                      link_html)
    assert match, link_html
    name, media, data = match.groups()
    return html.unescape(name), media, base64.b64decode(data).decode("utf-8")


def test_controls_in_the_browser_say_where_data_lives_and_offer_a_download(journal,
                                                                          monkeypatch):
    monkeypatch.setattr("coursekit.widgets.controls.in_browser", lambda: True)
    journal.save("00.hopes", "kept here", lesson="00", prompt="P")
    controls = JournalControls(journal=journal)
    assert "this browser profile" in controls.intro.value
    assert "clear site data" in controls.intro.value
    assert str(journal.path) not in controls.intro.value  # no folder a learner cannot open
    name = controls.export("md")
    assert re.fullmatch(r"[\w-]+-\d{8}-\d{6}\.md", name)
    got_name, media, body = _decode(controls.download.value)
    assert got_name == name and media == "text/markdown" and "kept here" in body
    controls.request_erase(None)
    controls.confirm_erase()
    assert controls.links["md"].value == "" and controls.links["md"].layout.display == "none"
    assert journal.latest("00.hopes") is None


def test_controls_on_a_computer_name_the_journal_file(journal):
    controls = JournalControls(journal=journal)
    assert str(journal.path) in html.unescape(controls.intro.value)
    assert "clear site data" not in controls.intro.value


def test_store_hook_is_only_attached_in_the_browser(data_dir):
    assert browserstore.in_browser() is False
    assert Journal.open_default().store is None
    j = Journal(data_dir / "journal.db")
    assert browserstore.attach(j) is j and j.store is None


def test_journal_calls_its_store_at_each_step(journal):
    """The hook's contract: load before the first open, persist after each write, erased."""
    calls = []

    class Recorder:
        def load(self, j):
            calls.append(("load", j.path.exists()))

        def persist(self, j):
            calls.append(("persist", j.latest("00.a") is not None))

        def erased(self, j, everything):
            calls.append(("erased", everything))

    journal.store = Recorder()
    journal.latest("00.a")
    journal.save("00.a", "one", lesson="00", prompt="P")
    journal.record("rating", "00.b", lesson="00", data={"value": 3})
    journal.erase("00")
    journal.erase()
    assert calls[0] == ("load", False)  # before SQLite created the file
    assert calls.count(("load", False)) == 1
    assert ("persist", True) in calls  # after the commit, the row is there
    assert calls[-1] == ("erased", True) and ("erased", False) in calls
    persists = [c for c in calls if c[0] == "persist"]
    assert len(persists) >= 4  # save, record, and each erase's delete
