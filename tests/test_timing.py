"""Lesson lengths measured from word counts at the one stated reading speed."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from coursekit import readings, timing
from coursekit.course import lesson, lessons
from coursekit.errors import ContentError

ROOT = Path(__file__).resolve().parents[1]
TEXTS = Path(os.environ.get("COURSEKIT_READINGS_DIR") or ROOT.parent / "shared" / "readings")


def test_every_lessons_stated_time_covers_its_measure():
    lengths = timing.lesson_lengths()
    assert set(lengths) == {x.id for x in lessons()}
    for length in lengths.values():
        print(f"{length}; {length.other_minutes} min to spare")
        assert length.words_per_minute == 200
        assert length.guide_words > 300, length  # every lesson has a guide to read
        assert length.self_check_words > 300, length  # and a self-check
        assert length.written_answers + length.reflections >= 3, length
        assert length.stated_minutes >= length.measured_minutes, length
    assert timing.problems() == []


def test_activity_allowances_are_stated_once_and_counted_per_prompt():
    assert timing.activity_minutes() == {"written_answer": 4.0, "reflection": 2.5}
    length = timing.lesson_length(lesson("00"))
    # lesson 00: one text prompt (hopes), a rating, a checklist and the course belief ratings
    assert (length.written_answers, length.reflections) == (1, 3)
    assert length.activity_minutes == 4 + 3 * 2.5
    assert length.measured_minutes == math.ceil(length.words / 200 + 11.5)


def test_self_check_questions_and_explanations_are_counted(kit_copy):
    before = timing.lesson_length(lesson("04"))
    path = kit_copy / "assets" / "questions" / "04.yml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    explanation: >-\n") + len("    explanation: >-\n")
    path.write_text(text[:first] + "      " + "extra " * 300 + "\n" + text[first:],
                    encoding="utf-8")
    after = timing.lesson_length(lesson("04"))
    assert after.self_check_words == before.self_check_words + 300
    assert after.words == before.words + 300


def test_an_allowance_that_is_not_minutes_is_refused(kit_copy):
    path = kit_copy / "assets" / "readings.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("written_answer: 4",
                                                             "written_answer: long"),
                    encoding="utf-8")
    with pytest.raises(ContentError, match=r"readings\.yml: activity_minutes\.written_answer.*'long'"):
        timing.activity_minutes()
    path.write_text(path.read_text(encoding="utf-8").replace("written_answer: long",
                                                             "written_answer: 0"),
                    encoding="utf-8")
    with pytest.raises(ContentError, match=r"activity_minutes\.written_answer is 0; give minutes"):
        timing.activity_minutes()


@pytest.mark.skipif(not any(TEXTS.glob("000*")), reason=f"the reading texts are not in {TEXTS}")
def test_stored_word_counts_match_the_texts():
    counts = timing.reading_word_counts()
    for rid, reading in readings.catalogue().items():
        text = readings.load_text(rid, TEXTS)
        if reading.parts:
            for n, part in readings.split_parts(text, reading.parts).items():
                assert counts[(rid, n)] == timing.count_words(part), (rid, n)
        else:
            assert counts[(rid, None)] == timing.count_words(text), rid


def test_words_are_counted_without_markup():
    assert timing.count_words("A [linked phrase](https://example.org/a-b-c) here") == 4
    assert timing.count_words("<kbd>Shift</kbd>+<kbd>Enter</kbd> don't self-check") == 4
    assert timing.count_words("**Bold** _italic_ `code`, 1,200 words") == 6


def test_the_course_map_and_every_header_show_the_measured_time():
    lengths = timing.lesson_lengths()
    start = nbformat.read(ROOT / "lessons" / lesson("00").notebook_name, as_version=4)
    course_map = next(c.source for c in start.cells
                      if (c.metadata.get("coursekit") or {}).get("generated") == "course-map")
    assert "200 words a minute" in course_map
    for x in lessons():
        length = lengths[x.id]
        row = next(line for line in course_map.splitlines() if f"[{x.id} · " in line)
        assert f"| {x.minutes} min | about {length.reading_minutes} min ({length.words:,} words)" \
            in row
        nb = nbformat.read(ROOT / "lessons" / x.notebook_name, as_version=4)
        header = nb.cells[0].source
        assert f"about {length.reading_minutes} of them for reading ({length.words:,} words" \
            in header
        assert f"about {length.activity_minutes:g} for {length.written_answers} written" in header


@pytest.fixture
def kit_copy(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "kit"
    for name in ("assets", "lessons"):
        shutil.copytree(ROOT / name, root / name)
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    return root


def test_a_guide_too_long_for_its_time_is_reported(kit_copy):
    info = lesson("03")
    before = timing.lesson_length(info)
    path = kit_copy / "lessons" / info.notebook_name
    nb = nbformat.read(path, as_version=4)
    extra = before.other_minutes * 200 + 201  # one minute more than the time to spare
    nb.cells.insert(5, nbformat.v4.new_markdown_cell("### Added\n\n" + "word " * extra))
    nbformat.write(nb, path)
    after = timing.lesson_length(info)
    assert after.guide_words == before.guide_words + extra + 1
    assert after.measured_minutes == before.stated_minutes + 1
    (problem,) = timing.problems()
    assert problem.startswith("lesson 03: ") and "assets/lessons/03.yml" in problem
    assert f"state at least {after.measured_minutes} minutes" in problem


def test_generated_cells_count_but_their_numbers_do_not(kit_copy):
    before = timing.lesson_lengths()
    path = kit_copy / "assets" / "support.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["intro"] = data["intro"] + " " + "more " * 500
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    from coursekit import notebooks

    path = kit_copy / "lessons" / lesson("03").notebook_name
    assert notebooks.sync([path]) == [path]  # its Support cell grew by 500 words
    after = timing.lesson_lengths()
    assert after["03"].guide_words == before["03"].guide_words + 500
    assert after["04"] == before["04"]  # not synced, so not changed
    assert notebooks.sync([path]) == []  # one sync settles: the figures it shows are stable


def test_a_bad_speed_or_a_missing_count_names_the_file_and_the_fix(kit_copy):
    path = kit_copy / "assets" / "readings.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reading_speed"]["words_per_minute"] = "fast"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ContentError, match=r"readings\.yml.*words_per_minute.*'fast'.*200"):
        timing.words_per_minute()
    data["reading_speed"]["words_per_minute"] = 200
    del data["readings"][1]["parts"][2]["words"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ContentError, match=r"readings\.yml: 001 part 3 needs words:"):
        timing.reading_words(lesson("03"))
