"""The reading loader: the facilitator's full texts, and clear messages when they are not right."""

from __future__ import annotations

import pytest

from coursekit import ReadingError, config, readings
from coursekit.course import lessons
from coursekit.widgets.reading import reading_panel


def test_not_installed_says_how_to_add(monkeypatch):
    monkeypatch.delenv(config.READINGS_DIR_ENV, raising=False)
    with pytest.raises(ReadingError, match="COURSEKIT_READINGS_DIR"):
        readings.load_text("000")


def test_folder_that_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(config.READINGS_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ReadingError, match="not a folder"):
        readings.load_text("000")


def test_missing_file_names_the_reading_and_the_fix(tmp_path):
    with pytest.raises(ReadingError, match=r"reading 002 is not in .*002_<name>\.txt"):
        readings.load_text("002", tmp_path)


def test_empty_file(tmp_path):
    (tmp_path / "000_talk.txt").write_text("  \n\n")
    with pytest.raises(ReadingError, match="is empty"):
        readings.load_text("000", tmp_path)


def test_undecodable_file(tmp_path):
    (tmp_path / "000_talk.txt").write_bytes(b"caf\xe9 latin-1 text")
    with pytest.raises(ReadingError, match=r"not UTF-8 .* save it again as UTF-8"):
        readings.load_text("000", tmp_path)


def test_plain_id_name_and_bom(tmp_path):
    (tmp_path / "002.txt").write_bytes("\ufeffHello".encode())
    assert readings.load_text("002", tmp_path) == "Hello"


def test_split_parts_finds_each_title(tmp_path):
    parts = readings.catalogue()["001"].parts
    body = "\n".join(f"{p['title']}\nbody of part {p['number']}\n" for p in parts)
    (tmp_path / "001_x.txt").write_text(body)
    text = readings.lesson_text("001", (3, 5), tmp_path)
    assert "body of part 3" in text and "body of part 5" in text
    assert "body of part 4" not in text and "body of part 1" not in text


def test_missing_part_title_is_reported(tmp_path):
    (tmp_path / "001_x.txt").write_text("nothing here")
    with pytest.raises(ReadingError, match="part 1"):
        readings.lesson_text("001", (1,), tmp_path)


def test_panel_without_readings_still_renders():
    info = next(x for x in lessons() if x.reading)
    panel = reading_panel(info)
    assert panel.installed is False
    assert "not installed" in panel.children[0].value
    assert panel.selected_index is None


# -- with the real readings, when a facilitator has them -------------------------------
def test_every_reading_lesson_finds_its_text(shared_readings):
    reading_lessons = [x for x in lessons() if x.reading]
    assert reading_lessons
    for info in reading_lessons:
        text = readings.lesson_text(info.reading, info.reading_parts, shared_readings)
        assert len(text.split()) > 300, f"lesson {info.id} found only {len(text.split())} words"


def test_collection_splits_into_five_parts(shared_readings):
    text = readings.load_text("001", shared_readings)
    parts = readings.split_parts(text, readings.catalogue()["001"].parts)
    assert sorted(parts) == [1, 2, 3, 4, 5]
    assert sum(len(p) for p in parts.values()) >= 0.95 * len(text.strip())
    assert "Kim Saeed" in parts[2]


def test_panel_with_readings_shows_escaped_text(shared_readings, monkeypatch):
    monkeypatch.setenv(config.READINGS_DIR_ENV, str(shared_readings))
    info = next(x for x in lessons() if x.reading == "000")
    panel = reading_panel(info)
    assert panel.installed is True
    assert "<script" not in panel.children[0].value.lower()
    assert repr(panel) == "ReadingPanel('000', installed=True)"
