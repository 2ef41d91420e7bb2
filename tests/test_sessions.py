"""Session plans: every plan complete, every session adds up to its length, in every format."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from coursekit import sessions
from coursekit.cli import main
from coursekit.course import lessons
from coursekit.errors import SessionPlanError

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "facilitator" / "sessions"
FORMAT_IDS = [f.id for f in sessions.formats(PLANS)]


def test_the_three_formats_are_defined():
    by_id = {f.id: f for f in sessions.formats()}
    assert set(by_id) == {"workshop", "series", "classroom"}
    assert (by_id["workshop"].sessions, by_id["workshop"].session_minutes) == (1, 180)
    assert (by_id["series"].sessions, by_id["series"].session_minutes) == (5, 90)


def test_every_lesson_has_a_complete_plan_in_every_format():
    plans = {p.lesson: p for p in sessions.plans()}
    assert set(plans) == {x.id for x in lessons()}
    for p in plans.values():
        for part in ("objectives", "teaching_points", "pairs", "small_groups", "activities",
                     "likely_questions", "misconceptions", "sensitive_moments"):
            assert getattr(p, part), f"{p.lesson}: {part} is empty"
        assert p.check_in and p.comprehension_check
        assert p.grounding.name and p.grounding.steps
        assert set(p.slots) == set(FORMAT_IDS), p.lesson


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_each_plan_and_each_session_adds_up(format_id):
    fmt = sessions.get_format(format_id)
    for p in sessions.plans():
        slot = p.slot(format_id)
        assert sum(s.minutes for s in slot.segments) == slot.minutes, (p.lesson, format_id)
    found = sessions.sessions(format_id)
    assert len(found) == fmt.sessions
    for s in found:
        assert s.minutes == fmt.session_minutes, (format_id, s.number)
        kinds = [seg.kind for seg in s.segments]
        assert "check-in" in kinds[:2], (format_id, s.number)
        assert kinds[-1] == "grounding", (format_id, s.number)
        assert "comprehension-check" in kinds


def test_every_lesson_is_taught_once_per_format():
    ids = [x.id for x in lessons()]
    for format_id in FORMAT_IDS:
        taught = [lid for s in sessions.sessions(format_id) for lid in s.lessons]
        assert taught == ids, format_id


def test_series_folds_lesson_00_into_session_1():
    first = sessions.sessions("series")[0]
    assert first.lessons == ("00", "01")
    assert first.check_in == sessions.plan("00").check_in
    assert first.grounding == sessions.plan("01").grounding


def test_timetable_starts_each_segment_where_the_last_ended():
    s = sessions.sessions("workshop")[0]
    rows = s.timetable()
    assert rows[0][0] == 0
    for (start, seg), (next_start, _) in itertools.pairwise(rows):
        assert next_start == start + seg.minutes
    assert rows[-1][0] + rows[-1][1].minutes == 180


def test_check_finds_no_problem_in_the_kit():
    assert sessions.check() == []


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    folder = tmp_path / "sessions"
    shutil.copytree(PLANS, folder)
    return folder


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_check_reports_a_segment_sum_that_misses_the_declared_minutes(plan_copy):
    def longer(data):
        data["formats"]["series"]["segments"][1]["minutes"] += 5

    _edit(plan_copy / "02.yml", longer)
    problems = sessions.check(plan_copy)
    assert any("02.yml" in p and "series" in p and "95" in p for p in problems), problems


def test_check_reports_a_session_that_misses_its_length(plan_copy):
    def longer(data):
        data["formats"]["workshop"]["segments"][0]["minutes"] += 5
        data["formats"]["workshop"]["minutes"] += 5

    _edit(plan_copy / "03.yml", longer)
    problems = sessions.check(plan_copy)
    assert problems == ["workshop session 1 (lessons 00, 01, 02, 03, 04, 05): segments add up "
                        "to 185 minutes, not the 180 a workshop session lasts"]


def test_check_reports_a_session_without_grounding(plan_copy):
    def no_grounding(data):
        segs = data["formats"]["series"]["segments"]
        segs[-1]["kind"] = "activity"

    _edit(plan_copy / "04.yml", no_grounding)
    assert any("series session 4" in p and "grounding" in p
               for p in sessions.check(plan_copy))


def test_check_reports_a_lesson_without_a_plan(plan_copy):
    (plan_copy / "05.yml").unlink()
    problems = sessions.check(plan_copy)
    assert any("lesson 05 has no session plan" in p for p in problems), problems


@pytest.mark.parametrize("part", sessions.REQUIRED_PARTS)
def test_a_missing_part_is_an_error_naming_file_and_part(plan_copy, part):
    _edit(plan_copy / "01.yml", lambda data: data.pop(part))
    with pytest.raises(SessionPlanError, match=rf"01\.yml.*{part}"):
        sessions.load_plan_file(plan_copy / "01.yml")


def test_an_unknown_segment_kind_is_an_error(plan_copy):
    def odd(data):
        data["formats"]["classroom"]["segments"][0]["kind"] = "lecture"

    _edit(plan_copy / "02.yml", odd)
    with pytest.raises(SessionPlanError, match=r"02\.yml: formats\.classroom: segment 1.*"
                                               r"'lecture' is not one of"):
        sessions.load_plan_file(plan_copy / "02.yml")


def test_minutes_must_be_a_positive_whole_number(plan_copy):
    _edit(plan_copy / "02.yml",
          lambda d: d["formats"]["series"]["segments"][0].update(minutes="ten"))
    with pytest.raises(SessionPlanError, match=r"minutes.*should be a whole number, not text"):
        sessions.load_plan_file(plan_copy / "02.yml")
    _edit(plan_copy / "02.yml",
          lambda d: d["formats"]["series"]["segments"][0].update(minutes=0))
    with pytest.raises(SessionPlanError, match="above 0"):
        sessions.load_plan_file(plan_copy / "02.yml")


def test_plan_for_an_unknown_lesson_names_the_fix():
    with pytest.raises(SessionPlanError, match=r"facilitator/sessions/09\.yml"):
        sessions.plan("09")


def test_cli_check_and_plan():
    runner = CliRunner()
    result = runner.invoke(main, ["handouts", "check"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["handouts", "plan", "series", "1"])
    assert result.exit_code == 0, result.output
    assert "[00]" in result.output and "[01]" in result.output
    assert "total: 90 of 90 minutes" in result.output
    result = runner.invoke(main, ["handouts", "plan", "series", "9"])
    assert result.exit_code != 0 and "sessions 1 to 5" in result.output
    result = runner.invoke(main, ["handouts", "plan", "workshop", "2"])
    assert result.exit_code != 0 and "workshop has only session 1, not 2" in result.output


README = ROOT / "facilitator" / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n### ", start + len(title))
    end = text.find("\n## ", start) if end == -1 else end
    return text[start:end]


def test_readme_workshop_timetable_matches_the_plans():
    table = _section("### The 3-hour workshop")
    session = sessions.sessions("workshop")[0]
    first_start = {}
    for start, seg in session.timetable():
        first_start.setdefault(seg.lesson, start)
        if seg.kind == "break":
            assert f"| {start} | **Break ({seg.minutes} minutes)** |" in table
    for lid, start in first_start.items():
        label = "Welcome" if lid == "00" else f"Lesson {lid}"
        assert f"| {start} | {label}" in table, (lid, start)


@pytest.mark.parametrize(("title", "format_id"), [
    ("### The five-session series: session 1", "series"),
    ("### Classroom assignments: meeting 1", "classroom"),
])
def test_readme_session_1_steps_match_the_plans(title, format_id):
    import re

    minutes = [int(m) for m in re.findall(r"\((\d+) min\)", _section(title))]
    assert minutes == [seg.minutes for seg in sessions.sessions(format_id)[0].segments]


def test_start_times_are_read_as_clock_times():
    assert sessions.parse_start("18:30").strftime("%H:%M") == "18:30"
    assert sessions.parse_start("9:05").strftime("%H:%M") == "09:05"
    for bad in ("25:00", "18:75", "half six", "1830", ""):
        with pytest.raises(SessionPlanError, match=r"HH:MM.*18:30"):
            sessions.parse_start(bad)
    start = sessions.parse_start("23:30")
    assert sessions.clock_label(45, start) == "00:15"
    assert sessions.clock_label(75) == "1:15"


def test_a_schedule_runs_from_the_start_to_the_end_of_the_session():
    session = sessions.sessions("series")[0]
    rows = session.schedule(sessions.parse_start("18:30"))
    assert rows[0][0] == "18:30" and rows[-1][1] == "20:00"
    assert all(rows[i][1] == rows[i + 1][0] for i in range(len(rows) - 1))
    assert session.schedule()[0][0] == "0:00" and session.schedule()[-1][1] == "1:30"


def test_plan_command_prints_clock_times_and_refuses_a_bad_start():
    result = CliRunner().invoke(main, ["handouts", "plan", "series", "1", "--start", "18:30"])
    assert result.exit_code == 0, result.output
    assert "18:30–" in result.output and "–20:00" in result.output
    result = CliRunner().invoke(main, ["handouts", "plan", "series", "1", "--start", "6pm"])
    assert result.exit_code != 0 and "'6pm'" in result.output and "HH:MM" in result.output
    result = CliRunner().invoke(main, ["handouts", "build", "--start", "6pm", "--no-pdf"])
    assert result.exit_code != 0 and "'6pm'" in result.output and "--start" in result.output
