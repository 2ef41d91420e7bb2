"""The private journal: versions, skips, records, erase, export, permissions and faults."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coursekit import config
from coursekit.errors import JournalCorrupted, JournalError, JournalUnavailable
from coursekit.journal import FILENAME, Journal


@pytest.fixture
def journal(data_dir: Path) -> Journal:
    j = Journal.open_default()
    yield j
    j.close()


def files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_open_default_lives_in_the_kits_own_folder(data_dir):
    j = Journal.open_default()
    assert j.path == config.data_dir() / FILENAME == data_dir / "coursekit" / FILENAME
    assert config.data_root() == data_dir
    assert not j.path.exists()  # lazy: opening a lesson creates nothing until a save
    j.save("00.hopes", "x", lesson="00", prompt="Q")
    assert j.path.is_file()
    assert stat.S_IMODE(j.path.parent.stat().st_mode) == 0o700


def test_the_folder_named_by_the_learner_keeps_its_mode(data_dir, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(shared))
    Journal.open_default().save("00.hopes", "x", lesson="00", prompt="Q")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o775  # others are not locked out
    assert stat.S_IMODE((shared / "coursekit").stat().st_mode) == 0o700


def test_a_journal_from_an_earlier_version_is_still_used(data_dir):
    legacy = Journal(data_dir / FILENAME)
    legacy.save("00.hopes", "kept from before", lesson="00", prompt="Q")
    legacy.close()
    j = Journal.open_default()
    assert j.path == data_dir / FILENAME
    assert j.latest("00.hopes").text == "kept from before"


def test_a_data_folder_that_is_a_file_says_so(data_dir, monkeypatch):
    blocker = data_dir / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(blocker))
    with pytest.raises(JournalUnavailable) as caught:
        Journal.open_default().save("00.a", "x", lesson="00", prompt="P")
    message = str(caught.value)
    assert f"{blocker} is a file, not a folder" in message
    assert "COURSEKIT_DATA_DIR" in message and "disk space" not in message
    assert blocker.read_text() == "not a folder"  # nothing lost
    # The kit's own folder name taken by a file: the same kind of sentence.
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(data_dir))
    (data_dir / "coursekit").write_text("mine")
    with pytest.raises(JournalUnavailable, match=r"coursekit is a file, not a folder"):
        Journal.open_default().save("00.a", "x", lesson="00", prompt="P")


def test_a_full_disk_while_creating_the_folder_says_free_space(data_dir, monkeypatch):
    import errno as _errno
    from pathlib import Path as _Path

    real = _Path.mkdir

    def full(self, *args, **kwargs):
        if self.name == "coursekit":
            raise OSError(_errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(_Path, "mkdir", full)
    with pytest.raises(JournalUnavailable, match="free some disk space"):
        Journal.open_default().save("00.a", "x", lesson="00", prompt="P")


def test_every_save_is_a_new_version(journal):
    first = journal.save("01.a", "first", lesson="01", prompt="Prompt A")
    second = journal.save("01.a", "second", lesson="01", prompt="Prompt A")
    journal.save("01.b", "other prompt", lesson="01", prompt="Prompt B")
    assert (first.version, second.version) == (1, 2)
    assert second.saved_at >= first.saved_at
    latest = journal.latest("01.a")
    assert (latest.text, latest.version, latest.prompt, latest.lesson) == (
        "second", 2, "Prompt A", "01")
    assert [e.text for e in journal.history("01.a")] == ["first", "second"]
    assert [e.version for e in journal.history("01.a")] == [1, 2]
    assert journal.latest("01.missing") is None
    assert journal.history("01.missing") == []


def test_reopening_in_a_new_process_reads_the_latest(journal, data_dir):
    journal.save("01.a", "kept", lesson="01", prompt="P")
    journal.close()
    again = Journal(config.data_dir() / FILENAME)
    assert again.latest("01.a").text == "kept"


def test_skip_is_a_version_and_is_respected(journal):
    journal.save("01.a", "draft", lesson="01", prompt="P")
    journal.skip("01.a", lesson="01", prompt="P")
    assert journal.is_skipped("01.a")
    assert journal.latest("01.a").skipped and journal.latest("01.a").text == ""
    assert journal.latest_answer("01.a").text == "draft"
    journal.save("01.a", "answered after all", lesson="01", prompt="P")
    assert not journal.is_skipped("01.a")


def test_repr_never_shows_the_words(journal):
    entry = journal.save("01.a", "my secret words", lesson="01", prompt="P")
    rec = journal.record("rating", "01.r", lesson="01", data={"value": 2, "note": "secret"})
    assert "secret" not in repr(entry) and "secret" not in repr(rec)
    assert "15 characters" in repr(entry)


def test_records_filter_and_latest(journal):
    journal.record("selfcheck", "01.three-kinds", lesson="01",
                   data={"correct": False, "attempts": 1})
    journal.record("selfcheck", "01.three-kinds", lesson="01",
                   data={"correct": True, "attempts": 2})
    journal.record("visit", "02", lesson="02", data={})
    assert len(journal.records()) == 3
    assert [r.data["attempts"] for r in journal.records("selfcheck")] == [1, 2]
    assert [r.kind for r in journal.records(lesson="02")] == ["visit"]
    assert journal.latest_record("selfcheck", "01.three-kinds").data["correct"] is True
    assert journal.latest_record("selfcheck", "nope") is None
    with pytest.raises(JournalError, match="JSON"):
        journal.record("x", "k", lesson="01", data={"bad": object()})


def test_erase_one_lesson_then_everything_leaves_no_trace(journal, data_dir):
    journal.save("01.a", "ERASE-ME-01 words", lesson="01", prompt="P")
    journal.save("02.a", "KEEP-ME-02 words", lesson="02", prompt="P")
    journal.record("rating", "01.r", lesson="01", data={"value": 3})
    assert journal.erase("01") == 2
    assert journal.latest("01.a") is None and journal.records(lesson="01") == []
    assert journal.latest("02.a").text == "KEEP-ME-02 words"
    assert b"ERASE-ME-01" not in files_bytes(data_dir)
    journal.erase()
    assert journal.latest_entries() == [] and journal.records() == []
    assert b"KEEP-ME-02" not in files_bytes(data_dir)


def test_owner_only_permissions(data_dir):
    folder = data_dir / "private"
    j = Journal(folder / FILENAME)
    j.save("00.a", "x", lesson="00", prompt="P")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.glob(f"{FILENAME}*"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    # A folder the journal did not create is used as it is; the files are private anyway.
    loose = data_dir / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    Journal(loose / FILENAME).save("00.a", "x", lesson="00", prompt="P")
    assert stat.S_IMODE(loose.stat().st_mode) == 0o755
    for p in loose.glob(f"{FILENAME}*"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_wal_and_full_sync(journal):
    journal.save("00.a", "x", lesson="00", prompt="P")
    conn = journal._open()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.answers: list[str] = []
        self._in_answer = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_answer = ("class", "answer") in attrs
        if self._in_answer:
            self.answers.append("")

    def handle_endtag(self, tag):
        self._in_answer = False

    def handle_data(self, data):
        if self._in_answer:
            self.answers[-1] += data


def test_exports_group_by_lesson_with_prompt_text(journal):
    journal.save("00.hopes", "To understand", lesson="00", prompt="What do you hope?")
    journal.save("01.a", "<script>alert('x')</script> & more", lesson="01",
                 prompt="Prompt with <b>tags</b>")
    journal.skip("01.b", lesson="01", prompt="A skipped prompt")
    journal.record("checklist", "00.care-plan", lesson="00",
                   data={"prompt": "Care plan", "items": ["Rest", "Call"], "checked": ["Rest"]})
    journal.record("visit", "00", lesson="00", data={})
    md = journal.export_markdown()
    assert md.index("## Lesson 00 · Start here") < md.index("What do you hope?") < md.index(
        "## Lesson 01") < md.index("<script>alert('x')</script> & more")
    assert "~~~text\nTo understand\n~~~" in md
    assert "(skipped)" in md and "[x] Rest" in md and "[ ] Call" in md
    page = journal.export_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Prompt with &lt;b&gt;tags&lt;/b&gt;" in page
    assert "Content-Security-Policy" in page
    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert parser.answers == ["To understand", "<script>alert('x')</script> & more"]


def test_markdown_fence_outlasts_tildes_in_the_text(journal):
    journal.save("00.a", "~~~\nnot the end\n~~~~", lesson="00", prompt="P")
    md = journal.export_markdown()
    assert "~~~~~text\n~~~\nnot the end\n~~~~\n~~~~~" in md


def test_empty_journal_exports(journal):
    assert "(The journal is empty.)" in journal.export_markdown()
    assert "(The journal is empty.)" in journal.export_html()


# -- faults ---------------------------------------------------------------------------

def test_corrupted_file_is_moved_aside_and_a_new_journal_started(data_dir):
    path = data_dir / FILENAME
    junk = b"this is not a database, but it might be a learner's only copy" * 100
    path.write_bytes(junk)
    j = Journal(path)
    j.save("00.a", "after the fault", lesson="00", prompt="P")
    broken = j.broken_files()
    assert len(broken) == 1 and broken[0].read_bytes() == junk  # never deleted
    assert broken[0].name.startswith(f"{FILENAME}.broken-")
    assert str(broken[0]) in j.notice and str(path) in j.notice
    assert j.latest("00.a").text == "after the fault"


def test_corruption_found_while_open_recovers_and_keeps_the_save(data_dir):
    path = data_dir / FILENAME
    j = Journal(path)
    j.save("00.a", "before", lesson="00", prompt="P")
    j.close()
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        side.unlink(missing_ok=True)
    with open(path, "r+b") as f:  # wreck the header and the first pages
        f.write(b"\xff" * 4096)
    j.save("00.a", "after", lesson="00", prompt="P")
    assert j.latest("00.a").text == "after"
    assert len(j.broken_files()) == 1 and "moved to" in j.notice


def test_locked_by_another_process_says_so(data_dir):
    path = data_dir / FILENAME
    Journal(path).save("00.a", "x", lesson="00", prompt="P")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        j = Journal(path, timeout=0.2)
        with pytest.raises(JournalUnavailable, match="locked by another program"):
            j.save("00.a", "y", lesson="00", prompt="P")
    finally:
        other.execute("ROLLBACK")
        other.close()
    j.save("00.a", "y", lesson="00", prompt="P")  # works once the lock is gone
    assert j.latest("00.a").text == "y"


def test_read_only_journal_says_what_to_do(journal):
    journal.save("00.a", "x", lesson="00", prompt="P")
    journal._open().execute("PRAGMA query_only=ON")  # SQLite's read-only refusal
    with pytest.raises(JournalUnavailable, match="read-only; make the file"):
        journal.save("00.a", "y", lesson="00", prompt="P")
    journal._open().execute("PRAGMA query_only=OFF")
    assert journal.save("00.a", "y", lesson="00", prompt="P").version == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_folder_says_what_to_do(data_dir):
    folder = data_dir / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(JournalUnavailable, match="COURSEKIT_DATA_DIR"):
            Journal(folder / FILENAME).save("00.a", "x", lesson="00", prompt="P")
    finally:
        folder.chmod(0o700)


def test_full_disk_says_what_to_do(journal):
    journal.save("00.a", "x", lesson="00", prompt="P")
    conn = journal._open()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages}")
    with pytest.raises(JournalUnavailable, match="full; free some space"):
        journal.save("00.a", "y" * 100_000, lesson="00", prompt="P")
    assert journal.latest("00.a").text == "x"


def test_folder_that_cannot_exist(data_dir):
    blocker = data_dir / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(JournalUnavailable, match=r"a-file is a file, not a folder.*COURSEKIT"):
        Journal(blocker / FILENAME).save("00.a", "x", lesson="00", prompt="P")


def test_file_deleted_while_open_starts_again_and_saves(journal):
    journal.save("00.a", "before", lesson="00", prompt="P")
    for p in journal.path.parent.glob(f"{FILENAME}*"):
        p.unlink()
    journal.save("00.a", "after deletion", lesson="00", prompt="P")
    assert journal.path.exists()
    assert "disappeared" in journal.notice
    fresh = Journal(journal.path)
    assert fresh.latest("00.a").text == "after deletion"


def test_move_aside_that_fails_raises_corrupted(data_dir, monkeypatch):
    path = data_dir / FILENAME
    path.write_bytes(b"junk" * 1000)

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(JournalCorrupted, match="move it aside yourself") as info:
        Journal(path).latest("00.a")
    assert info.value.fresh == path and path.read_bytes() == b"junk" * 1000


def test_non_text_is_refused(journal):
    with pytest.raises(TypeError):
        journal.save("00.a", b"bytes", lesson="00", prompt="P")
    with pytest.raises(JournalError, match="not valid Unicode"):
        journal.save("00.a", "bad \udc80 surrogate", lesson="00", prompt="P")


def test_timestamps_are_aware_and_ordered(journal):
    a = journal.save("00.a", "1", lesson="00", prompt="P")
    time.sleep(0.002)
    b = journal.save("00.a", "2", lesson="00", prompt="P")
    assert a.saved_at.tzinfo is not None and b.saved_at > a.saved_at


def test_journal_imports_nothing_from_jupyter():
    import subprocess
    import sys

    code = ("import sys, coursekit.journal, coursekit.cli; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('ipywidgets', 'IPython', 'ipykernel', 'jupyter_client', 'matplotlib', 'comm')); "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
