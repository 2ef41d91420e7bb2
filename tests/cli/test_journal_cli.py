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


def test_export_both_formats(data_dir, tmp_path):
    seed()
    out = tmp_path / "mine.html"
    result = CliRunner().invoke(main, ["journal", "export", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "lesson one &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert page.index("Lesson 00") < page.index("Lesson 01")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    result = CliRunner().invoke(main, ["journal", "export"])
    md = next((data_dir / "exports").glob("journal-*.md"))
    assert str(md) in result.output and "second thoughts" in md.read_text()


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
