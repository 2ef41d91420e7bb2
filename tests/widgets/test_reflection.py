"""The free-text reflection, driven from Python as a learner would use it."""

from __future__ import annotations

import time

from coursekit.journal import Journal
from coursekit.privacy import PLACEHOLDER
from coursekit.widgets import Reflection, live


def test_typing_saves_after_a_pause(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=0.2)
    r.type("first thoughts")
    assert r.status_text.startswith("not saved yet") and journal.latest(text_prompt.id) is None
    deadline = time.monotonic() + 5
    while journal.latest(text_prompt.id) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert journal.latest(text_prompt.id).text == "first thoughts"
    assert r.status_text.startswith("saved at ") and "version 1" in r.status_text
    assert not r.dirty


def test_a_burst_of_typing_is_one_save(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=0.3)
    for i in range(1, 20):
        r.type("abcdefghijklmnopqrs"[:i])
    time.sleep(1.0)
    assert len(journal.history(text_prompt.id)) == 1
    assert journal.latest(text_prompt.id).text == "abcdefghijklmnopqrs"


def test_blur_saves_at_once_and_only_when_changed(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    r.type("draft")
    assert r.blur() is True
    assert journal.latest(text_prompt.id).text == "draft"
    r.blur()
    assert len(journal.history(text_prompt.id)) == 1  # nothing new: no new version


def test_setting_value_from_code_saves_like_typing(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    r.value = "set from the kernel"
    assert r.status_text.startswith("not saved yet") and r.dirty
    r.flush()
    assert journal.latest(text_prompt.id).text == "set from the kernel"
    r.box.value = "set on the inner box"
    r.flush()
    assert journal.latest(text_prompt.id).text == "set on the inner box"


def test_latest_answer_restored_in_a_new_kernel(data_dir, text_prompt):
    first = Journal.open_default()
    r = Reflection(text_prompt, journal=first, delay=60)
    r.type("one")
    r.blur()
    r.type("two")
    r.blur()
    first.close()
    again = Reflection(text_prompt, journal=Journal.open_default())
    assert again.value == "two" and "version 2" in again.status_text
    assert not again.dirty


def test_earlier_versions_on_request(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    for text in ("v1 <b>bold?</b>", "v2"):
        r.type(text)
        r.blur()
    assert r.history.value == "" and r.history.layout.display == "none"
    r.show_history()
    assert "Version 2" in r.history.value and "v1 &lt;b&gt;bold?&lt;/b&gt;" in r.history.value
    assert r.history.value.index("Version 2") < r.history.value.index("Version 1")
    r.hide_history()
    assert r.history.value == ""


def test_skip_is_saved_and_respected_on_reopening(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    r.skip()
    assert r.skipped and r.box.layout.display == "none" and "skipped" in r.status_text
    again = Reflection(text_prompt, journal=journal)
    assert again.skipped and again.box.layout.display == "none"
    assert again.unskip_button.layout.display == ""
    again.unskip()
    again.type("answered after all")
    again.blur()
    assert not journal.is_skipped(text_prompt.id)
    assert journal.latest(text_prompt.id).text == "answered after all"


def test_skip_cancels_a_pending_save(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=0.2)
    r.type("not meant to be kept")
    r.skip()
    time.sleep(0.5)
    assert [e.skipped for e in journal.history(text_prompt.id)] == [True]


def test_repr_and_mimebundle_never_show_the_text(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    r.type("MY-PRIVATE-WORDS")
    for obj in (r, r.box):
        assert "MY-PRIVATE-WORDS" not in repr(obj)
        bundle = obj._repr_mimebundle_()
        assert bundle["text/plain"] == PLACEHOLDER
        assert "MY-PRIVATE-WORDS" not in str(bundle)
    assert r in live()


def test_controls_have_labels(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal)
    assert r.box.description and r.box.tooltip == text_prompt.text
    for button in (r.skip_button, r.unskip_button, r.history_button, r.retry_button):
        assert button.description and button.tooltip
    assert "&lt;em&gt;" in r.question.value  # prompt text is escaped, not rendered
    assert 'role="status"' in r.status.value


# -- faults: one sentence, nothing lost ----------------------------------------------

def make_full(journal: Journal) -> None:
    conn = journal._open()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")


def test_full_disk_keeps_the_text_and_saves_once_it_works(journal, text_prompt):
    journal.save("00.other", "x", lesson="00", prompt="P")
    r = Reflection(text_prompt, journal=journal, delay=60)
    make_full(journal)
    big = "important words " * 5000
    r.type(big)
    assert r.blur() is False
    assert r.value == big and r.dirty
    assert r.status_text.startswith("not saved: ") and "full" in r.status_text
    assert "Traceback" not in r.status.value and r.retry_button.layout.display == ""
    assert r.status_text.count(". ") == 0  # one sentence
    journal._open().execute("PRAGMA max_page_count=1073741823")
    r.retry()
    assert journal.latest(text_prompt.id).text == big
    assert r.status_text.startswith("saved at") and r.retry_button.layout.display == "none"


def test_next_edit_retries_after_a_lock(journal, text_prompt, data_dir):
    import sqlite3

    journal.save("00.other", "x", lesson="00", prompt="P")
    slow = Journal(journal.path, timeout=0.1)
    r = Reflection(text_prompt, journal=slow, delay=60)
    other = sqlite3.connect(journal.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    r.type("typed while locked")
    assert r.blur() is False and "locked" in r.status_text
    other.execute("ROLLBACK")
    other.close()
    r.type("typed while locked, and more")  # the next edit tries at once
    assert slow.latest(text_prompt.id).text == "typed while locked, and more"


def test_journal_deleted_while_open(journal, text_prompt):
    r = Reflection(text_prompt, journal=journal, delay=60)
    r.type("before")
    r.blur()
    for p in journal.path.parent.glob("journal.db*"):
        p.unlink()
    r.type("after the file vanished")
    assert r.blur() is True
    assert "disappeared" in r.notice.value
    assert Journal(journal.path).latest(text_prompt.id).text == "after the file vanished"


def test_corrupt_journal_on_open_shows_notice(data_dir, text_prompt):
    (data_dir / "journal.db").write_bytes(b"garbage" * 500)
    r = Reflection(text_prompt, journal=Journal.open_default())
    assert "could not be read" in r.notice.value and "broken-" in r.notice.value
    r.type("fresh start")
    assert r.blur()


def test_unexpected_error_is_one_sentence(journal, text_prompt, monkeypatch):
    r = Reflection(text_prompt, journal=journal, delay=60)

    def boom(*_a, **_k):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(journal, "save", boom)
    r.type("kept")
    assert r.blur() is False and "internal detail" not in r.status.value
    assert r.value == "kept" and "still here" in r.status_text


def test_shutdown_flush_saves_pending_text(journal, text_prompt):
    from coursekit.widgets import flush_all

    r = Reflection(text_prompt, journal=journal, delay=60)
    r.type("typed just before the kernel stopped")
    flush_all()
    assert journal.latest(text_prompt.id).text == "typed just before the kernel stopped"


# -- the front-end gate: a learner's words go only to a browser that answered ---------------

def test_words_wait_for_a_browser(journal, text_prompt, monkeypatch):
    from coursekit.widgets import _base

    monkeypatch.setitem(_base._FRONT_END, "seen", False)
    journal.save(text_prompt.id, "restored words", lesson="01", prompt="P")
    r = Reflection(text_prompt, journal=journal, delay=60)
    assert r.value == "restored words"  # the kernel has them: saving works as before
    sent = []
    monkeypatch.setattr(type(r.box), "_send", lambda self, msg, buffers=None: sent.append(msg))
    assert r.box.get_state()["value"] == ""
    r.type("typed by a script")
    assert all("typed by a script" not in repr(m) for m in sent), sent
    r.show_history()
    assert r.history.get_state()["value"] == ""
    assert r.blur() and journal.latest(text_prompt.id).text == "typed by a script"
    # A browser's widget manager answers the probe (the link copies min_width to max_width).
    probe = _base._PROBE
    assert probe is not None and _base._PROBE_LINK is not None
    probe.max_width = None  # as new (an earlier test may have answered it)
    probe.set_state({"max_width": probe.min_width})
    assert _base.front_end_seen()
    assert r.box.get_state()["value"] == "typed by a script"
    assert any(m.get("state", {}).get("value") == "typed by a script" for m in sent), sent


def test_the_probe_ignores_other_values(monkeypatch):
    from coursekit.widgets import _base

    monkeypatch.setitem(_base._FRONT_END, "seen", False)
    _base._on_probe({"new": "0px"})
    assert not _base.front_end_seen()


def test_a_new_box_for_the_same_prompt_shows_words_still_waiting_to_save(journal, text_prompt):
    """A reload then Run All makes a new box while the old page's box (alive in the same
    kernel) still waits for its autosave: the new box shows the learner's last words."""
    old = Reflection(text_prompt, journal=journal, delay=60)
    old.type("words typed just before a reload")
    assert journal.latest(text_prompt.id) is None  # still waiting for the pause
    new = Reflection(text_prompt, journal=journal, delay=60)
    assert new.box.value == "words typed just before a reload"
    assert journal.latest(text_prompt.id).text == "words typed just before a reload"
