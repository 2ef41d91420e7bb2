"""`coursekit journal`: show, history, export, erase (with confirmation)."""

from __future__ import annotations

import stat

from click.testing import CliRunner

from coursekit.cli import main
from coursekit.journal import Journal


def seed():
    j = Journal.open_default()
    j.save("00.hopes", "hoping <script>x</script>", lesson="00", prompt="What do you hope?")
    j.save("00.hopes", "second thoughts", lesson="00", prompt="What do you hope?")
    j.save("01.which-kind", "lesson one <script>x</script>", lesson="01", prompt="Which kind?")
    j.record("rating", "00.pace", lesson="00", data={"value": 4})
    j.close()


def test_show_lists_prompts_without_their_text(data_dir):
    seed()
    result = CliRunner().invoke(main, ["journal", "show"])
    assert result.exit_code == 0, result.output
    assert "00.hopes: version 2, 15 characters" in result.output
    assert "second thoughts" not in result.output and "1 rating result(s)" in result.output


def test_history_prints_every_version(data_dir):
    seed()
    result = CliRunner().invoke(main, ["journal", "history", "00.hopes"])
    assert result.exit_code == 0
    assert result.output.index("hoping <script>") < result.output.index("second thoughts")
    missing = CliRunner().invoke(main, ["journal", "history", "09.none"])
    assert missing.exit_code != 0 and "coursekit journal show" in missing.output


def test_export_both_formats(data_dir, tmp_path, monkeypatch):
    seed()
    out = tmp_path / "mine.html"
    result = CliRunner().invoke(main, ["journal", "export", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "lesson one &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert page.index("Lesson 00") < page.index("Lesson 01")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # Without -o: the current folder, a visible place the learner chose to be in.
    mine = tmp_path / "my-documents"
    mine.mkdir()
    monkeypatch.chdir(mine)
    result = CliRunner().invoke(main, ["journal", "export"])
    assert result.exit_code == 0, result.output
    md = next(mine.glob("coursekit-journal-*.md"))
    assert md.name in result.output and "second thoughts" in md.read_text()
    # A folder given with -o gets a file named by the kit.
    result = CliRunner().invoke(main, ["journal", "export", "-o", str(mine)])
    assert result.exit_code == 0 and len(list(mine.glob("coursekit-journal-*.md"))) >= 1


def test_export_refuses_lesson_and_assignment_folders(data_dir, tmp_path):
    from coursekit import config

    seed()
    assignment = tmp_path / "course" / "ps1"
    assignment.mkdir(parents=True)
    (assignment / "ps1.ipynb").write_text("{}")
    course = tmp_path / "nbgrader-course"
    (course / "submitted").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    for folder, why in ((assignment, "holds notebooks"),
                        (course / "submitted", "inside an nbgrader course"),
                        (config.lessons_dir(), "lessons folder")):
        target = folder / "my-journal.html"
        result = CliRunner().invoke(main, ["journal", "export", "--format", "html",
                                           "-o", str(target)])
        assert result.exit_code == 1, result.output
        assert why in result.output and "Not exported" in result.output
        assert "-o ~/Documents" in result.output and "Traceback" not in result.output
        assert not target.exists()


def test_export_of_a_corrupted_journal_fails_and_names_the_moved_file(data_dir, tmp_path):
    from coursekit import config

    config.data_dir().mkdir(parents=True)
    (config.data_dir() / "journal.db").write_bytes(b"garbage" * 500)
    out = tmp_path / "mine.md"
    result = CliRunner().invoke(main, ["journal", "export", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "moved to" in result.output and "journal.db.broken-" in result.output
    assert "Nothing was exported" in result.output
    assert not out.exists()
    broken = list(config.data_dir().glob("journal.db.broken-*"))
    assert len(broken) == 1 and broken[0].read_bytes() == b"garbage" * 500  # nothing lost


def test_erase_everything_removes_the_kits_exports_and_names_what_remains(data_dir, tmp_path):
    seed()
    keep = tmp_path / "kept"
    keep.mkdir()
    first = keep / "a.md"
    second = keep / "b.html"
    assert CliRunner().invoke(main, ["journal", "export", "-o", str(first)]).exit_code == 0
    assert CliRunner().invoke(main, ["journal", "export", "--format", "html",
                                     "-o", str(second)]).exit_code == 0
    second.write_text(second.read_text() + "<!-- my own notes -->")  # edited: it is theirs
    result = CliRunner().invoke(main, ["journal", "erase", "--yes"])
    assert result.exit_code == 0, result.output
    assert not first.exists() and str(first) in result.output
    assert second.exists() and f"Still there: {second}" in result.output
    assert "downloads folder" in result.output


def test_erase_asks_first(data_dir):
    seed()
    refused = CliRunner().invoke(main, ["journal", "erase"], input="n\n")
    assert refused.exit_code != 0 and Journal.open_default().latest("00.hopes") is not None
    one = CliRunner().invoke(main, ["journal", "erase", "--lesson", "01"], input="y\n")
    assert one.exit_code == 0 and "lesson 01" in one.output
    j = Journal.open_default()
    assert j.latest("01.which-kind") is None and j.latest("00.hopes") is not None
    everything = CliRunner().invoke(main, ["journal", "erase", "--yes"])
    assert everything.exit_code == 0 and Journal.open_default().latest_entries() == []


def test_unusable_journal_is_a_clear_error(data_dir, monkeypatch):
    blocker = data_dir / "file"
    blocker.write_text("x")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(blocker / "inside"))
    result = CliRunner().invoke(main, ["journal", "show"])
    assert result.exit_code == 1 and "COURSEKIT_DATA_DIR" in result.output
    assert "Traceback" not in result.output
